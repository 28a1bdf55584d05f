"""Pull requests end to end: signed webhooks into the real server, the worker, the fake
GitHub (every request checked against GitHub's OpenAPI description) and the store.

A pull request in a service repository of a three-repository project gets one check run on
its head commit (queued → in_progress → completed, the report and the diff in the summary)
and one sticky comment, which the next push edits in place (never a second one), and which
is left alone when nothing changed."""

from __future__ import annotations

import json
from typing import Any

from app.preview import CHECK_NAME
from app.preview.comment import MARKER
from tests.app.helpers import Served, served, settings_for
from tests.app.test_preview_world import (
    ORDERS_WORKER,
    Shop,
    build_shop,
    install,
    only,
    open_feature,
    pull_request_payload,
    push_payload,
    rerequest_payload,
)
from tests.fakes.github import FakeGitHub
from tests.store.conftest import Database


async def events(s: Served, event_type: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in await s.rows("flow_events", event_type=event_type)]


def check_run_bodies(gh: FakeGitHub, method: str) -> list[dict[str, Any]]:
    route = f"{method} /repos/{{owner}}/{{repo}}/check-runs" + (
        "" if method == "POST" else "/{check_run_id}"
    )
    return [json.loads(r.body) for r in gh.calls(route) if r.status < 300]


async def test_pull_request_check_run_and_sticky_comment(
    db: Database, fake_github: FakeGitHub
) -> None:
    gh = fake_github
    shop: Shop = build_shop(gh)
    async with served(settings_for(db.url, gh)) as s:
        await install(s, shop)
        base_sha = shop.orders.head()
        number = open_feature(shop.orders, {"services.yaml": ORDERS_WORKER})
        head_sha = shop.orders.head("feature")
        opened = pull_request_payload(shop.orders, number, "opened")
        assert (await s.deliver("pull_request", opened))[0] == 202
        await s.drain()

        run = only(gh.check_runs_on(shop.orders.full_name))
        assert (run["name"], run["head_sha"]) == (CHECK_NAME, head_sha)
        assert (run["status"], run["conclusion"]) == ("completed", "success")
        # queued -> in_progress -> completed
        [created] = check_run_bodies(gh, "POST")
        assert created["status"] == "queued" and created["head_sha"] == head_sha
        statuses = [b.get("status") for b in check_run_bodies(gh, "PATCH")]
        assert statuses == ["in_progress", "completed"]
        output = run["output"]
        assert output["title"].startswith("shop: valid · 4 units")
        summary = output["summary"]
        assert "### What this change does to the composition" in summary
        assert "units added: `orders-worker`" in summary
        assert "## Manifold preview — shop: ✅ composition is valid" in summary
        assert "```mermaid" in summary and "shop-dev-1" in summary
        assert run["_annotations"] == []

        comment = only(gh.comments_on(shop.orders.full_name, number))
        assert comment["body"].startswith(MARKER)
        assert run["html_url"] in comment["body"] and head_sha[:7] in comment["body"]
        assert "1 unit(s) added" in comment["body"] and len(comment["body"]) < 1000
        assert comment["user"]["type"] == "Bot"

        # The store: head and base compositions, the bookkeeping, the audit trail.
        compositions = await s.rows("repository_compositions")
        assert len(compositions) == 2
        assert {c["status"] for c in compositions} == {"ready"}
        assert {c["root_repository_alias"] for c in compositions} == {"platform"}
        assert len({c["composition_key"] for c in compositions}) == 2
        commits = {
            r["repository"]: r["commit"]
            for c in compositions
            for r in c["resolved_repositories_json"]
            if r["repository"] == "orders"
        }
        assert commits == {"orders": commits["orders"]}  # one commit per repository and run
        assert {r["commit"] for c in compositions for r in c["resolved_repositories_json"]
                if r["repository"] == "orders"} == {base_sha, head_sha}  # fmt: skip
        [record] = await s.rows("check_runs")
        assert (record["check_run_id"], record["status"], record["pull_number"]) == (
            run["id"],
            "completed",
            number,
        )
        for name in (
            "run.composition.resolve_started",
            "run.composition.resolve_succeeded",
            "run.docs_graph.resolved",
            "run.repo.checkout.plan_built",
        ):
            assert len(await events(s, name)) == 2, name
        docs = (await events(s, "run.docs_graph.resolved"))[0]
        assert docs["refs_before_dedup"] == docs["refs_after_dedup"] == 3
        [done] = await events(s, "preview.completed")
        assert done["check_run"] == "created" and done["comment"] == "created"

        # The next push: GitHub sends `push`, `pull_request.synchronize` and
        # `check_suite.requested`; together they yield one check run.
        before = head_sha
        renamed = ORDERS_WORKER.replace("orders-worker", "orders-jobs")
        shop.orders.commit({"services.yaml": renamed}, branch="feature")
        new_head = shop.orders.head("feature")
        push = push_payload(shop.orders, "feature", before, modified=["services.yaml"])
        assert (await s.deliver("push", push))[0] == 202
        sync = pull_request_payload(shop.orders, number, "synchronize")
        assert (await s.deliver("pull_request", sync))[0] == 202
        suite = rerequest_payload(
            shop.orders, new_head, pulls=[number], event="check_suite", action="requested"
        )
        assert (await s.deliver("check_suite", suite))[0] == 202
        await s.drain()

        new_run = only(gh.check_runs_on(shop.orders.full_name, new_head))
        assert new_run["conclusion"] == "success"
        assert "units added: `orders-jobs`" in new_run["output"]["summary"]
        edited = only(gh.comments_on(shop.orders.full_name, number))
        assert edited["id"] == comment["id"] and edited["_edits"] == 1
        assert new_run["html_url"] in edited["body"] and new_head[:7] in edited["body"]
        skipped = await events(s, "preview.skipped")
        assert any("previewed by pull request #1" in e["reason"] for e in skipped)

        # The same commit again (e.g. `ready_for_review`): nothing to post.
        writes = gh.requests.copy()
        ready = pull_request_payload(shop.orders, number, "ready_for_review")
        assert (await s.deliver("pull_request", ready))[0] == 202
        await s.drain()
        assert len(gh.check_runs_on(shop.orders.full_name)) == 2
        assert only(gh.comments_on(shop.orders.full_name, number))["_edits"] == 1
        for route in (
            "POST /repos/{owner}/{repo}/check-runs",
            "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
            "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
            "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
        ):
            assert gh.requests[route] == writes[route], route
        assert (await events(s, "preview.completed"))[-1]["check_run"] == "unchanged"

        metrics = await (await s.client.get("/metrics")).text()
        assert "manifold_composition_resolve_seconds_count" in metrics
        assert "manifold_composition_imported_repositories_bucket" in metrics
        assert 'manifold_docs_refs_bucket{le="4.0",stage="before"}' in metrics
        assert 'manifold_github_requests_total{installation="600"}' in metrics
        assert 'manifold_github_rate_limit_remaining{installation="600"}' in metrics
        assert 'manifold_previews_total{kind="preview.pull_request",outcome="unchanged"}' in metrics
        jobs = await s.rows("jobs")
        assert {j["status"] for j in jobs} <= {"succeeded", "superseded"}

        # A commit GitHub announces only through `check_suite.requested` is previewed too.
        shop.orders.commit({"services.yaml": ORDERS_WORKER}, branch="feature")
        lone_head = shop.orders.head("feature")
        suite = rerequest_payload(
            shop.orders, lone_head, pulls=[number], event="check_suite", action="requested"
        )
        assert (await s.deliver("check_suite", suite))[0] == 202
        await s.drain()
        assert only(gh.check_runs_on(shop.orders.full_name, lone_head))["status"] == "completed"

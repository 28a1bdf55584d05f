"""`multi_repo_mode` and repositories bound to no project, end to end.

A conflict a pull request introduces fails the check in `enforced` mode (annotated on the
exact lines of the service's services.yaml) and is neutral in `preview`; `off` composes the
repository alone. Re-runs (the check run's and the check suite's button) post a new check
run. A repository bound to no project is previewed alone when it has a services.yaml, with
its annotations sent 50 per request, each exactly once even when GitHub fails midway."""

from __future__ import annotations

import json
from typing import Any

from app.store import MultiRepoMode
from tests.app.helpers import Served, served, settings_for
from tests.app.test_preview_world import (
    CONFLICT_LINE,
    MISSING_DEPENDENCY_LINE,
    ORDERS_BROKEN,
    build_shop,
    install,
    only,
    open_feature,
    pull_request_payload,
    push_payload,
    rerequest_payload,
    set_mode,
    sqlite_db,
)
from tests.fakes.github import FakeGitHub
from tests.store.conftest import Database

__all__ = ["sqlite_db"]


async def events(s: Served, event_type: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in await s.rows("flow_events", event_type=event_type)]


def lines(run: dict[str, Any]) -> set[tuple[str, int, str]]:
    return {(a["path"], a["start_line"], a["annotation_level"]) for a in run["_annotations"]}


async def test_conflict_fails_when_enforced_is_neutral_in_preview_and_off_composes_alone(
    db: Database, fake_github: FakeGitHub
) -> None:
    gh = fake_github
    shop = build_shop(gh)
    async with served(settings_for(db.url, gh)) as s:
        await install(s, shop, mode=MultiRepoMode.ENFORCED)
        number = open_feature(shop.orders, {"services.yaml": ORDERS_BROKEN})
        head = shop.orders.head("feature")
        opened = pull_request_payload(shop.orders, number, "opened")
        assert (await s.deliver("pull_request", opened))[0] == 202
        await s.drain()

        enforced = only(gh.check_runs_on(shop.orders.full_name, head))
        assert enforced["conclusion"] == "failure"
        assert "1 conflict, 1 error (blocking)" in enforced["output"]["title"]
        assert lines(enforced) == {
            ("services.yaml", CONFLICT_LINE, "failure"),
            ("services.yaml", MISSING_DEPENDENCY_LINE, "failure"),
        }
        missing = next(a for a in enforced["_annotations"] if a["start_line"] == 13)
        assert missing["start_column"] == 30 and "nowhere" in missing["message"]
        conflict = next(a for a in enforced["_annotations"] if a["start_line"] == 9)
        assert conflict["title"] == "conflict/sibling_conflict"
        assert "billing:services.yaml:9:14" in conflict["message"]
        summary = enforced["output"]["summary"]
        assert "`multi_repo_mode: enforced` — problems fail this check" in summary
        assert "problems: 0 → 2" in summary
        comment = only(gh.comments_on(shop.orders.full_name, number))
        assert "(blocking)" in comment["body"]
        statuses = sorted(c["status"] for c in await s.rows("repository_compositions"))
        assert statuses == ["failed", "ready"]  # the head fails, the base composes
        [failed] = await events(s, "run.composition.resolve_failed")
        assert {e["reason"] for e in failed["errors"]} == {
            "sibling_conflict",
            "unknown_dependency",
        }

        # preview: the check run's re-run button posts a new run; problems do not block
        await set_mode(s, MultiRepoMode.PREVIEW)
        rerun = rerequest_payload(shop.orders, head, pulls=[number], event="check_run")
        assert (await s.deliver("check_run", rerun))[0] == 202
        await s.drain()
        runs = gh.check_runs_on(shop.orders.full_name, head)
        assert [r["conclusion"] for r in runs] == ["failure", "neutral"]
        assert lines(runs[1]) == lines(enforced)
        assert "never blocking" in runs[1]["output"]["summary"]
        comment = only(gh.comments_on(shop.orders.full_name, number))
        assert "(not blocking)" in comment["body"] and runs[1]["html_url"] in comment["body"]

        # off: the repository composed alone (monorepo behaviour): billing is not read,
        # so there is no conflict; its own missing dependencies remain
        await set_mode(s, MultiRepoMode.OFF)
        suite = rerequest_payload(shop.orders, head, pulls=[number], event="check_suite")
        assert (await s.deliver("check_suite", suite))[0] == 202
        await s.drain()
        runs = gh.check_runs_on(shop.orders.full_name, head)
        alone = runs[-1]
        assert len(runs) == 3 and alone["conclusion"] == "neutral"
        assert "composed alone" in alone["output"]["summary"]
        assert "Entry point | monorepo" in alone["output"]["summary"]
        assert ("services.yaml", CONFLICT_LINE, "failure") not in lines(alone)
        latest = (await s.rows("repository_compositions"))[-1]
        assert [r["repository"] for r in latest["resolved_repositories_json"]] == ["orders"]
        assert latest["root_repository_alias"] == "orders"
        # a re-run of another App's check run is none of Manifold's business
        other = rerequest_payload(shop.orders, head, pulls=[number], event="check_run")
        other["check_run"]["name"] = "ci / test"
        status, body = await s.deliver("check_run", other)
        assert status == 202
        await s.drain()
        [delivery] = await s.rows("webhook_deliveries", delivery_id=body["delivery"])
        assert delivery["outcome"] == "ignored"
        assert "another App's check run" in delivery["outcome_detail"]
        assert len(gh.check_runs_on(shop.orders.full_name, head)) == 3


NOISY = """\
apiVersion: kodex.works/v1alpha1
kind: ServiceStack
metadata:
  name: solo
spec:
  project: solo
  environments:
    ai: {}
  services:
    - name: api
""" + "".join(f"      unknownKey{n}: {n}\n" for n in range(60))


async def test_unbound_repository_is_previewed_alone(
    sqlite_db: Database, fake_github: FakeGitHub
) -> None:
    gh = fake_github
    inst = gh.add_installation("solo-org", installation_id=700)
    solo = gh.add_repo("solo-org/app", installation=inst, files={"services.yaml": NOISY})
    plain = gh.add_repo("solo-org/site", installation=inst, files={"index.html": "<p>hi</p>"})
    async with served(settings_for(sqlite_db.url, gh)) as s:
        # The update with the last 10 annotations fails (sent once: an append is never
        # repeated blindly), after `in_progress` and the completing update (with the first
        # 50) went through.
        gh.fail(502, times=1, route="checks/update", after=2)
        for repo, path in ((solo, "services.yaml"), (plain, "index.html")):
            push = push_payload(repo, "main", "0" * 40, modified=[], added=[path])
            assert (await s.deliver("push", push))[0] == 202
        await s.drain()

        run = only(gh.check_runs_on(solo.full_name))
        assert run["head_sha"] == solo.head() and run["conclusion"] == "success"
        assert len(run["_annotations"]) == 60  # each exactly once
        assert len({a["message"] for a in run["_annotations"]}) == 60
        assert {a["annotation_level"] for a in run["_annotations"]} == {"warning"}
        assert "bound to no project" in run["output"]["summary"]
        sent = [
            (r.status, len((json.loads(r.body).get("output") or {}).get("annotations", [])))
            for r in gh.calls("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}")
        ]
        # in_progress; 50 per request; the retried job asks GitHub how far it got and sends
        # only the missing 10
        assert sent == [(200, 0), (200, 50), (502, 10), (200, 10)]
        pushes = {
            j["payload"]["repository"]["name"]: (j["status"], j["attempts"])
            for j in await s.rows("jobs")
            if j["kind"] == "preview.push"
        }
        assert pushes == {"app": ("succeeded", 2), "site": ("succeeded", 1)}
        assert gh.check_runs_on(plain.full_name) == []
        reasons = [e["reason"] for e in await events(s, "preview.skipped")]
        assert reasons == ["solo-org/site is bound to no project and has no services.yaml"]
        # no project: no composition row, but the run is audited
        assert await s.rows("repository_compositions") == []
        succeeded = await events(s, "run.composition.resolve_succeeded")
        assert len(succeeded) == 2  # once per attempt: every run is audited
        assert {(e["repository"], e["project_id"]) for e in succeeded} == {("solo-org/app", None)}
        assert len(await events(s, "run.repo.checkout.plan_built")) == 2

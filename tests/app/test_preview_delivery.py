"""Which commits get previewed, and that each result is posted exactly once.

GitHub failing while Manifold posts makes the job retry, and the retry finishes the same
check run and posts one comment. A newer push supersedes the pending preview of an older
commit, and a job previews the head as it is when the job starts, never a superseded
commit. Pushes that change nothing a composition reads are not previewed; a branch without
a pull request is previewed against the push's `before`."""

from __future__ import annotations

from tests.app.helpers import Served, served, settings_for
from tests.app.test_preview_world import (
    ORDERS_BROKEN,
    ORDERS_WORKER,
    build_shop,
    install,
    only,
    open_feature,
    pull_request_payload,
    push_payload,
    sqlite_db,
)
from tests.fakes.github import FakeGitHub
from tests.store.conftest import Database

__all__ = ["sqlite_db"]


async def skipped(s: Served) -> list[str]:
    found = await s.rows("flow_events", event_type="preview.skipped")
    return [e["payload"]["reason"] for e in found]


async def test_github_5xx_while_posting_is_retried_without_duplicates(
    db: Database, fake_github: FakeGitHub
) -> None:
    gh = fake_github
    shop = build_shop(gh)
    async with served(settings_for(db.url, gh)) as s:
        await install(s, shop)
        number = open_feature(shop.orders, {"services.yaml": ORDERS_BROKEN})
        # The completing update, which appends annotations, fails after `in_progress` went
        # through (the client sends it once: repeating it blindly could append them twice);
        # then creating the sticky comment fails on both of the client's tries.
        gh.fail(502, times=1, route="checks/update", after=1)
        gh.fail(502, times=2, route="issues/create-comment")
        opened = pull_request_payload(shop.orders, number, "opened")
        assert (await s.deliver("pull_request", opened))[0] == 202
        await s.drain()

        [job] = [j for j in await s.rows("jobs") if j["kind"] == "preview.pull_request"]
        assert (job["status"], job["attempts"]) == ("succeeded", 3)
        run = only(gh.check_runs_on(shop.orders.full_name))
        assert (run["status"], run["conclusion"]) == ("completed", "neutral")
        assert len(run["_annotations"]) == 2  # sent once
        assert gh.requests["POST /repos/{owner}/{repo}/check-runs"] == 1
        only(gh.comments_on(shop.orders.full_name, number))
        [record] = await s.rows("check_runs")
        assert (record["check_run_id"], record["status"]) == (run["id"], "completed")
        completed = await s.rows("flow_events", event_type="preview.completed")
        assert [e["payload"]["check_run"] for e in completed] == ["unchanged"]


async def test_only_current_commits_that_may_change_something_are_previewed(
    sqlite_db: Database, fake_github: FakeGitHub
) -> None:
    gh = fake_github
    shop = build_shop(gh)
    orders = shop.orders
    async with served(settings_for(sqlite_db.url, gh)) as s:
        await install(s, shop)

        # Two events for one pull request before the worker runs. Deliveries are processed
        # concurrently: one preview job supersedes the other while it is pending, or waits
        # for it (one job per pull request runs at a time). Either way only the head as it
        # is when a job starts is previewed, and it is posted once.
        number = open_feature(orders, {"services.yaml": ORDERS_WORKER})
        first = orders.head("feature")
        await s.deliver("pull_request", pull_request_payload(orders, number, "opened"))
        orders.commit({"services.yaml": ORDERS_BROKEN}, branch="feature")
        second = orders.head("feature")
        await s.deliver("pull_request", pull_request_payload(orders, number, "synchronize"))
        await s.drain()
        jobs = [j for j in await s.rows("jobs") if j["kind"] == "preview.pull_request"]
        assert len(jobs) == 2 and {j["status"] for j in jobs} <= {"succeeded", "superseded"}
        assert gh.check_runs_on(orders.full_name, first) == []
        only(gh.check_runs_on(orders.full_name, second))
        assert gh.requests["POST /repos/{owner}/{repo}/check-runs"] == 1

        # An event whose commit is no longer the head when its job starts: the head is
        # previewed, the stale commit is not.
        orders.commit({"services.yaml": ORDERS_WORKER}, branch="feature")
        stale = pull_request_payload(orders, number, "synchronize")
        orders.commit({"README.md": "newer\n"}, branch="feature")
        await s.deliver("pull_request", stale)
        await s.drain()
        stale_sha = stale["pull_request"]["head"]["sha"]
        assert gh.check_runs_on(orders.full_name, stale_sha) == []
        only(gh.check_runs_on(orders.full_name, orders.head("feature")))
        [*_, done] = await s.rows("flow_events", event_type="preview.completed")
        assert done["payload"]["superseded"] == stale_sha
        assert done["payload"]["head_sha"] == orders.head("feature")
        # ... and when the newer event's job comes, nothing is posted again
        writes = gh.requests["POST /repos/{owner}/{repo}/check-runs"]
        await s.deliver("pull_request", pull_request_payload(orders, number, "synchronize"))
        await s.drain()
        assert gh.requests["POST /repos/{owner}/{repo}/check-runs"] == writes
        assert only(gh.comments_on(orders.full_name, number))["_edits"] == 1

        # A push to the default branch that only edits a README: nothing is read or posted.
        before = orders.head()
        orders.commit({"README.md": "docs only\n"})
        requests = gh.total_requests
        push = push_payload(orders, "main", before, modified=["README.md"])
        await s.deliver("push", push)
        await s.drain()
        assert gh.total_requests == requests
        assert (await skipped(s))[-1] == (
            "the push only modifies files whose contents no composition reads"
        )

        # A branch without a pull request: previewed against the push's `before`.
        base = orders.head()
        orders.commit({"services.yaml": ORDERS_WORKER}, branch="experiment", parent=base)
        push = push_payload(orders, "experiment", base, modified=["services.yaml"])
        await s.deliver("push", push)
        await s.drain()
        run = only(gh.check_runs_on(orders.full_name, orders.head("experiment")))
        assert run["external_id"] == "push" and run["conclusion"] == "success"
        assert "units added: `orders-worker`" in run["output"]["summary"]
        on_orders = {c["_issue"] for c in gh.comments.values() if c["_repo"] == orders.full_name}
        assert on_orders == {number}  # a branch preview posts no comment

        # A push whose branch has moved on by the time the job runs: the tip is previewed
        # (against the older push's `before`), and the tip's own push finds it done.
        orders.commit({"services.yaml": ORDERS_BROKEN}, branch="experiment")
        late = push_payload(orders, "experiment", base, modified=["services.yaml"])
        orders.commit({"services.yaml": ORDERS_WORKER + "# tweak\n"}, branch="experiment")
        await s.deliver("push", late)
        await s.drain()
        assert gh.check_runs_on(orders.full_name, late["after"]) == []
        only(gh.check_runs_on(orders.full_name, orders.head("experiment")))
        tip = push_payload(orders, "experiment", late["after"], modified=["services.yaml"])
        await s.deliver("push", tip)
        await s.drain()
        only(gh.check_runs_on(orders.full_name, orders.head("experiment")))
        assert (await skipped(s))[-1].endswith("(experiment) was previewed already")
        # A pull request's title edited: nothing to preview; moved onto another base: it is.
        edited = pull_request_payload(orders, number, "edited")
        status, body = await s.deliver("pull_request", {**edited, "changes": {"title": {}}})
        assert status == 202
        orders.branch("release", orders.head())
        orders.pull(number).base = "release"
        rebased = {**edited, "changes": {"base": {"ref": {"from": "main"}}}}
        assert (await s.deliver("pull_request", rebased))[0] == 202
        await s.drain()
        [title] = await s.rows("webhook_deliveries", delivery_id=body["delivery"])
        assert title["outcome"] == "ignored" and "title or body" in title["outcome_detail"]
        [*_, done] = await s.rows("flow_events", event_type="preview.completed")
        assert done["payload"]["base"] == orders.head("release")
        assert {j["status"] for j in await s.rows("jobs")} <= {"succeeded", "superseded"}

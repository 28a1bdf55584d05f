"""Installations and project roots end to end: signed deliveries into the real app, the worker
draining the queue, the fake GitHub serving services.yaml (every request checked against
GitHub's OpenAPI description), and the store afterwards."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.app.helpers import Served, served, settings_for, wait_for
from tests.fakes.github import FakeGitHub, FakeInstallation, FakeRepo
from tests.store.conftest import Database

ROOT_YAML = """\
apiVersion: kodex.works/v1alpha1
kind: ServiceStack
metadata:
  name: shop
spec:
  project: shop
  repositories:
    - alias: platform
      owner: acme
      name: platform
      role: orchestrator
    - alias: orders              # owner: the root's; name: the alias
    - alias: payments
      name: payments-svc
      defaultRef: release
      servicesPath: deploy/services.yaml
    - alias: handbook            # another account: not this installation
      owner: other
      name: handbook
      role: docs
    - alias: "Bad Alias!"
      name: whatever
  environments:
    dev: {}
"""


def repo_entry(repo: FakeRepo) -> dict[str, Any]:
    return {"id": repo.id, "name": repo.name, "full_name": repo.full_name, "private": True}


def installation_payload(
    action: str, inst: FakeInstallation, repos: list[FakeRepo] | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "action": action,
        "installation": {
            "id": inst.id,
            "account": {"login": inst.account, "id": 1, "type": inst.account_type},
            "repository_selection": "selected",
        },
        "sender": {"login": "octocat", "type": "User"},
    }
    if repos is not None:
        payload["repositories"] = [repo_entry(r) for r in repos]
    return payload


def push_payload(repo: FakeRepo, inst: FakeInstallation, *changed: str) -> dict[str, Any]:
    return {
        "ref": f"refs/heads/{repo.default_branch}",
        "before": "0" * 40,
        "after": repo.head(),
        "repository": {
            "id": repo.id,
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": {"login": repo.owner},
            "default_branch": repo.default_branch,
        },
        "installation": {"id": inst.id},
        "commits": [{"id": repo.head(), "added": [], "removed": [], "modified": list(changed)}],
    }


def world(gh: FakeGitHub) -> tuple[FakeInstallation, dict[str, FakeRepo]]:
    inst = gh.add_installation("acme", installation_id=500)
    repos = {
        "platform": gh.add_repo(
            "acme/platform", installation=inst, files={"services.yaml": ROOT_YAML}
        ),
        "orders": gh.add_repo(
            "acme/orders", installation=inst, files={"services.yaml": "spec: {}\n"}
        ),
        "payments": gh.add_repo("acme/payments-svc", installation=inst, files={"README.md": "x"}),
        "handbook": gh.add_repo("other/handbook", files={"services.yaml": "spec: {}\n"}),
    }
    return inst, repos


async def bindings(s: Served) -> dict[str, dict[str, Any]]:
    return {r["alias"]: r for r in await s.rows("repositories")}


async def events(s: Served, event_type: str) -> list[dict[str, Any]]:
    return [e["payload"] for e in await s.rows("flow_events", event_type=event_type)]


async def test_installation_roots_and_pushes(db: Database, fake_github: FakeGitHub) -> None:
    gh = fake_github
    inst, repos = world(gh)
    async with served(settings_for(db.url, gh)) as s:
        created = installation_payload(
            "created", inst, [repos["platform"], repos["orders"], repos["payments"]]
        )
        assert (await s.deliver("installation", created))[0] == 202
        await s.drain()

        [installation] = await s.rows("installations")
        assert (installation["id"], installation["account_login"]) == (500, "acme")
        [project] = await s.rows("projects")
        assert (project["name"], project["installation_id"]) == ("shop", 500)
        bound = await bindings(s)
        assert sorted(bound) == ["orders", "payments", "platform"]
        assert bound["platform"]["role"] == "orchestrator"
        assert bound["orders"]["role"] == "service"
        assert bound["orders"]["external_id"] == str(repos["orders"].id)
        payments = bound["payments"]
        assert (payments["owner"], payments["name"]) == ("acme", "payments-svc")
        assert payments["default_ref"] == "release"
        assert payments["services_yaml_path"] == "deploy/services.yaml"
        assert bound["orders"]["default_ref"] == "main"  # the repository's default branch

        [refreshed] = await events(s, "bindings.refreshed")
        assert refreshed["added"] == ["orders", "payments", "platform"]
        reasons = {r["alias"]: r["reason"] for r in refreshed["rejected"]}
        assert reasons == {"handbook": "not_in_installation", "Bad Alias!": "invalid_entry"}
        # Repositories outside the installation are reported, never read.
        assert not [r for r in gh.log if "other/handbook" in r.path]
        [delivery] = await s.rows("webhook_deliveries")
        assert delivery["outcome"] == "processed"
        assert {j["status"] for j in await s.rows("jobs")} == {"succeeded"}

        # A push that does not touch services.yaml refreshes nothing and reads nothing (the
        # preview of the push is part 2: its stub job only records the request).
        reads = gh.requests.copy()
        readme = push_payload(repos["platform"], inst, "README.md")
        status, body = await s.deliver("push", readme)
        assert status == 202
        await s.drain()
        assert gh.requests == reads
        follow_ups = [
            j["kind"] for j in await s.rows("jobs") if j["correlation_id"] == body["delivery"]
        ]
        assert sorted(follow_ups) == ["github.delivery", "preview.push"]
        [requested] = await events(s, "preview.requested")
        assert requested["kind"] == "preview.push" and requested["projects"] == [project["id"]]

        # A push to the default branch that changes the root's file refreshes the bindings.
        repos["platform"].commit(
            {"services.yaml": ROOT_YAML.replace("name: payments-svc", "name: gone")}
        )
        change = push_payload(repos["platform"], inst, "services.yaml")
        assert (await s.deliver("push", change))[0] == 202
        await s.drain()
        assert sorted(await bindings(s)) == ["orders", "platform"]
        latest = (await events(s, "bindings.refreshed"))[-1]
        assert latest["removed"] == ["payments"]

        # The file stops declaring spec.repositories: the project keeps no bindings.
        repos["platform"].commit({"services.yaml": "spec:\n  environments: {dev: {}}\n"})
        assert (await s.deliver("push", push_payload(repos["platform"], inst, "services.yaml")))[
            0
        ] == 202
        await s.drain()
        assert await bindings(s) == {}
        [released] = await events(s, "bindings.root_removed")
        assert released["project"] == "shop" and sorted(released["removed"]) == [
            "orders",
            "platform",
        ]
        assert len(await s.rows("projects")) == 1  # the project (and its history) stays


async def test_repositories_added_removed_suspend_delete(
    db: Database, fake_github: FakeGitHub
) -> None:
    gh = fake_github
    inst, repos = world(gh)
    async with served(settings_for(db.url, gh)) as s:
        # Installed on the root and orders only: payments cannot be bound yet.
        await s.deliver("installation", installation_payload("created", inst, [repos["platform"]]))
        repos["payments"].installation_id = None
        await s.drain()
        assert sorted(await bindings(s)) == ["orders", "platform"]

        # payments is added to the installation: the root is refreshed and binds it.
        repos["payments"].installation_id = inst.id
        added = {
            **installation_payload("added", inst),
            "repository_selection": "selected",
            "repositories_added": [repo_entry(repos["payments"])],
            "repositories_removed": [],
        }
        assert (await s.deliver("installation_repositories", added))[0] == 202
        await s.drain()
        assert sorted(await bindings(s)) == ["orders", "payments", "platform"]

        # orders is removed: it leaves the project at once (even if GitHub's listing lags).
        removed = {
            **installation_payload("removed", inst),
            "repository_selection": "selected",
            "repositories_added": [],
            "repositories_removed": [repo_entry(repos["orders"])],
        }
        assert (await s.deliver("installation_repositories", removed))[0] == 202
        await s.drain()
        assert sorted(await bindings(s)) == ["payments", "platform"]
        [changed, _] = await events(s, "installation.repositories_changed")
        assert changed["added"] == ["acme/payments-svc"]

        await s.deliver("installation", installation_payload("suspend", inst))
        await s.drain()
        [row] = await s.rows("installations")
        assert row["suspended_at"] is not None
        # While suspended, refreshes are skipped (GitHub refuses the tokens anyway).
        inst.suspended = True
        before = gh.total_requests
        await s.deliver("push", push_payload(repos["platform"], inst, "services.yaml"))
        await s.drain()
        assert gh.total_requests == before
        inst.suspended = False
        await s.deliver("installation", installation_payload("unsuspend", inst))
        await s.drain()
        [row] = await s.rows("installations")
        assert row["suspended_at"] is None

        await s.deliver("installation", installation_payload("deleted", inst))
        await s.drain()
        assert await s.rows("installations") == []
        [project] = await s.rows("projects")
        assert project["installation_id"] is None  # kept, unlinked
        kinds = [e["event_type"] for e in await s.rows("flow_events")]
        for expected in (
            "installation.created",
            "installation.suspended",
            "installation.unsuspended",
            "installation.deleted",
        ):
            assert expected in kinds
        assert {j["status"] for j in await s.rows("jobs")} == {"succeeded"}


async def test_github_failures_retry_the_refresh(db: Database, fake_github: FakeGitHub) -> None:
    gh = fake_github
    inst, repos = world(gh)
    async with served(settings_for(db.url, gh)) as s:
        # Two 5xx per attempt exhaust the client's own retry: the job is retried, then works.
        gh.fail(502, times=3, route="repos/get-content")
        await s.deliver("installation", installation_payload("created", inst, [repos["platform"]]))
        await s.drain()
        refresh = [j for j in await s.rows("jobs") if j["kind"] == "bindings.refresh"]
        assert [(j["status"], j["attempts"]) for j in refresh] == [("succeeded", 2)]
        assert sorted(await bindings(s)) == ["orders", "payments", "platform"]

        # A secondary rate limit longer than the client waits: retried after Retry-After.
        gh.secondary_rate_limit(retry_after=120, route="repos/get-content")
        await s.deliver("push", push_payload(repos["platform"], inst, "services.yaml"))
        await s.drain()
        waiting = [j for j in await s.rows("jobs") if j["status"] == "pending"]
        assert len(waiting) == 1
        assert "RateLimitError" in waiting[0]["last_error"]
        assert waiting[0]["attempts"] == 1


async def test_in_process_worker_under_serve(db: Database, fake_github: FakeGitHub) -> None:
    gh = fake_github
    inst, repos = world(gh)
    async with served(settings_for(db.url, gh), run_worker=True) as s:
        created = installation_payload("created", inst, [repos["platform"]])
        assert (await s.deliver("installation", created))[0] == 202

        async def bound() -> bool:
            return len(await s.rows("repositories")) == 3

        await wait_for(bound)
        ready = await s.client.get("/readyz")
        assert ready.status == 200
        finished = 'manifold_jobs_finished_total{kind="bindings.refresh",result="succeeded"}'

        async def counted() -> bool:
            # the bindings commit before the job is marked done and counted: wait for both
            return finished in await (await s.client.get("/metrics")).text()

        await wait_for(counted)
    # Shut down cleanly: nothing left running.
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "manifold-worker"]

"""The world the preview tests share — a three-repository project on the fake GitHub (an
orchestrator and two services, bound through the orchestrator's `spec.repositories`),
webhook payloads as GitHub sends them — and tests of the pure report builders."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.github.models import MAX_OUTPUT_TEXT
from app.preview.changes import may_change_composition
from app.preview.checkrun import CHECK_NAME, ScopeResult, build_check_run, fit_markdown
from app.preview.comment import MARKER, render_comment
from app.store import MultiRepoMode, get_project_by_name, set_multi_repo_mode
from resolver.compare import diff_reports
from resolver.composition import MemorySource, RepositoryBinding, Workspace, compose
from tests.app.helpers import Served
from tests.fakes.github import FakeGitHub, FakeInstallation, FakeRepo
from tests.store.conftest import Database

OWNER = "shop-org"
PLATFORM = """\
apiVersion: kodex.works/v1alpha1
kind: ServiceStack
metadata:
  name: shop
spec:
  project: shop
  repositories:
    - alias: platform
      role: orchestrator
    - alias: orders
    - alias: billing
  composition:
    rootRepository: platform
    imports:
      - repository: orders
        path: services.yaml
      - repository: billing
        path: services.yaml
  environments:
    ai:
      namespaceTemplate: "{{ .Project }}-dev-{{ .Slot }}"
    production:
      namespaceTemplate: "{{ .Project }}-prod"
  orchestration:
    deployOrder: [internal]
  infrastructure:
    - name: namespace
      manifests:
        - path: deploy/namespace.yaml.tpl
  projectDocs:
    - path: docs/architecture.md
      description: How the shop fits together
      roles: [dev, sre]
"""
ORDERS = """\
apiVersion: kodex.works/v1alpha1
kind: ServiceStack
metadata:
  name: orders
spec:
  project: shop
  versions:
    shared-lib:
      value: "1.0"
  services:
    - name: orders-api
      deployGroup: internal
      dependsOn: [namespace]
      manifests:
        - path: deploy/orders-api.yaml.tpl
  projectDocs:
    - path: docs/orders.md
      description: The orders API
      roles: [dev]
"""
BILLING = ORDERS.replace("name: orders\n", "name: billing\n").replace(
    """    - name: orders-api
      deployGroup: internal
      dependsOn: [namespace]
      manifests:
        - path: deploy/orders-api.yaml.tpl
  projectDocs:
    - path: docs/orders.md
      description: The orders API
      roles: [dev]
""",
    """    - name: billing-api
      deployGroup: internal
      dependsOn: [namespace, orders-api]
      manifests:
        - path: deploy/billing-api.yaml.tpl
  projectDocs:
    - path: docs/runbook.md
      description: Billing on-call runbook
      roles: [sre]
""",
)
#: orders, with a second service (a valid change)
ORDERS_WORKER = ORDERS.replace(
    "  projectDocs:",
    """    - name: orders-worker
      deployGroup: internal
      dependsOn: [orders-api]
      manifests:
        - path: deploy/orders-api.yaml.tpl
  projectDocs:""",
)
#: orders, disagreeing with billing on a shared version (line 9) and depending on a unit that
#: does not exist (line 13, column 30)
ORDERS_BROKEN = ORDERS.replace('value: "1.0"', 'value: "2.0"').replace(
    "dependsOn: [namespace]", "dependsOn: [namespace, nowhere]"
)
CONFLICT_LINE = 9
MISSING_DEPENDENCY_LINE = 13


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Database:
    """SQLite only: the flows whose storage both backends already cover elsewhere."""
    path = tmp_path / "manifold.db"
    shutil.copyfile(sqlite_template, path)
    return Database("sqlite", f"sqlite+aiosqlite:///{path}")


@dataclass
class Shop:
    gh: FakeGitHub
    inst: FakeInstallation
    platform: FakeRepo
    orders: FakeRepo
    billing: FakeRepo


def build_shop(gh: FakeGitHub) -> Shop:
    inst = gh.add_installation(OWNER, installation_id=600)
    platform = gh.add_repo(
        f"{OWNER}/platform",
        installation=inst,
        files={
            "services.yaml": PLATFORM,
            "deploy/namespace.yaml.tpl": "kind: Namespace\n",
            "docs/architecture.md": "# Architecture\n",
        },
    )
    orders = gh.add_repo(
        f"{OWNER}/orders",
        installation=inst,
        files={
            "services.yaml": ORDERS,
            "deploy/orders-api.yaml.tpl": "kind: Deployment\n",
            "docs/orders.md": "# Orders\n",
            "README.md": "orders\n",
        },
    )
    billing = gh.add_repo(
        f"{OWNER}/billing",
        installation=inst,
        files={
            "services.yaml": BILLING,
            "deploy/billing-api.yaml.tpl": "kind: Deployment\n",
            "docs/runbook.md": "# Runbook\n",
        },
    )
    for repo in (platform, orders, billing):
        repo.set_permission("alice", "write")
        repo.set_permission("rita", "read")
    return Shop(gh, inst, platform, orders, billing)


def repo_json(repo: FakeRepo) -> dict[str, Any]:
    return {
        "id": repo.id,
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": {"login": repo.owner, "type": "Organization"},
        "default_branch": repo.default_branch,
        "private": True,
    }


async def install(s: Served, shop: Shop, *, mode: MultiRepoMode | None = None) -> None:
    """Install the App on the three repositories: the root refresh binds project `shop`."""
    payload = {
        "action": "created",
        "installation": {
            "id": shop.inst.id,
            "account": {"login": OWNER, "id": 1, "type": "Organization"},
        },
        "repositories": [repo_json(r) for r in (shop.platform, shop.orders, shop.billing)],
        "sender": {"login": "octocat", "type": "User"},
    }
    assert (await s.deliver("installation", payload))[0] == 202
    await s.drain()
    assert len(await s.rows("repositories")) == 3
    if mode is not None:
        await set_mode(s, mode)


async def set_mode(s: Served, mode: MultiRepoMode) -> None:
    async with s.engine.begin() as conn:
        project = await get_project_by_name(conn, "shop")
        assert project is not None
        await set_multi_repo_mode(conn, project.id, mode)


def open_feature(repo: FakeRepo, files: dict[str, str | None], branch: str = "feature") -> int:
    """A branch off the default branch with `files` changed, and a pull request for it."""
    repo.commit(files, branch=branch, parent=repo.head(), message=f"change {branch}")
    return repo.open_pull(branch)


def pull_request_payload(repo: FakeRepo, number: int, action: str) -> dict[str, Any]:
    pull = repo.pull(number)
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "state": pull.state,
            "draft": pull.draft,
            "head": {"sha": pull.head_sha, "ref": pull.head},
            "base": {"sha": pull.base_sha, "ref": pull.base},
        },
        "repository": repo_json(repo),
        "installation": {"id": repo.installation_id},
        "sender": {"login": "alice", "type": "User"},
    }


def push_payload(
    repo: FakeRepo,
    branch: str,
    before: str,
    *,
    modified: list[str],
    added: Sequence[str] = (),
) -> dict[str, Any]:
    after = repo.head(branch)
    return {
        "ref": f"refs/heads/{branch}",
        "before": before,
        "after": after,
        "deleted": False,
        "repository": repo_json(repo),
        "installation": {"id": repo.installation_id},
        "commits": [{"id": after, "added": list(added), "removed": [], "modified": modified}],
        "sender": {"login": "alice", "type": "User"},
    }


def comment_payload(
    repo: FakeRepo, number: int, comment: dict[str, Any], *, action: str = "created"
) -> dict[str, Any]:
    user = comment["user"]
    return {
        "action": action,
        "issue": {"number": number, "pull_request": {"url": f"https://x/pulls/{number}"}},
        "comment": {
            "id": comment["id"],
            "body": comment["body"],
            "user": {"login": user["login"], "type": user["type"]},
            "author_association": "MEMBER",
        },
        "repository": repo_json(repo),
        "installation": {"id": repo.installation_id},
        "sender": {"login": user["login"], "type": user["type"]},
    }


def rerequest_payload(
    repo: FakeRepo, head_sha: str, *, pulls: list[int], event: str, action: str = "rerequested"
) -> dict[str, Any]:
    suite = {
        "id": 77,
        "head_sha": head_sha,
        "head_branch": "feature",
        "before": None,
        "after": head_sha,
        "pull_requests": [{"number": n} for n in pulls],
    }
    body: dict[str, Any] = {
        "action": action,
        "repository": repo_json(repo),
        "installation": {"id": repo.installation_id},
        "sender": {"login": "alice", "type": "User"},
    }
    if event == "check_suite":
        body["check_suite"] = suite
    else:
        body["check_run"] = {
            "id": 5,
            "name": CHECK_NAME,
            "head_sha": head_sha,
            "check_suite": suite,
            "pull_requests": suite["pull_requests"],
        }
    return body


def only(items: list[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]


# -- the pure builders ------------------------------------------------------------------------


def _memory_world() -> tuple[Workspace, MemorySource]:
    src = MemorySource()
    src.commit("platform", {"services.yaml": PLATFORM, "deploy/namespace.yaml.tpl": "x"})
    src.commit("platform", {"docs/architecture.md": "a"}, parent=src.repos["platform"].head)
    src.commit("orders", {"services.yaml": ORDERS, "deploy/orders-api.yaml.tpl": "x"})
    src.commit("orders", {"docs/orders.md": "o"}, parent=src.repos["orders"].head)
    src.commit("billing", {"services.yaml": BILLING, "deploy/billing-api.yaml.tpl": "x"})
    src.commit("billing", {"docs/runbook.md": "r"}, parent=src.repos["billing"].head)
    ws = Workspace(
        "shop",
        (
            RepositoryBinding("billing", "service", "main"),
            RepositoryBinding("orders", "service", "main"),
            RepositoryBinding("platform", "orchestrator", "main"),
        ),
    )
    return ws, src


def test_check_run_per_mode_and_annotations() -> None:
    ws, src = _memory_world()
    base = compose(ws, src)
    assert base.ok
    parent = src.repos["orders"].head
    broken = src.commit("orders", {"services.yaml": ORDERS_BROKEN}, branch="feature", parent=parent)
    head = compose(ws, src, ref_overrides={"orders": broken})
    diff = diff_reports(base.to_json_dict(), head.to_json_dict())
    conclusions = {}
    for mode in ("off", "preview", "enforced", "unbound"):
        report = build_check_run([ScopeResult("shop", mode, "orders", head, diff)])
        conclusions[mode] = report.conclusion
    assert conclusions == {
        "off": "neutral",
        "preview": "neutral",
        "enforced": "failure",
        "unbound": "neutral",
    }
    report = build_check_run([ScopeResult("shop", "enforced", "orders", head, diff)])
    assert report.title.startswith("shop: 1 conflict, 1 error (blocking)")
    lines = {(a.path, a.start_line, a.level) for a in report.annotations}
    assert lines == {
        ("services.yaml", CONFLICT_LINE, "failure"),
        ("services.yaml", MISSING_DEPENDENCY_LINE, "failure"),
    }
    # Only the checked repository's files: billing's side of the conflict is not annotated
    # on orders' check run, and billing's check run has only its own side.
    other = build_check_run([ScopeResult("shop", "enforced", "billing", head, diff)])
    assert [(a.path, a.start_line) for a in other.annotations] == [("services.yaml", 9)]
    assert "also at orders:services.yaml:9:14" in other.annotations[0].message
    fresh = ScopeResult("shop", "enforced", "orders", base, diff_reports(None, base.to_json_dict()))
    ok = build_check_run([fresh])
    assert ok.conclusion == "success" and ok.annotations == ()
    assert ok.digest == build_check_run([fresh]).digest
    comment = render_comment(
        [ScopeResult("shop", "preview", "orders", head, diff)],
        head_sha="f" * 40,
        check_run_url="https://github.com/x/y/runs/1",
    )
    assert comment.startswith(MARKER) and len(comment) < 1000
    assert "not blocking" in comment and "`fffffff`" in comment


def test_summary_is_cut_at_a_line_and_stays_well_formed() -> None:
    text = "intro\n```mermaid\n" + "line\n" * 30000 + "```\n<details>\n" + "row\n" * 5
    cut = fit_markdown(text)
    assert len(cut) <= MAX_OUTPUT_TEXT
    assert cut.count("```") % 2 == 0
    assert "truncated: the report has" in cut
    nested = fit_markdown("<details>\n" + "x\n" * 40000)
    assert nested.count("<details>") == nested.count("</details>")
    assert fit_markdown("short") == "short"


def test_which_pushes_may_change_a_composition() -> None:
    def commit(**lists: list[str]) -> dict[str, list[str]]:
        return {"added": [], "removed": [], "modified": [], **lists}

    assert not may_change_composition([commit(modified=["README.md", "src/main.go"])])
    assert not may_change_composition([commit(modified=["deploy/api.yaml.tpl"])])
    assert may_change_composition([commit(modified=["services.yaml"])])
    assert may_change_composition([commit(modified=["config/base.json"])])
    assert may_change_composition([commit(added=["docs/new.md"])])
    assert may_change_composition([commit(removed=["deploy/api.yaml.tpl"])])
    assert may_change_composition([{"id": "x"}])  # no file lists: unknown
    assert may_change_composition([commit(modified=["a"])] * 20)  # GitHub's list may be cut
    assert may_change_composition(None)

"""The pure parts of bindings and routing: which file is a root, the plan a root's
`spec.repositories` gives within its installation, push path filtering, intents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.bindings import BindingPlan, plan_bindings, read_root_file
from app.intents import (
    BranchPushed,
    ChecksRequested,
    InstallationChanged,
    MalformedPayload,
    PullRequestCommented,
    RepoRef,
)
from app.routing.roots import may_touch
from app.webhooks import sign, verify_signature

ROOT = RepoRef(1, "acme", "platform")


@dataclass(frozen=True)
class Installed:
    id: int
    owner: str
    name: str
    default_branch: str = "main"


INSTALLED = [
    Installed(1, "acme", "platform"),
    Installed(2, "acme", "orders", "trunk"),
    Installed(3, "Acme", "Payments-Svc"),
]


def plan(repositories: list[object]) -> BindingPlan:
    document = {"spec": {"project": "shop", "repositories": repositories}}
    return plan_bindings(ROOT, installation_id=9, document=document, installed=INSTALLED)


def test_defaults_and_case_insensitive_membership() -> None:
    result = plan([{"alias": "orders"}, {"alias": "Payments", "name": "payments-svc"}])
    bindings = {str(b.alias): b for b in result.bindings}
    assert sorted(bindings) == ["orders", "payments", "platform"]
    orders = bindings["orders"]
    assert (orders.owner, orders.name, orders.role, orders.default_ref) == (
        "acme",
        "orders",
        "service",
        "trunk",
    )
    assert orders.external_id == "2" and orders.installation_id == 9
    assert orders.services_yaml_path == "services.yaml"
    payments = bindings["payments"]
    assert (payments.owner, payments.name) == ("Acme", "Payments-Svc")  # GitHub's spelling
    root = bindings["platform"]  # not listed: bound as orchestrator under its name
    assert (root.role, root.external_id) == ("orchestrator", "1")
    assert result.project == "shop"
    assert result.rejected == ()


def test_rejections_are_reported_not_bound() -> None:
    result = plan(
        [
            {"alias": "handbook", "owner": "other", "name": "handbook"},
            {"alias": "gl", "provider": "gitlab", "name": "orders"},
            {"alias": "-bad"},
            {"alias": "orders"},
            {"alias": "orders", "name": "payments-svc"},
            {"alias": "docs", "name": "orders", "servicesPath": "../escape.yaml"},
            "not a mapping",
        ]
    )
    assert [b.alias for b in result.bindings] == ["orders", "platform"]
    reasons = [(r.alias, r.reason) for r in result.rejected]
    assert reasons == [
        ("handbook", "not_in_installation"),
        ("gl", "provider_unsupported"),
        ("-bad", "invalid_entry"),
        ("orders", "duplicate_alias"),
        ("docs", "invalid_entry"),
        ("#6", "invalid_entry"),
    ]
    assert "install the App" in result.rejected[0].message


def test_the_root_is_always_the_orchestrator() -> None:
    result = plan([{"alias": "core", "name": "platform", "role": "mixed"}])
    [root] = result.bindings
    assert (root.alias, root.role) == ("core", "orchestrator")
    assert "bound as 'orchestrator', not 'mixed'" in result.notes[0]


def test_project_name_falls_back_to_metadata_then_the_repository() -> None:
    repos = [{"alias": "orders"}]
    document = {"metadata": {"name": "from-metadata"}, "spec": {"repositories": repos}}
    assert plan_bindings(
        ROOT, installation_id=9, document=document, installed=INSTALLED
    ).project == ("from-metadata")
    bare = {"spec": {"repositories": repos}}
    assert plan_bindings(ROOT, installation_id=9, document=bare, installed=INSTALLED).project == (
        "platform"
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (None, "not_root"),
        (b"spec:\n  environments: {}\n", "not_root"),
        (b"spec:\n  repositories: []\n", "not_root"),
        (b"spec:\n  repositories:\n    - alias: a\n", "root"),
        (b"spec:\n  repositories: 5\n", "invalid"),
        (b"spec: [unclosed\n", "invalid"),
        (b"\xff\xfe\x00binary", "invalid"),
        (b"project: flat\nservices: []\n", "not_root"),  # the legacy flat format
    ],
)
def test_what_makes_a_root(data: bytes | None, kind: str) -> None:
    assert read_root_file(data, "services.yaml").kind == kind


def test_push_path_filter() -> None:
    touched = [{"added": [], "removed": [], "modified": ["services.yaml"]}]
    untouched = [{"added": ["a.txt"], "removed": [], "modified": ["b/services.yaml"]}]
    assert may_touch(touched, {"services.yaml"})
    assert not may_touch(untouched, {"services.yaml"})
    assert may_touch(untouched, {"b/services.yaml"})
    assert may_touch([], {"services.yaml"})  # no commits listed: unknown
    assert may_touch(untouched * 20, {"services.yaml"})  # GitHub lists at most 20 commits
    assert may_touch([{"modified": "x"}], {"services.yaml"})


def test_intents_from_payloads() -> None:
    push = BranchPushed.from_payload(
        {
            "ref": "refs/heads/main",
            "after": "a" * 40,
            "repository": {"id": 5, "full_name": "acme/x", "default_branch": "main"},
            "installation": {"id": 1},
        }
    )
    assert (
        push is not None and push.to_default_branch and push.repository == RepoRef(5, "acme", "x")
    )
    assert BranchPushed.from_payload({"ref": "refs/tags/v1"}) is None
    with pytest.raises(MalformedPayload, match="no installation"):
        BranchPushed.from_payload(
            {"ref": "refs/heads/x", "after": "b", "repository": {"id": 5, "full_name": "a/x"}}
        )
    created = InstallationChanged.from_payload(
        {
            "action": "created",
            "installation": {"id": 3, "account": {"login": "acme", "type": "User"}},
            "repositories": [{"id": 7, "name": "orders", "full_name": "acme/orders"}],
        }
    )
    assert created.account.type == "User" and created.repositories == (
        RepoRef(7, "acme", "orders"),
    )
    with pytest.raises(MalformedPayload):
        InstallationChanged.from_payload({"action": "created", "installation": {"id": 3}})
    comment = {
        "issue": {"number": 4},
        "comment": {"id": 1, "user": {"login": "a"}},
        "repository": {"id": 5, "full_name": "acme/x"},
        "installation": {"id": 1},
    }
    assert PullRequestCommented.from_payload(comment) is None
    checks = ChecksRequested.from_payload(
        "check_run",
        {
            "action": "rerequested",
            "check_run": {"head_sha": "c" * 40, "check_suite": {"pull_requests": [{"number": 8}]}},
            "repository": {"id": 5, "full_name": "acme/x"},
            "installation": {"id": 1},
        },
    )
    assert checks.pull_numbers == (8,) and checks.source == "check_run"


def test_signature_checks_every_secret() -> None:
    body = b'{"zen": "Practicality beats purity."}'
    assert verify_signature(body, sign(body, "new"), ["old", "new"])
    assert verify_signature(body, sign(body, "old"), ["old", "new"])
    assert not verify_signature(body, sign(body, "other"), ["old", "new"])
    assert not verify_signature(body, None, ["old"])
    assert not verify_signature(body, sign(body, "old"), [])
    assert not verify_signature(body, "sha256=not-hex-ü", ["old"])
    # GitHub's documented example.
    assert sign(b"Hello, World!", "It's a Secret to Everybody") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )

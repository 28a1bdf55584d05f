"""Base vs head: what a change does to the effective composition."""

from __future__ import annotations

import copy

from resolver.compare import diff_reports, render_diff_markdown, summarize_diff


def report(services, infra=(), *, digest="sha256:aaa", namespace="shop-dev-1", imports=()):
    return {
        "effective_services_manifest_hash": digest,
        "manifest": {"spec": {"services": list(services), "infrastructure": list(infra)}},
        "execution_plan": {
            "namespace": namespace,
            "steps": [{"unit": u["name"]} for u in (*infra, *services)],
        },
        "imports": list(imports),
        "validation_errors": [],
        "conflicts": [],
    }


API = {"name": "api", "deployGroup": "internal", "dependsOn": ["db"]}
DB = {"name": "db", "manifests": [{"path": "db.yaml"}]}


def test_identical_reports_are_unchanged():
    base = report([API], [DB])
    diff = diff_reports(base, copy.deepcopy(base))
    assert diff.unchanged
    assert summarize_diff(diff) == "no change to the effective composition"
    assert "No change" in render_diff_markdown(diff)


def test_added_removed_changed_units_and_namespace():
    base = report([API, {"name": "old"}], [DB], digest="sha256:" + "1" * 64)
    changed_api = {**API, "dependsOn": ["db", "cache"], "when": "false"}
    head = report(
        [changed_api, {"name": "web"}],
        [DB, {"name": "cache"}],
        digest="sha256:" + "2" * 64,
        namespace="shop-dev-2",
        imports=[{"repository": "pay", "path": "services.yaml", "resolved_commit": "abc"}],
    )
    diff = diff_reports(base, head)
    assert [(u.name, u.kind) for u in diff.added] == [
        ("cache", "infrastructure"),
        ("web", "service"),
    ]
    assert [u.name for u in diff.removed] == ["old"]
    assert [(u.name, u.fields) for u in diff.changed] == [("api", ("dependsOn", "when"))]
    assert diff.imports_changed == ("pay:services.yaml",)
    text = render_diff_markdown(diff)
    assert "`111111111111` → `222222222222`" in text
    assert "- namespace: `shop-dev-1` → `shop-dev-2`" in text
    assert "- `api` (service) changed: `dependsOn`, `when`" in text
    assert summarize_diff(diff).startswith(
        "2 unit(s) added, 1 removed, 1 changed, namespace changed"
    )


def test_no_base_means_everything_is_added():
    diff = diff_reports(None, report([API], [DB]))
    assert [u.name for u in diff.added] == ["api", "db"]
    assert diff.hash_before == ""

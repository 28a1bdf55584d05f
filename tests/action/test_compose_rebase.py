"""Composition problems re-based onto checkout paths (action.compose.rebase): pure tests."""

from __future__ import annotations

from pathlib import Path

from action.compose import as_diagnostic, rebase
from resolver.diagnostics import Code, Diagnostic, Severity

ROOT = Path("/work/checkout")


def _problem(**fields: object) -> Diagnostic:
    base: dict[str, object] = {
        "code": Code.CONFLICT,
        "reason": "sibling_conflict",
        "message": "differs",
        "path": "services.yaml",
        "line": 3,
        "column": 5,
    }
    base.update(fields)
    return Diagnostic(**base)  # type: ignore[arg-type]


def _rebase(d: Diagnostic, workspace_file: Path = ROOT / "ci" / "workspace.yaml") -> Diagnostic:
    return rebase(
        d,
        root=ROOT,
        workspace_file=workspace_file,
        workspace_display="workspace.yaml",
        repositories={
            "self": ROOT,
            "orders": ROOT / "siblings" / "orders",
            "far": Path("/elsewhere/far"),
        },
    )


def test_this_repository_and_siblings_inside_the_checkout() -> None:
    assert _rebase(_problem(repository="self")) == _problem()
    assert _rebase(_problem(repository="orders", path="deploy/services.yaml")) == _problem(
        path="siblings/orders/deploy/services.yaml"
    )


def test_repositories_outside_the_checkout_keep_their_alias() -> None:
    far = _problem(repository="far")
    assert _rebase(far) == far
    unknown = _problem(repository="ghost")
    assert _rebase(unknown) == unknown
    no_path = _problem(repository="orders", path="", line=0, column=0)
    assert _rebase(no_path) == no_path


def test_workspace_file_problems_point_at_the_workspace_file() -> None:
    assert _rebase(_problem(path="workspace.yaml")) == _problem(path="ci/workspace.yaml")
    outside = _problem(path="workspace.yaml")
    assert _rebase(outside, Path("/elsewhere/workspace.yaml")) == outside
    other = _problem(path="", line=0, column=0)
    assert _rebase(other) == other


def test_report_items_become_diagnostics() -> None:
    as_dict = {
        "code": "conflict",
        "reason": "sibling_conflict",
        "message": "differs",
        "repository": "orders",
        "path": "services.yaml",
        "line": 3,
        "column": 5,
        "locations": [{"repository": "a"}],
    }
    assert as_diagnostic(as_dict, Severity.ERROR) == _problem(repository="orders")
    warning = as_diagnostic({"reason": "dropped_import", "message": "x"}, Severity.WARNING)
    assert warning.severity is Severity.WARNING and warning.code is Code.INVALID_ARGUMENT
    assert as_diagnostic("plain text", Severity.ERROR).message == "plain text"
    same = _problem()
    assert as_diagnostic(same, Severity.WARNING) is same

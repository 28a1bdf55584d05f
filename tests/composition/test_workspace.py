"""Workspaces: workspace.yaml problems are diagnostics; a single repository is a monorepo."""

from __future__ import annotations

from pathlib import Path

from resolver.composition import compose, load_workspace
from resolver.diagnostics import Code, Severity
from tests.composition.helpers import fragment


def test_workspace_yaml_problems_are_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text(
        "project: demo\n"
        "reposit: []\n"
        "repositories:\n"
        "  - alias: Good\n"
        "    role: service\n"
        "    defaultRef: 1.10\n"
        "  - alias: good\n"
        "  - alias: 'bad alias'\n"
        "  - alias: docs\n"
        "    role: librarian\n"
        "    servicesPath: ../escape.yaml\n"
    )
    workspace, _source = load_workspace(tmp_path)
    found = {(d.reason, d.line) for d in workspace.diagnostics}
    assert found == {
        ("unknown_key", 2),
        ("invalid_type", 6),
        ("duplicate_alias", 7),
        ("invalid_alias", 8),
        ("invalid_role", 10),
        ("invalid_path", 11),
    }
    unknown = next(d for d in workspace.diagnostics if d.reason == "unknown_key")
    assert unknown.severity is Severity.WARNING and "repositories" in unknown.hint
    duplicate = next(d for d in workspace.diagnostics if d.reason == "duplicate_alias")
    assert duplicate.code is Code.CONFLICT
    assert [b.alias for b in workspace.repositories] == ["docs", "good"]
    report = compose(workspace, _source)
    assert not report.ok and {"duplicate_alias", "invalid_alias"} <= {
        d.reason for d in report.problems
    }


def test_a_broken_workspace_file_never_raises(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_bytes(b"project: [unclosed\n")
    workspace, source = load_workspace(tmp_path)
    assert [d.reason for d in workspace.diagnostics] == ["yaml_syntax"]
    report = compose(workspace, source)
    assert not report.ok and report.manifest_hash.startswith("sha256:")


def test_nothing_to_compose_is_not_found(tmp_path: Path) -> None:
    workspace, source = load_workspace(tmp_path)
    (problem,) = workspace.diagnostics
    assert (problem.code, problem.reason) == (Code.NOT_FOUND, "workspace_not_found")
    assert not compose(workspace, source).ok


def test_a_single_repository_directory_is_a_monorepo(tmp_path: Path) -> None:
    repo = tmp_path / "My Repo"
    repo.mkdir()
    (repo / "services.yaml").write_text(fragment("services:\n  - name: a\n", environments=True))
    workspace, source = load_workspace(repo)
    (binding,) = workspace.repositories
    assert (binding.alias, binding.role) == ("my-repo", "mixed")
    report = compose(workspace, source)
    assert report.ok, report.problems
    assert (report.mode, report.project) == ("monorepo", "demo")

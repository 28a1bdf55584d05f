"""Sources: git ref rules, reads at a commit, plain directories, the in-memory source."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolver.composition import LocalSource, MemorySource, SourceError, compose, load_workspace
from resolver.diagnostics import Code
from tests.composition.gitrepo import commit, git, init
from tests.composition.helpers import fragment, imports, only


def test_refs_resolve_by_exact_match_and_reads_are_at_the_commit(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    first = commit(repo, {"services.yaml": "one"})
    git(repo, "tag", "-a", "v1", "-m", "annotated")
    source = LocalSource({"r": repo})
    assert source.resolve_ref("r", "main") == first
    assert source.resolve_ref("r", "") == first
    assert source.resolve_ref("r", "v1") == first  # an annotated tag is peeled to its commit
    assert source.resolve_ref("r", "refs/tags/v1") == first
    assert source.resolve_ref("r", first.upper()) == first
    (repo / "services.yaml").write_text("uncommitted edit")
    assert source.read_file("r", first, "services.yaml") == b"one"
    assert source.read_file("r", first, "missing.yaml") is None
    assert source.list_dir("r", first, ".") == ["services.yaml"]
    assert source.is_git("r")


def test_a_name_that_is_both_a_branch_and_a_tag_is_ambiguous(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    first = commit(repo, {"a": "1"})
    git(repo, "tag", "release")
    second = commit(repo, {"a": "2"})
    git(repo, "branch", "release")
    source = LocalSource({"r": repo})
    with pytest.raises(SourceError) as caught:
        source.resolve_ref("r", "release")
    assert (caught.value.code, caught.value.reason) == (Code.INVALID_ARGUMENT, "ambiguous_ref")
    assert "refs/heads/release" in caught.value.hint
    assert source.resolve_ref("r", "refs/heads/release") == second
    assert source.resolve_ref("r", "refs/tags/release") == first


def test_abbreviated_and_unknown_commits_are_not_found(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    sha = commit(repo, {"a": "1"})
    source = LocalSource({"r": repo})
    with pytest.raises(SourceError) as short:
        source.resolve_ref("r", sha[:10])
    assert short.value.reason == "ref_not_found" and sha in short.value.hint
    with pytest.raises(SourceError) as unknown:
        source.resolve_ref("r", "0" * 40)
    assert unknown.value.code is Code.NOT_FOUND
    with pytest.raises(SourceError) as typo:
        source.resolve_ref("r", "mian")
    assert "main" in typo.value.hint


def _git_workspace(tmp_path: Path, root_services: str) -> tuple[Path, Path]:
    svc = init(tmp_path / "svc")
    platform = init(tmp_path / "platform")
    commit(platform, {"services.yaml": root_services})
    (tmp_path / "workspace.yaml").write_text(
        "project: demo\nrepositories:\n"
        "  - alias: platform\n    path: platform\n    role: orchestrator\n    defaultRef: main\n"
        "  - alias: svc\n    path: svc\n    role: service\n    defaultRef: main\n"
    )
    return platform, svc


def test_moved_branch_and_pinned_sha_through_compose(tmp_path: Path) -> None:
    platform, svc = _git_workspace(
        tmp_path, fragment(imports("svc", root="platform"), environments=True)
    )
    old = commit(svc, {"services.yaml": fragment("services:\n  - name: old\n")})
    workspace, source = load_workspace(tmp_path)
    report = compose(workspace, source)
    assert [s["name"] for s in report.manifest["spec"]["services"]] == ["old"]
    new = commit(svc, {"services.yaml": fragment("services:\n  - name: new\n")})
    workspace, source = load_workspace(tmp_path)
    moved = compose(workspace, source)
    assert [s["name"] for s in moved.manifest["spec"]["services"]] == ["new"]
    assert {i.resolved_commit for i in moved.imports} == {new}
    commit(
        platform,
        {"services.yaml": fragment(imports(f"svc@{old}", root="platform"), environments=True)},
    )
    workspace, source = load_workspace(tmp_path)
    pinned = compose(workspace, source)
    assert [s["name"] for s in pinned.manifest["spec"]["services"]] == ["old"]
    assert pinned.imports[0].ref == old


def test_ambiguous_ref_in_an_import_is_reported_at_the_import(tmp_path: Path) -> None:
    _platform, svc = _git_workspace(
        tmp_path, fragment(imports("svc@release", root="platform"), environments=True)
    )
    commit(svc, {"services.yaml": fragment()})
    git(svc, "tag", "release")
    git(svc, "branch", "release")
    workspace, source = load_workspace(tmp_path)
    (ambiguous,) = only(compose(workspace, source), "ambiguous_ref")
    assert (ambiguous.repository, ambiguous.path) == ("platform", "services.yaml")
    assert ambiguous.line > 0


def test_a_plain_directory_has_one_content_hashed_version(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    (plain / "sub").mkdir(parents=True)
    (plain / "services.yaml").write_text("a: 1\n")
    (plain / "sub" / "x.txt").write_text("x")
    first = LocalSource({"p": plain}).resolve_ref("p", "main")
    assert first == LocalSource({"p": plain}).resolve_ref("p", "anything")
    assert len(first) == 40 and not LocalSource({"p": plain}).is_git("p")
    source = LocalSource({"p": plain})
    assert source.list_dir("p", source.resolve_ref("p", ""), ".") == ["services.yaml", "sub/"]
    assert source.read_file("p", first, "sub/x.txt") == b"x"
    (plain / "sub" / "x.txt").write_text("changed")
    second = LocalSource({"p": plain}).resolve_ref("p", "main")
    assert second != first
    with pytest.raises(SourceError) as caught:
        LocalSource({"p": plain}).resolve_ref("p", first)
    assert caught.value.code is Code.NOT_FOUND


def test_a_missing_directory_is_reported() -> None:
    source = LocalSource({"gone": Path("/nonexistent/manifold")})
    with pytest.raises(SourceError) as caught:
        source.resolve_ref("gone", "main")
    assert caught.value.reason == "repository_not_found"


def test_memory_source_follows_the_same_rules() -> None:
    source = MemorySource()
    first = source.commit("r", {"a": "1"}, tag="v1")
    second = source.commit("r", {"b": "2"}, parent=first)
    assert source.resolve_ref("r", "main") == second
    assert source.resolve_ref("r", "v1") == first
    assert source.read_file("r", second, "a") == b"1"
    assert source.list_dir("r", second, ".") == ["a", "b"]
    source.commit("r", {"c": "3"}, branch="v1")
    with pytest.raises(SourceError):
        source.resolve_ref("r", "v1")

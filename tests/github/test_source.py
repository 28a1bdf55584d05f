"""`GitHubSource`: the ref rules, reads at a commit, and what a preview costs in requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from app.github.client import GitHubApp
from app.github.source import GitHubRepository, GitHubSource, ObjectCache
from resolver.composition import compose, compose_async, load_workspace
from resolver.composition.sources import SourceError
from tests.fakes.github import FakeGitHub
from tests.github.helpers import github_app, run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TREES = "GET /repos/{owner}/{repo}/git/trees/{tree_sha}"


def with_source(
    gh: FakeGitHub,
    body: Callable[[GitHubSource, GitHubApp], Coroutine[Any, Any, None]],
    **kwargs: Any,
) -> None:
    async def scenario() -> None:
        async with github_app(gh) as app:
            repos = [
                GitHubRepository(r.name, r.owner, r.name, r.installation_id or 0)
                for r in gh.repos.values()
            ]
            await body(GitHubSource(app, repos, **kwargs), app)

    run(scenario())


def refs_world(gh: FakeGitHub) -> dict[str, str]:
    inst = gh.add_installation("acme")
    repo = gh.add_repo("acme/api", installation=inst, files={"services.yaml": "v: 1\n"})
    first = repo.head()
    second = repo.commit({"services.yaml": "v: 2\n"})
    repo.branch("release", first)
    repo.tag("v1.0", first, annotated=True)
    repo.tag("light", second)
    repo.branch("both", first)
    repo.tag("both", second)
    return {"first": first, "second": second}


def test_ref_precedence(fake_github: FakeGitHub) -> None:
    shas = refs_world(fake_github)

    async def body(source: GitHubSource, app: GitHubApp) -> None:
        assert await source.resolve_ref("api", "") == shas["second"]  # HEAD: the default branch
        assert await source.resolve_ref("api", "HEAD") == shas["second"]
        assert await source.resolve_ref("api", "main") == shas["second"]
        assert await source.resolve_ref("api", "release") == shas["first"]
        assert await source.resolve_ref("api", "v1.0") == shas["first"]  # annotated tag, peeled
        assert await source.resolve_ref("api", "light") == shas["second"]
        assert await source.resolve_ref("api", shas["first"]) == shas["first"]  # a full SHA
        assert await source.resolve_ref("api", shas["first"].upper()) == shas["first"]
        assert await source.resolve_ref("api", "refs/heads/both") == shas["first"]
        assert await source.resolve_ref("api", "refs/tags/both") == shas["second"]
        assert await source.resolve_ref("api", "refs/tags/v1.0") == shas["first"]

    with_source(fake_github, body)


def test_a_name_that_is_both_branch_and_tag_is_ambiguous(fake_github: FakeGitHub) -> None:
    refs_world(fake_github)

    async def body(source: GitHubSource, app: GitHubApp) -> None:
        with pytest.raises(SourceError) as caught:
            await source.resolve_ref("api", "both")
        assert caught.value.reason == "ambiguous_ref" and caught.value.code == "invalid_argument"
        assert "refs/heads/both" in caught.value.hint

    with_source(fake_github, body)


def test_missing_refs_are_not_found_with_a_hint(fake_github: FakeGitHub) -> None:
    shas = refs_world(fake_github)

    async def body(source: GitHubSource, app: GitHubApp) -> None:
        with pytest.raises(SourceError) as caught:
            await source.resolve_ref("api", "relase")
        assert (
            caught.value.reason == "ref_not_found" and "did you mean `release`" in caught.value.hint
        )
        with pytest.raises(SourceError) as caught:
            await source.resolve_ref("api", shas["first"][:10])  # abbreviated SHAs are refused
        assert caught.value.reason == "ref_not_found" and shas["first"] in caught.value.hint
        with pytest.raises(SourceError) as caught:
            await source.resolve_ref("api", "f" * 40)
        assert caught.value.reason == "ref_not_found" and "does not exist" in caught.value.message
        with pytest.raises(SourceError) as caught:
            await source.resolve_ref("api", "refs/heads/v1.0")  # a tag, asked for as a branch
        assert caught.value.reason == "ref_not_found"

    with_source(fake_github, body)


def test_unbound_unreachable_and_empty_repositories(fake_github: FakeGitHub) -> None:
    inst = fake_github.add_installation("acme")
    fake_github.add_repo("acme/empty", installation=inst)
    fake_github.add_repo(
        "acme/theirs", installation=fake_github.add_installation("them"), files={"a": "1"}
    )

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            source = GitHubSource(
                app,
                [
                    GitHubRepository("empty", "acme", "empty", inst.id),
                    GitHubRepository("theirs", "acme", "theirs", inst.id),
                ],
            )
            with pytest.raises(SourceError) as caught:
                await source.resolve_ref("nope", "main")
            assert (caught.value.code, caught.value.reason) == (
                "permission_denied",
                "unbound_repository",
            )
            with pytest.raises(SourceError) as caught:
                await source.resolve_ref("theirs", "main")
            assert (
                caught.value.reason == "repository_not_found"
                and "acme/theirs" in caught.value.message
            )
            with pytest.raises(SourceError) as caught:
                await source.resolve_ref("empty", "main")
            assert caught.value.reason == "ref_not_found" and "empty" in caught.value.message

    run(scenario())


def test_reads_at_a_commit(fake_github: FakeGitHub) -> None:
    inst = fake_github.add_installation("acme")
    repo = fake_github.add_repo(
        "acme/api",
        installation=inst,
        files={
            "services.yaml": "v: 1\n",
            "deploy/k8s/app.yaml.tpl": "kind: x\n",
            "deploy/README.md": "r",
        },
    )
    first = repo.head()
    second = repo.commit(
        {
            "services.yaml": "v: 2\n",
            "link": "services.yaml",
            "vendor/lib": "c" * 40,
            "big.bin": b"\0" * 2048,
        },
        modes={"link": "120000", "vendor/lib": "160000"},
    )

    async def body(source: GitHubSource, app: GitHubApp) -> None:
        assert await source.read_file("api", first, "services.yaml") == b"v: 1\n"
        assert await source.read_file("api", second, "./services.yaml") == b"v: 2\n"
        assert await source.read_file("api", second, "deploy/k8s/app.yaml.tpl") == b"kind: x\n"
        assert await source.read_file("api", second, "deploy/k8s") is None  # a directory
        assert await source.read_file("api", second, "nope/x.yaml") is None
        assert await source.read_file("api", second, "link") is None  # a symlink
        assert await source.read_file("api", second, "vendor/lib") is None  # a submodule
        assert await source.read_file("api", second, "../etc/passwd") is None
        assert await source.list_dir("api", second, "") == [
            "big.bin",
            "deploy/",
            "link",
            "services.yaml",
            "vendor/",
        ]
        assert await source.list_dir("api", second, "deploy") == ["README.md", "k8s/"]
        assert await source.list_dir("api", first, "deploy/k8s/") == ["app.yaml.tpl"]
        assert await source.list_dir("api", second, "services.yaml") is None
        assert await source.list_dir("api", second, "nope") is None
        with pytest.raises(SourceError) as caught:
            await source.read_file("api", second, "big.bin")
        assert caught.value.reason == "file_too_large"
        with pytest.raises(SourceError) as caught:
            await source.read_file("api", "0" * 40, "services.yaml")
        assert caught.value.reason == "commit_not_found"
        with pytest.raises(SourceError) as caught:
            await source.read_file("api", "main", "services.yaml")
        assert caught.value.reason == "invalid_commit"

    with_source(fake_github, body, max_file_bytes=1024)


@pytest.mark.parametrize("recursive_roots", [True, False])
def test_truncated_and_level_by_level_trees_read_the_same(
    fake_github: FakeGitHub, recursive_roots: bool
) -> None:
    inst = fake_github.add_installation("acme")
    files = {f"d{i}/f{j}.txt": f"{i}-{j}" for i in range(4) for j in range(3)}
    repo = fake_github.add_repo("acme/api", installation=inst, files=files)
    fake_github.max_tree_entries = 5  # a recursive listing of this repo is truncated

    async def body(source: GitHubSource, app: GitHubApp) -> None:
        for path, text in files.items():
            assert await source.read_file("api", repo.head(), path) == text.encode()

    with_source(fake_github, body, recursive_roots=recursive_roots)
    # the root (plus the truncated attempt) and one tree per directory
    assert fake_github.requests[TREES] == 4 + (2 if recursive_roots else 1)


def test_concurrent_reads_share_requests(fake_github: FakeGitHub) -> None:
    inst = fake_github.add_installation("acme")
    files = {f"f{i}.yaml": "same content\n" for i in range(20)}
    repo = fake_github.add_repo("acme/api", installation=inst, files=files)
    fake_github.latency = 0.01

    async def body(source: GitHubSource, app: GitHubApp) -> None:
        got = await asyncio.gather(*(source.read_file("api", repo.head(), p) for p in files))
        assert set(got) == {b"same content\n"}

    with_source(fake_github, body)
    assert fake_github.requests[TREES] == 1
    assert fake_github.requests["GET /repos/{owner}/{repo}/git/blobs/{file_sha}"] == 1


def upload_example(gh: FakeGitHub, name: str) -> tuple[Any, Any, int]:
    root = EXAMPLES / name
    workspace, local = load_workspace(root)
    inst = gh.add_installation(workspace.repositories[0].owner)
    for binding in workspace.repositories:
        folder = root / binding.path
        files = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }
        gh.add_repo(f"{binding.owner}/{binding.name}", installation=inst, files=files)
    return workspace, local, inst.id


def test_preview_request_cost(fake_github: FakeGitHub) -> None:
    """Cold, warm (nothing changed) and after a push: requests and rate-limit cost."""
    workspace, local, inst = upload_example(fake_github, "c-hybrid-orchestrator")
    expected = compose(workspace, local)
    repos = len(workspace.repositories)
    costs: dict[str, tuple[int, int]] = {}

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            cache = ObjectCache()

            async def preview(label: str) -> None:
                requests, quota = fake_github.total_requests, sum(fake_github.quota_used.values())
                report = await compose_async(
                    workspace, GitHubSource.for_workspace(app, workspace, inst, cache=cache)
                )
                assert report.manifest_hash == expected.manifest_hash
                assert report.validation_errors == ()
                costs[label] = (
                    fake_github.total_requests - requests,
                    sum(fake_github.quota_used.values()) - quota,
                )

            await preview("cold")
            await preview("warm")
            payments = fake_github.repo("paygate-io/payments")
            payments.commit(
                {
                    "services.yaml": payments.git.files(payments.head())["services.yaml"]
                    + b"# edit\n"
                }
            )
            await preview("one file changed")

    run(scenario())
    fragments = len(expected.imports)
    # cold: a token, two ref look-ups per repo, one recursive tree per repo, one blob per file
    assert costs["cold"][0] <= 1 + 2 * repos + repos + fragments + 2
    # nothing changed: only the ref look-ups, every one a 304 that costs no rate limit
    assert costs["warm"] == (2 * repos, 0)
    # a push to one repo: its ref (200), its new root tree and the changed file
    assert costs["one file changed"][1] == 3

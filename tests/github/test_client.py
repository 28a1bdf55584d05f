"""The typed request helpers, against the fake GitHub."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.github.errors import NotFoundError, ServerError, UnprocessableError
from app.github.models import Annotation, CheckRunOutput
from tests.fakes.github import FakeGitHub
from tests.github.helpers import github_app, run

CREATE = "POST /repos/{owner}/{repo}/check-runs"
UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"
MARKER = "<!-- manifold:preview -->"


def world(gh: FakeGitHub) -> int:
    inst = gh.add_installation("acme")
    gh.add_repo(
        "acme/api", installation=inst, files={"services.yaml": "x: 1\n", "deploy/a.yaml.tpl": "a"}
    )
    return inst.id


def make_annotations(n: int) -> list[Annotation]:
    return [
        Annotation(
            "services.yaml",
            i + 1,
            i + 1,
            "warning",
            f"finding {i}",
            title="t",
            start_column=1,
            end_column=3,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(("count", "patches"), [(0, 0), (50, 0), (51, 1), (120, 2)])
def test_check_run_annotations_go_in_batches_of_50(
    fake_github: FakeGitHub, count: int, patches: int
) -> None:
    inst = world(fake_github)
    head = fake_github.repo("acme/api").head()

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            run_ = await app.installation(inst).create_check_run(
                "acme",
                "api",
                name="manifold / preview",
                head_sha=head,
                status="completed",
                conclusion="failure",
                external_id="job-1",
                completed_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
                output=CheckRunOutput(
                    "2 errors", "summary", text="details", annotations=make_annotations(count)
                ),
            )
            assert run_.conclusion == "failure" and run_.head_sha == head
            stored = fake_github.check_runs[run_.id]
            assert len(stored["_annotations"]) == count
            assert stored["completed_at"] == "2024-01-02T03:04:05Z"
            assert [a["message"] for a in stored["_annotations"]] == [
                f"finding {i}" for i in range(count)
            ]

    run(scenario())
    assert fake_github.requests[CREATE] == 1
    assert fake_github.requests[UPDATE] == patches
    assert all(len(c.body) > 0 for c in fake_github.calls(UPDATE))


def test_check_run_update_appends_annotations_and_completes(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)
    head = fake_github.repo("acme/api").head()

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            created = await client.create_check_run(
                "acme",
                "api",
                name="m",
                head_sha=head,
                status="in_progress",
                started_at=datetime.now(UTC),
            )
            assert created.status == "in_progress"
            done = await client.update_check_run(
                "acme",
                "api",
                created.id,
                conclusion="success",
                output=CheckRunOutput("ok", "x" * 70000, annotations=make_annotations(75)),
            )
            assert done.status == "completed" and done.conclusion == "success"
            stored = fake_github.check_runs[created.id]
            assert len(stored["_annotations"]) == 75 and len(stored["output"]["summary"]) <= 65535

    run(scenario())
    assert fake_github.requests[UPDATE] == 2


def test_appending_annotations_is_never_repeated_blindly(fake_github: FakeGitHub) -> None:
    """A 5xx may come after GitHub applied the PATCH: repeating it would append the same
    annotations twice, so the client raises and leaves the resume to its caller. A PATCH
    that appends nothing is retried as usual."""
    inst = world(fake_github)
    head = fake_github.repo("acme/api").head()

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            created = await client.create_check_run("acme", "api", name="m", head_sha=head)
            fake_github.fail(502, times=1, route="checks/update")
            await client.update_check_run("acme", "api", created.id, status="in_progress")
            assert fake_github.requests[UPDATE] == 2  # retried: nothing was appended
            fake_github.fail(502, times=1, route="checks/update")
            with pytest.raises(ServerError):
                await client.update_check_run(
                    "acme",
                    "api",
                    created.id,
                    output=CheckRunOutput("1 finding", "s", annotations=make_annotations(1)),
                )
            assert fake_github.requests[UPDATE] == 3  # sent once, not retried

    run(scenario())


def test_multi_line_annotations_drop_columns() -> None:
    data = Annotation("a", 3, 5, "notice", "m", start_column=2, end_column=4).to_json()
    assert "start_column" not in data and data["end_line"] == 5
    assert Annotation("a", 0, 0, "failure", "m", start_column=0).to_json()["start_column"] == 1


def test_check_run_on_an_unknown_commit_is_unprocessable(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            with pytest.raises(UnprocessableError) as caught:
                await app.installation(inst).create_check_run(
                    "acme", "api", name="m", head_sha="0" * 40
                )
            assert "No commit found" in caught.value.message and not caught.value.retryable

    run(scenario())


def test_sticky_comment_is_created_then_updated_and_reacted_to(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            for i in range(3):  # someone else's comments first (and a page boundary is not hit)
                await client.create_issue_comment("acme", "api", 7, f"human {i}")
            first = await client.upsert_issue_comment(
                "acme", "api", 7, "preview v1", marker=MARKER, author="manifold[bot]"
            )
            second = await client.upsert_issue_comment(
                "acme", "api", 7, "preview v2", marker=MARKER, author="manifold[bot]"
            )
            same = await client.upsert_issue_comment("acme", "api", 7, "preview v2", marker=MARKER)
            assert first.id == second.id == same.id and second.body == f"{MARKER}\npreview v2"
            found = await client.find_issue_comment("acme", "api", 7, MARKER)
            assert (
                found is not None and found.author == "manifold[bot]" and found.author_type == "Bot"
            )
            await client.add_comment_reaction("acme", "api", first.id, "eyes")
            await client.add_comment_reaction("acme", "api", first.id, "rocket")
            assert [r["content"] for r in fake_github.reactions[first.id]] == ["eyes", "rocket"]
            assert (
                fake_github.comments[first.id]["_edits"] == 1
            )  # the unchanged body was not re-sent

    run(scenario())


def test_comment_listing_follows_pagination(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            for i in range(105):
                await client.create_issue_comment("acme", "api", 1, f"c{i}")
            await client.create_issue_comment("acme", "api", 1, f"{MARKER} mine")
            comments = await client.list_issue_comments("acme", "api", 1)
            assert len(comments) == 106
            found = await client.find_issue_comment("acme", "api", 1, MARKER)
            assert found is not None and found.body.endswith("mine")

    run(scenario())
    pages = [
        c.query.get("page")
        for c in fake_github.calls("GET /repos/{owner}/{repo}/issues/{issue_number}/comments")
    ]
    assert pages[:2] == [None, ["2"]]


@pytest.mark.parametrize(
    ("role", "permission", "can_write"),
    [
        ("admin", "admin", True),
        ("maintain", "write", True),
        ("write", "write", True),
        ("triage", "read", False),
        ("read", "read", False),
        (None, "none", False),
    ],
)
def test_collaborator_permission(
    fake_github: FakeGitHub, role: str | None, permission: str, can_write: bool
) -> None:
    inst = world(fake_github)
    if role:
        fake_github.repo("acme/api").set_permission("octocat", role)

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            found = await app.installation(inst).get_permission("acme", "api", "octocat")
            assert (found.permission, found.can_write) == (permission, can_write)
            assert found.role_name == (role or "none")

    run(scenario())


def test_installations_and_repositories_are_listed_across_pages(fake_github: FakeGitHub) -> None:
    inst = fake_github.add_installation("acme")
    for i in range(130):
        fake_github.add_repo(f"acme/r{i:03}", installation=inst)
    fake_github.add_repo("elsewhere/x", installation=fake_github.add_installation("elsewhere"))

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            repos = await app.installation(inst.id).list_repositories()
            assert len(repos) == 130 and {r.owner for r in repos} == {"acme"}
            assert len(await app.list_installations()) == 2
            assert (await app.get_installation(inst.id)).account.login == "acme"
            found = await app.get_repository_installation("acme", "r001")
            assert found is not None and found.id == inst.id
            assert await app.get_repository_installation("acme", "nope") is None

    run(scenario())


def test_files_refs_trees_and_blobs(fake_github: FakeGitHub) -> None:
    inst = world(fake_github)
    repo = fake_github.repo("acme/api")
    first = repo.head()
    second = repo.commit({"services.yaml": "x: 2\n", "bin.dat": bytes(range(256))})

    async def scenario() -> None:
        async with github_app(fake_github) as app:
            client = app.installation(inst)
            assert await client.get_file("acme", "api", "services.yaml") == b"x: 2\n"
            assert await client.get_file("acme", "api", "services.yaml", ref=first) == b"x: 1\n"
            assert await client.get_file("acme", "api", "bin.dat") == bytes(range(256))
            assert await client.get_file("acme", "api", "deploy") is None  # a directory
            assert await client.get_file("acme", "api", "missing.yaml") is None
            assert await client.resolve_commit("acme", "api", "main") == second
            assert await client.resolve_commit("acme", "api", first[:7]) == first
            with pytest.raises(UnprocessableError):
                await client.resolve_commit("acme", "api", "no-such-branch")
            tree = await client.get_tree("acme", "api", second, recursive=True)
            assert tree is not None and {e.path for e in tree.entries} >= {
                "deploy",
                "deploy/a.yaml.tpl",
            }
            blob = next(e for e in tree.entries if e.path == "bin.dat")
            assert await client.get_blob("acme", "api", blob.sha) == bytes(range(256))
            assert await client.get_tree("acme", "api", "f" * 40) is None
            assert await client.commit_exists("acme", "api", first)
            assert not await client.commit_exists("acme", "api", "e" * 40)
            with pytest.raises(NotFoundError):
                await client.get_repository("acme", "private-elsewhere")

    run(scenario())

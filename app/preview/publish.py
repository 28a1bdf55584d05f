"""Posting on GitHub: the check run's life cycle, the sticky comment, replies — each once.

**Check run** (`Manifold / composition`, one per repository and head commit; the id and the
digest of what was posted are kept in the store's `check_runs`):

- a commit seen for the first time, or a re-run that was asked for (re-run button,
  `/manifold preview`): a new check run, `queued` → `in_progress` → `completed`;
- a commit that already has a completed check run (the same commit reached again, e.g. by a
  pull request opened for an already pushed branch): composed again, and nothing is posted
  when the result is the same; otherwise a new check run replaces it (GitHub appends
  annotations to a run, so a run is never re-filled);
- a job retried after a failure resumes the run it opened. Before the completing update the
  record says `posting`; a retry then asks GitHub how far that update got and sends only
  what is missing, so annotations are never doubled;
- composing fails for good (not a temporary GitHub failure): the run is completed `neutral`
  with the error, rather than left spinning.

**Sticky comment**: found by the store's record, else by its hidden marker among the bot's
comments; edited in place only when its body changed; a comment someone deleted is posted
again. **Replies** to commands carry a marker naming the command's comment, so a retried job
does not answer twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.github import CheckRunOutput, InstallationClient, NotFoundError, TemporaryError
from app.github.client import repo_url, seg
from app.intents import RepoRef
from app.preview.checkrun import CHECK_NAME, CheckRunReport
from app.store import (
    CheckRunRecord,
    body_hash,
    forget_comment,
    get_check_run,
    get_comment,
    save_check_run,
    save_comment,
)

POSTING = "posting"  # the completing update may have reached GitHub (see the docstring)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a preview's results go: a repository's commit, and its pull request if any."""

    installation_id: int
    repository: RepoRef
    head_sha: str
    pull_number: int | None = None


@dataclass(frozen=True, slots=True)
class PostedCheckRun:
    check_run_id: int
    html_url: str
    conclusion: str
    outcome: str  # created | resumed | unchanged | replaced


class CheckRunPublisher:
    def __init__(
        self, engine: AsyncEngine, client: InstallationClient, target: Target, *, forced: bool
    ) -> None:
        self.engine = engine
        self.client = client
        self.target = target
        self.forced = forced
        self.owner = target.repository.owner
        self.name = target.repository.name

    async def run(self, build: Callable[[], Awaitable[CheckRunReport]]) -> PostedCheckRun:
        """Open (or resume) the check run, `build` the report, post it."""
        record = await self._record()
        if self.forced or record is None:
            state, run_id = "created", await self._open()
        elif record.status in ("queued", "in_progress"):
            state, run_id = "resumed", record.check_run_id
            if record.status == "queued":
                await self._progress(run_id)
        elif record.status == POSTING:
            state, run_id = POSTING, record.check_run_id
        else:
            state, run_id = "settled", record.check_run_id
        try:
            report = await build()
        except TemporaryError:
            raise  # the job is retried and resumes this run
        except Exception as exc:
            if state in ("created", "resumed"):
                await self._give_up(run_id, exc)
            raise
        digest = report.digest
        if state == "settled":
            assert record is not None
            if record.body_hash == digest:
                url = str((await self._get(run_id)).get("html_url") or "")
                return PostedCheckRun(run_id, url, record.conclusion or "", "unchanged")
            return await self._complete(await self._open(), report, "replaced")
        if state == POSTING:
            assert record is not None
            if record.body_hash != digest:  # something moved since: post it afresh
                return await self._complete(await self._open(), report, "replaced")
            run = await self._get(run_id)
            if run.get("status") == "completed":
                return await self._finish_posting(run_id, run, report)
            state = "resumed"
        return await self._complete(run_id, report, state)

    # -- steps -----------------------------------------------------------------------------

    async def _record(self) -> CheckRunRecord | None:
        async with self.engine.connect() as conn:
            return await get_check_run(
                conn,
                repository_external_id=self.target.repository.id,
                head_sha=self.target.head_sha,
                name=CHECK_NAME,
            )

    async def _save(
        self, run_id: int, status: str, *, conclusion: str | None = None, digest: str | None = None
    ) -> None:
        async with self.engine.begin() as conn:
            await save_check_run(
                conn,
                repository_external_id=self.target.repository.id,
                head_sha=self.target.head_sha,
                name=CHECK_NAME,
                check_run_id=run_id,
                status=status,
                conclusion=conclusion,
                body_hash=digest,
                pull_number=self.target.pull_number,
            )

    async def _open(self) -> int:
        external = f"pr:{self.target.pull_number}" if self.target.pull_number else "push"
        run = await self.client.create_check_run(
            self.owner,
            self.name,
            name=CHECK_NAME,
            head_sha=self.target.head_sha,
            status="queued",
            external_id=external,
        )
        await self._save(run.id, "queued")
        await self._progress(run.id)
        return run.id

    async def _progress(self, run_id: int) -> None:
        await self.client.update_check_run(self.owner, self.name, run_id, status="in_progress")
        await self._save(run_id, "in_progress")

    async def _complete(self, run_id: int, report: CheckRunReport, outcome: str) -> PostedCheckRun:
        await self._save(run_id, POSTING, digest=report.digest)
        run = await self.client.update_check_run(
            self.owner,
            self.name,
            run_id,
            status="completed",
            conclusion=report.conclusion,
            output=report.output(),
        )
        await self._save(run_id, "completed", conclusion=report.conclusion, digest=report.digest)
        return PostedCheckRun(run_id, run.html_url, report.conclusion, outcome)

    async def _finish_posting(
        self, run_id: int, run: dict[str, Any], report: CheckRunReport
    ) -> PostedCheckRun:
        """The completing update reached GitHub; send the annotations it did not get."""
        output = run.get("output") or {}
        sent = int(output.get("annotations_count") or 0)
        missing = report.annotations[sent:]
        if missing:
            await self.client.update_check_run(
                self.owner,
                self.name,
                run_id,
                output=CheckRunOutput(report.title, report.summary, annotations=missing),
            )
        await self._save(run_id, "completed", conclusion=report.conclusion, digest=report.digest)
        return PostedCheckRun(run_id, str(run.get("html_url") or ""), report.conclusion, "resumed")

    async def _give_up(self, run_id: int, error: Exception) -> None:
        summary = (
            f"Composing failed with `{type(error).__name__}`: {str(error)[:2000]}\n\n"
            "Manifold retries the job; comment `/manifold preview` on the pull request to run"
            " it again."
        )
        await self.client.update_check_run(
            self.owner,
            self.name,
            run_id,
            status="completed",
            conclusion="neutral",
            output=CheckRunOutput("Manifold could not compose this commit", summary),
        )
        await self._save(run_id, "completed", conclusion="neutral")

    async def _get(self, run_id: int) -> dict[str, Any]:
        data = await self.client.get_json(
            repo_url(self.owner, self.name, "check-runs", seg(run_id))
        )
        return data if isinstance(data, dict) else {}


# -- the sticky comment and replies ---------------------------------------------------------


async def upsert_sticky_comment(
    engine: AsyncEngine, client: InstallationClient, target: Target, body: str, *, marker: str
) -> str:
    """Create or edit the pull request's sticky comment; `created|updated|unchanged`."""
    assert target.pull_number is not None
    repo, number = target.repository, target.pull_number
    digest = body_hash(body)
    async with engine.connect() as conn:
        record = await get_comment(conn, repository_external_id=repo.id, pull_number=number)
    if record is not None and record.body_hash == digest:
        return "unchanged"

    async def remember(comment_id: int) -> None:
        async with engine.begin() as conn:
            await save_comment(
                conn,
                repository_external_id=repo.id,
                pull_number=number,
                comment_id=comment_id,
                body_hash=digest,
                head_sha=target.head_sha,
            )

    if record is not None:
        try:
            await client.update_issue_comment(repo.owner, repo.name, record.comment_id, body)
        except NotFoundError:  # deleted on GitHub: post it again
            async with engine.begin() as conn:
                await forget_comment(conn, repository_external_id=repo.id, pull_number=number)
        else:
            await remember(record.comment_id)
            return "updated"
    existing = await find_bot_comment(client, repo, number, marker)
    if existing is None:
        created = await client.create_issue_comment(repo.owner, repo.name, number, body)
        await remember(created.id)
        return "created"
    if existing.body != body:
        await client.update_issue_comment(repo.owner, repo.name, existing.id, body)
        await remember(existing.id)
        return "updated"
    await remember(existing.id)
    return "unchanged"


async def find_bot_comment(
    client: InstallationClient, repo: RepoRef, number: int, marker: str
) -> Any:
    """The first comment by a bot that carries `marker` (None when there is none)."""
    for comment in await client.list_issue_comments(repo.owner, repo.name, number):
        if marker in comment.body and comment.author_type == "Bot":
            return comment
    return None


async def post_reply(
    client: InstallationClient, repo: RepoRef, number: int, body: str, *, marker: str, retry: bool
) -> None:
    """Answer on the pull request; a retried job first looks for its earlier answer."""
    if retry and await find_bot_comment(client, repo, number, marker) is not None:
        return
    await client.create_issue_comment(repo.owner, repo.name, number, body)

"""What every preview job shares: the runtime (GitHub, store, metrics, caches, locks), the
job's context (correlation id, audit) and the few GitHub look-ups that decide whether a
change is still worth previewing."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.github import GitHubApp, InstallationClient, ObjectCache
from app.github.client import repo_url, seg, with_query
from app.intents import RepoRef
from app.metrics import Metrics
from app.preview.audit import ACTOR
from app.preview.pipeline import Composer
from app.store import get_installation, record_event

ZERO_SHA = "0" * 40


class Skipped(Exception):
    """Nothing to preview; the reason is audited (`preview.skipped`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PreviewEvent:
    """Flow events of previews (besides DESIGN.md §4's `run.*` events)."""

    REQUESTED = "preview.requested"
    SKIPPED = "preview.skipped"
    COMPLETED = "preview.completed"
    COMMAND = "preview.command"


class PreviewRuntime:
    """One per worker: the GitHub client, the store, metrics, the git-object cache shared by
    every preview, and a lock per (repository, commit) so one worker never previews the
    same commit twice at once."""

    def __init__(self, engine: AsyncEngine, github: GitHubApp | None, metrics: Metrics) -> None:
        self.engine = engine
        self.github = github
        self.metrics = metrics
        self.cache = ObjectCache()
        self._locks: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @property
    def composer(self) -> Composer:
        assert self.github is not None
        return Composer(self.engine, self.github, self.metrics, self.cache)

    def client(self, installation_id: int) -> InstallationClient:
        assert self.github is not None
        return self.github.installation(installation_id)

    @asynccontextmanager
    async def commit_lock(self, repository_id: int, sha: str) -> AsyncIterator[None]:
        key = (repository_id, sha)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            yield


@dataclass(frozen=True, slots=True)
class JobContext:
    runtime: PreviewRuntime
    kind: str
    correlation_id: str
    #: a later attempt of the job: earlier attempts may have posted part of the answer
    retry: bool = False

    async def audit(self, event: str, payload: Mapping[str, Any]) -> None:
        async with self.runtime.engine.begin() as conn:
            await record_event(
                conn, event, correlation_id=self.correlation_id, actor=ACTOR, payload=payload
            )

    async def require_active(self, installation_id: int) -> None:
        """Previews of a suspended installation are skipped (GitHub refuses its tokens)."""
        async with self.runtime.engine.connect() as conn:
            installation = await get_installation(conn, installation_id)
        if installation is not None and installation.suspended:
            raise Skipped(f"installation {installation_id} is suspended")


@dataclass(frozen=True, slots=True)
class PullInfo:
    number: int
    state: str
    head_sha: str
    base_sha: str
    head_ref: str


async def get_pull(client: InstallationClient, repo: RepoRef, number: int) -> PullInfo | None:
    """The pull request as GitHub has it now (None: it does not exist, or no longer)."""
    data = await client.get_json_or_none(repo_url(repo.owner, repo.name, "pulls", seg(number)))
    if not isinstance(data, dict):
        return None
    head = data.get("head") or {}
    base = data.get("base") or {}
    return PullInfo(
        number=number,
        state=str(data.get("state") or ""),
        head_sha=str(head.get("sha") or ""),
        base_sha=str(base.get("sha") or ""),
        head_ref=str(head.get("ref") or ""),
    )


async def open_pulls_from(client: InstallationClient, repo: RepoRef, branch: str) -> list[int]:
    """Numbers of the open pull requests whose head is `branch` of this repository."""
    url = with_query(
        repo_url(repo.owner, repo.name, "pulls"), state="open", head=f"{repo.owner}:{branch}"
    )
    items = await client.get_all(url)
    return sorted(int(p["number"]) for p in items if isinstance(p, dict) and "number" in p)


def real_sha(value: str | None) -> str | None:
    """A commit SHA, or None for GitHub's "no commit" (all zeros) and empty values."""
    if not value or set(value) == {"0"}:
        return None
    return value

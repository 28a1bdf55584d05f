"""What a router handler gets besides its event: the App's services and the delivery's state.

Handlers are `async def handler(event: gidgethub.sansio.Event, ctx: HandlerContext) -> None`.
`ctx.ignore(reason)` records that a handler looked and found nothing to do; a delivery whose
handlers all ignored it ends with outcome `ignored`, otherwise `processed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.bindings import GitHubAppReader, RepositoryReader
from app.github import GitHubApp
from app.metrics import Metrics
from app.store import DeliveryOutcome, Enqueued, JobQueue


@dataclass(frozen=True, slots=True)
class Services:
    """The long-lived things handlers use; built once by the server or the worker command."""

    engine: AsyncEngine
    queue: JobQueue
    metrics: Metrics
    #: reads repositories on GitHub (None: GitHub is not configured; such jobs fail for good)
    reader: RepositoryReader | None = None
    #: the App's GitHub client (previews); defaults to the reader's client
    github: GitHubApp | None = None

    def __post_init__(self) -> None:
        if self.github is None and isinstance(self.reader, GitHubAppReader):
            object.__setattr__(self, "github", self.reader.github)


@dataclass(slots=True)
class HandlerContext:
    services: Services
    delivery_id: str
    acted: bool = False
    ignored: list[str] = field(default_factory=list)

    def transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A write transaction: the delivery counts as processed."""
        self.acted = True
        return self.services.engine.begin()

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A read-only look (e.g. is this repository bound?)."""
        return self.services.engine.connect()

    def ignore(self, reason: str) -> None:
        self.ignored.append(reason)

    async def enqueue(
        self,
        conn: AsyncConnection,
        kind: str,
        payload: Mapping[str, Any],
        *,
        key: str,
        coalesce_key: str | None = None,
    ) -> Enqueued:
        """A follow-up job of this delivery; `key` makes a retried delivery enqueue it once."""
        self.acted = True
        return await self.services.queue.enqueue(
            conn,
            kind=kind,
            payload=payload,
            idempotency_key=f"{self.delivery_id}:{kind}:{key}",
            coalesce_key=coalesce_key,
            correlation_id=self.delivery_id,
        )

    @property
    def outcome(self) -> DeliveryOutcome:
        if self.acted or not self.ignored:
            return DeliveryOutcome.PROCESSED
        return DeliveryOutcome.IGNORED

    @property
    def detail(self) -> str | None:
        return "; ".join(self.ignored) if self.ignored and not self.acted else None

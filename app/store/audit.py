"""The audit trail: append-only `flow_events`.

`record_event` takes the caller's connection, so an event is written in the same transaction as
the state change it records: both commit or neither does. There is deliberately no function to
change or delete an event, and the database rejects UPDATE and DELETE on the table (triggers
installed by the initial migration).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import clean_text, utcnow
from app.store.schema import flow_events


class FlowEventType(StrEnum):
    """Event names. The `run.*` names are fixed by the design (DESIGN.md §4)."""

    RESOLVE_STARTED = "run.composition.resolve_started"
    RESOLVE_SUCCEEDED = "run.composition.resolve_succeeded"
    RESOLVE_FAILED = "run.composition.resolve_failed"
    DOCS_GRAPH_RESOLVED = "run.docs_graph.resolved"
    CHECKOUT_PLAN_BUILT = "run.repo.checkout.plan_built"
    # Manifold's own additions.
    JOB_DEAD_LETTERED = "job.dead_lettered"
    JOB_REQUEUED = "job.requeued"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused an event: `type` is e.g. `system`, `user`, `github_app`, `worker`."""

    type: str
    id: str = ""


SYSTEM = Actor("system", "manifold")


@dataclass(frozen=True, slots=True)
class FlowEvent:
    id: int
    correlation_id: str
    actor_type: str
    actor_id: str
    event_type: str
    payload: Mapping[str, Any]
    created_at: datetime


async def record_event(
    conn: AsyncConnection,
    event_type: FlowEventType | str,
    *,
    correlation_id: str,
    actor: Actor = SYSTEM,
    payload: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> FlowEvent:
    """Append one event, inside the caller's transaction."""
    values = {
        "correlation_id": clean_text(correlation_id, "correlation id", max_length=128),
        "actor_type": clean_text(actor.type, "actor type", max_length=32),
        "actor_id": actor.id.strip()[:255],
        "event_type": clean_text(str(event_type), "event type", max_length=128),
        "payload": dict(payload or {}),
        "created_at": at or utcnow(),
    }
    result = await conn.execute(flow_events.insert().values(**values).returning(*flow_events.c))
    return _event(result.one()._mapping)


async def list_events(
    conn: AsyncConnection,
    *,
    correlation_id: str | None = None,
    event_type: FlowEventType | str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[FlowEvent]:
    """Events in the order they were written (by id), optionally filtered; page with `after_id`."""
    stmt = sa.select(flow_events).where(flow_events.c.id > after_id)
    if correlation_id is not None:
        stmt = stmt.where(flow_events.c.correlation_id == correlation_id)
    if event_type is not None:
        stmt = stmt.where(flow_events.c.event_type == str(event_type))
    result = await conn.execute(stmt.order_by(flow_events.c.id).limit(limit))
    return [_event(row._mapping) for row in result]


def _event(row: RowMapping) -> FlowEvent:
    return FlowEvent(
        id=row["id"],
        correlation_id=row["correlation_id"],
        actor_type=row["actor_type"],
        actor_id=row["actor_id"],
        event_type=row["event_type"],
        payload=row["payload"],
        created_at=row["created_at"],
    )

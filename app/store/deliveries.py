"""Accepted webhook deliveries (`webhook_deliveries`): nothing GitHub sent us is lost.

The intake stores the delivery and enqueues its job in one transaction, so a crash either
keeps both or neither (GitHub then redelivers)::

    async with engine.begin() as conn:
        recorded = await record_delivery(conn, delivery_id=..., event=..., action=..., payload=...)
        if recorded.created:  # a redelivery of a stored delivery is not processed twice
            await queue.enqueue(conn, kind=..., idempotency_key=f"delivery:{delivery_id}", ...)
            await set_delivery_outcome(conn, delivery_id, DeliveryOutcome.QUEUED)
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

from app.store._sql import clean_text, insert, utcnow
from app.store.errors import NotFound
from app.store.schema import webhook_deliveries

_t = webhook_deliveries


class DeliveryOutcome(StrEnum):
    RECEIVED = "received"  # stored, not yet routed
    QUEUED = "queued"  # a job was enqueued for it
    IGNORED = "ignored"  # nothing to do (event not handled, repository not bound, ...)
    PROCESSED = "processed"  # handled completely
    FAILED = "failed"  # handling failed for good; `outcome_detail` says why


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    delivery_id: str
    event: str
    action: str | None
    installation_id: int | None
    payload: Mapping[str, Any]
    received_at: datetime
    outcome: str
    outcome_detail: str | None
    processed_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecordedDelivery:
    delivery: Delivery
    created: bool  # False: this delivery id was stored before (a redelivery)


async def record_delivery(
    conn: AsyncConnection,
    *,
    delivery_id: str,
    event: str,
    payload: Mapping[str, Any],
    action: str | None = None,
    installation_id: int | None = None,
    received_at: datetime | None = None,
) -> RecordedDelivery:
    """Store a delivery once; a second call with the same delivery id returns the first."""
    delivery_id = clean_text(delivery_id, "delivery id", max_length=128)
    stmt = (
        insert(conn, _t)
        .values(
            delivery_id=delivery_id,
            event=clean_text(event, "event", max_length=64),
            action=action,
            installation_id=installation_id,
            payload=dict(payload),
            received_at=received_at or utcnow(),
            outcome=DeliveryOutcome.RECEIVED.value,
        )
        .on_conflict_do_nothing(index_elements=[_t.c.delivery_id])
        .returning(*_t.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is not None:
        return RecordedDelivery(_delivery(row._mapping), created=True)
    existing = await get_delivery(conn, delivery_id)
    assert existing is not None
    return RecordedDelivery(existing, created=False)


async def get_delivery(conn: AsyncConnection, delivery_id: str) -> Delivery | None:
    row = (await conn.execute(sa.select(_t).where(_t.c.delivery_id == delivery_id))).one_or_none()
    return _delivery(row._mapping) if row else None


async def set_delivery_outcome(
    conn: AsyncConnection,
    delivery_id: str,
    outcome: DeliveryOutcome | str,
    *,
    detail: str | None = None,
) -> Delivery:
    now = utcnow()
    final = str(outcome) != DeliveryOutcome.RECEIVED.value
    stmt = (
        _t.update()
        .where(_t.c.delivery_id == delivery_id)
        .values(
            outcome=clean_text(str(outcome), "outcome", max_length=32),
            outcome_detail=detail,
            processed_at=now if final else None,
        )
        .returning(*_t.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"webhook delivery {delivery_id!r} was never recorded")
    return _delivery(row._mapping)


async def prune_deliveries(conn: AsyncConnection, *, received_before: datetime) -> int:
    """Delete deliveries received before the cut-off; returns how many."""
    result = await conn.execute(
        _t.delete().where(_t.c.received_at < received_before).returning(_t.c.id)
    )
    return len(result.all())


def _delivery(row: RowMapping) -> Delivery:
    return Delivery(
        id=row["id"],
        delivery_id=row["delivery_id"],
        event=row["event"],
        action=row["action"],
        installation_id=row["installation_id"],
        payload=row["payload"],
        received_at=row["received_at"],
        outcome=row["outcome"],
        outcome_detail=row["outcome_detail"],
        processed_at=row["processed_at"],
    )

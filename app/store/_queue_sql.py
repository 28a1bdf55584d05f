"""The job queue's SQL (internal to `app.store.queue`): statements built once, row mapping.

Claims, heartbeats and completions are the queue's hot path; their statements are built once
with bind parameters, so that each call only binds values (SQLAlchemy then reuses the compiled
form from its cache).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from app.store._sql import UTCDateTime
from app.store.jobs import Job, JobStatus, Lease
from app.store.schema import jobs

PENDING = JobStatus.PENDING.value
RUNNING = JobStatus.RUNNING.value


CANDIDATE_COLUMNS = (
    jobs.c.id,
    jobs.c.status,
    jobs.c.queue,
    jobs.c.kind,
    jobs.c.attempts,
    jobs.c.max_attempts,
    jobs.c.coalesce_key,
    jobs.c.correlation_id,
    jobs.c.last_error,
)


@dataclass(frozen=True, slots=True)
class ClaimStatements:
    next_expired: sa.Select[Any]
    lease_next_pending: sa.Update
    lease_by_id: sa.Update


@functools.lru_cache(maxsize=64)
def claim_statements(queues: tuple[str, ...]) -> ClaimStatements:
    """The claim's statements for a set of queues, built once (claims are the hot path).

    Expired leases and pending jobs are looked up by two statements rather than one with an
    OR, so that each walks its own index in order (`status, lease_expires_at` and
    `queue, status, run_after`) and stops at the first row it can lock, however many
    finished jobs the table holds.
    """
    now = sa.bindparam("claim_now", type_=UTCDateTime())
    next_expired = (
        sa.select(*CANDIDATE_COLUMNS)
        .where(
            jobs.c.status == RUNNING,
            jobs.c.lease_expires_at <= now,
            jobs.c.queue.in_(queues),
        )
        .order_by(jobs.c.lease_expires_at, jobs.c.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=jobs)
    )
    # Aliased, so that it is not correlated with the UPDATE it is embedded in.
    candidate = jobs.alias("candidate")
    live = jobs.alias("live")
    # Another job with the same coalesce key is running under a live lease: wait for it.
    busy_key = (
        sa.select(live.c.id)
        .where(
            live.c.coalesce_key == candidate.c.coalesce_key,
            live.c.status == RUNNING,
            live.c.lease_expires_at > now,
        )
        .exists()
    )
    next_pending_id = (
        sa.select(candidate.c.id)
        .where(
            candidate.c.queue.in_(queues),
            candidate.c.status == PENDING,
            candidate.c.run_after <= now,
            sa.or_(candidate.c.coalesce_key.is_(None), ~busy_key),
        )
        .order_by(candidate.c.run_after, candidate.c.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=candidate)
        .scalar_subquery()
    )
    lease = {
        "status": RUNNING,
        "attempts": jobs.c.attempts + 1,
        "lease_token": sa.bindparam("claim_token"),
        "lease_expires_at": sa.bindparam("claim_expires", type_=UTCDateTime()),
        "locked_by": sa.bindparam("claim_worker"),
        "updated_at": now,
    }
    # The claimable check is repeated in each UPDATE, so that no dialect can lease a job that
    # is not claimable, whatever its locking.
    return ClaimStatements(
        next_expired=next_expired,
        lease_next_pending=jobs.update()
        .where(jobs.c.id == next_pending_id, claimable(now))
        .values(**lease)
        .returning(*jobs.c),
        lease_by_id=jobs.update()
        .where(jobs.c.id == sa.bindparam("claim_job_id"), claimable(now))
        .values(**lease)
        .returning(*jobs.c),
    )


def claimable(now: datetime | sa.BindParameter[datetime]) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(jobs.c.status == PENDING, jobs.c.run_after <= now),
        sa.and_(jobs.c.status == RUNNING, jobs.c.lease_expires_at <= now),
    )


def held(lease: Lease) -> tuple[sa.ColumnElement[bool], ...]:
    # The token is the fence: it changes on every claim, so matching it means no other worker
    # has claimed the job since (even if the lease ran out, nobody took it over).
    return (
        jobs.c.id == lease.job_id,
        jobs.c.status == RUNNING,
        jobs.c.lease_token == lease.token,
    )


HELD = (
    jobs.c.id == sa.bindparam("held_id"),
    jobs.c.status == RUNNING,
    jobs.c.lease_token == sa.bindparam("held_token"),
)


def held_params(lease: Lease) -> dict[str, Any]:
    return {"held_id": lease.job_id, "held_token": lease.token}


HEARTBEAT = (
    jobs.update()
    .where(*HELD)
    .values(
        lease_expires_at=sa.bindparam("hb_expires", type_=UTCDateTime()),
        updated_at=sa.bindparam("hb_now", type_=UTCDateTime()),
    )
    .returning(jobs.c.id)
)
COMPLETE = (
    jobs.update()
    .where(*HELD)
    .values(
        status=JobStatus.SUCCEEDED.value,
        lease_token=None,
        lease_expires_at=None,
        finished_at=sa.bindparam("done_now", type_=UTCDateTime()),
        updated_at=sa.bindparam("done_now", type_=UTCDateTime()),
    )
    .returning(*jobs.c)
)


def job_from_row(row: RowMapping) -> Job:
    return Job(
        id=row["id"],
        queue=row["queue"],
        kind=row["kind"],
        payload=row["payload"],
        status=JobStatus(row["status"]),
        idempotency_key=row["idempotency_key"],
        coalesce_key=row["coalesce_key"],
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        run_after=row["run_after"],
        lease_expires_at=row["lease_expires_at"],
        locked_by=row["locked_by"],
        last_error=row["last_error"],
        correlation_id=row["correlation_id"],
        superseded_by=row["superseded_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )

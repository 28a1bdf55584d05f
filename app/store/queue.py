"""The durable job queue (`jobs`), shared by the App's workers and deploy's dispatcher.

Every operation takes the caller's `AsyncConnection` and runs inside the caller's transaction,
so enqueueing can share a transaction with the write that causes it (e.g. the webhook delivery
row), and completing with the writes that record the job's result.

Guarantees, on PostgreSQL and SQLite alike:
- **Idempotent enqueue**: one job per `idempotency_key`, however often (or concurrently) it is
  enqueued.
- **Leases with fencing**: `claim` hands out a lease with a fresh random token; `heartbeat`,
  `complete` and `fail` only succeed with the current token (`LeaseLost` otherwise). A job whose
  lease expired (its worker died or stalled) is claimable again, with a new token, so at most
  one worker holds a valid lease on a job at any time.
- **Retries**: `fail` puts the job back after a backoff (`RetryPolicy`) until its attempts are
  used up, then dead-letters it keeping the last error; a job whose lease expired on its last
  attempt is dead-lettered by the next claim.
- **Coalescing**: a job with a `coalesce_key` supersedes the pending job with the same key
  (at most one is pending per key), and is not claimed while another job with its key holds a
  live lease: work for one pull request runs one job at a time, newest last.

Claims lock with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the engine begins
every transaction with `BEGIN IMMEDIATE` (see `app.store.engine`), which serializes claims, and
every state change re-checks its precondition in its own `WHERE` clause on both.

Times come from the injected `clock` (UTC); the hosts running workers must keep their clocks in
sync (NTP) to well within the lease duration.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._queue_sql import (
    COMPLETE,
    HEARTBEAT,
    PENDING,
    RUNNING,
    ClaimStatements,
    claim_statements,
    held,
    held_params,
    job_from_row,
)
from app.store._sql import clean_text, insert, utcnow
from app.store.audit import SYSTEM, Actor, FlowEventType, record_event
from app.store.errors import AlreadyExists, InvalidValue, LeaseLost, NotFound, StoreError
from app.store.jobs import ClaimedJob, Enqueued, Job, JobStatus, Lease, RetryPolicy
from app.store.schema import jobs

DEFAULT_QUEUE = "default"
MAX_ERROR_LENGTH = 16_384
EXPIRED_PROBE_INTERVAL = timedelta(seconds=1)
_MAX_CLAIM_SCAN = 32  # expired jobs retired per claim call before giving up for now


def default_worker_id() -> str:
    """`host:pid`, a readable worker identity for `locked_by`."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobQueue:
    """Queue operations with one retry policy, lease duration, clock and random source."""

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        lease_duration: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        if lease_duration <= timedelta(0):
            raise ValueError("lease_duration must be positive")
        self.retry = retry or RetryPolicy()
        self.lease_duration = lease_duration
        self._clock = clock
        self._rng = rng or random.Random()
        self._next_expired_probe: datetime | None = None

    # -- producing ---------------------------------------------------------------------------

    async def enqueue(
        self,
        conn: AsyncConnection,
        *,
        kind: str,
        payload: Mapping[str, Any] | None = None,
        queue: str = DEFAULT_QUEUE,
        idempotency_key: str | None = None,
        coalesce_key: str | None = None,
        run_after: datetime | None = None,
        max_attempts: int | None = None,
        correlation_id: str | None = None,
    ) -> Enqueued:
        """Add a job, unless one with `idempotency_key` exists (then that one is returned).

        With a `coalesce_key` (e.g. `pr:<repo id>:<number>`), the pending job with that key, if
        any, becomes `superseded` by the new one.
        """
        now = self._clock()
        attempts = self.retry.max_attempts if max_attempts is None else max_attempts
        if attempts < 1:
            raise InvalidValue("max_attempts must be at least 1")
        values: dict[str, Any] = {
            "queue": clean_text(queue, "queue name", max_length=64),
            "kind": clean_text(kind, "job kind", max_length=128),
            "payload": dict(payload or {}),
            "status": PENDING,
            "idempotency_key": _optional_key(idempotency_key, "idempotency key"),
            "coalesce_key": _optional_key(coalesce_key, "coalesce key"),
            "attempts": 0,
            "max_attempts": attempts,
            "run_after": run_after or now,
            "correlation_id": correlation_id,
            "created_at": now,
            "updated_at": now,
        }
        key = values["idempotency_key"]
        if values["coalesce_key"] is None:
            # INSERT ... ON CONFLICT DO NOTHING: one statement when the key is new.
            row = await self._insert(conn, values)
            if row is not None:
                return Enqueued(row, created=True)
            existing = await self._by_idempotency_key(conn, key) if key else None
            if existing is None:  # pragma: no cover - only unique keys can conflict
                raise StoreError("enqueue conflicted on an unknown unique key")
            return Enqueued(existing, created=False)
        if key is not None and (existing := await self._by_idempotency_key(conn, key)):
            return Enqueued(existing, created=False)
        for _ in range(8):
            # A savepoint, because if this turns out to be a duplicate (a concurrent enqueue
            # with the same idempotency key won), the superseding must be undone.
            savepoint = await conn.begin_nested()
            superseded = await self._supersede_pending(conn, values["coalesce_key"], now)
            job = await self._insert(conn, values)
            if job is not None:
                await savepoint.commit()
                if superseded:
                    await conn.execute(
                        jobs.update().where(jobs.c.id.in_(superseded)).values(superseded_by=job.id)
                    )
                return Enqueued(job, created=True, superseded=tuple(superseded))
            await savepoint.rollback()
            if key is not None and (existing := await self._by_idempotency_key(conn, key)):
                return Enqueued(existing, created=False)
            # Otherwise a concurrent enqueue inserted a pending job with our coalesce key
            # after we looked: supersede that one too, and insert again.
        raise StoreError(f"could not enqueue {kind!r}: coalesce key {coalesce_key!r} is contended")

    # -- consuming ---------------------------------------------------------------------------

    async def claim(
        self,
        conn: AsyncConnection,
        *,
        worker_id: str,
        queues: Sequence[str] = (DEFAULT_QUEUE,),
        lease_duration: timedelta | None = None,
    ) -> ClaimedJob | None:
        """Lease the next runnable job of `queues`, or None when there is none.

        Commit the transaction before running the job: the lease only protects the job once
        other workers can see it.
        """
        now = self._clock()
        duration = lease_duration or self.lease_duration
        if duration <= timedelta(0):
            raise ValueError("lease_duration must be positive")
        worker = clean_text(worker_id, "worker id")
        statements = claim_statements(tuple(queues))
        lease_params = {
            "claim_now": now,
            "claim_expires": now + duration,
            "claim_worker": worker,
        }
        # Expired leases are looked for at most every EXPIRED_PROBE_INTERVAL while there is
        # pending work (one statement fewer per claim), and always when there is none.
        probe_expired = self._next_expired_probe is None or now >= self._next_expired_probe
        if probe_expired:
            self._next_expired_probe = now + EXPIRED_PROBE_INTERVAL
            claimed = await self._claim_expired(conn, statements, lease_params)
            if claimed is not None:
                return claimed
        # The next pending job, locked and leased in one statement.
        claimed = await self._lease(conn, statements.lease_next_pending, lease_params)
        if claimed is None and not probe_expired:
            claimed = await self._claim_expired(conn, statements, lease_params)
        return claimed

    async def _claim_expired(
        self, conn: AsyncConnection, statements: ClaimStatements, params: dict[str, Any]
    ) -> ClaimedJob | None:
        now: datetime = params["claim_now"]
        for _ in range(_MAX_CLAIM_SCAN):
            found = await conn.execute(statements.next_expired, {"claim_now": now})
            candidate = found.one_or_none()
            if candidate is None:
                return None
            if await self._retire_expired(conn, candidate, now):
                continue
            return await self._lease(
                conn, statements.lease_by_id, {**params, "claim_job_id": candidate.id}
            )
        return None

    async def _lease(
        self, conn: AsyncConnection, statement: sa.Update, params: dict[str, Any]
    ) -> ClaimedJob | None:
        token = secrets.token_hex(16)
        row = (await conn.execute(statement, {**params, "claim_token": token})).one_or_none()
        if row is None:
            return None
        job = job_from_row(row._mapping)
        lease = Lease(
            job_id=job.id,
            token=token,
            attempt=job.attempts,
            max_attempts=job.max_attempts,
            worker_id=params["claim_worker"],
            claimed_at=params["claim_now"],
            expires_at=params["claim_expires"],
        )
        return ClaimedJob(job=job, lease=lease)

    async def heartbeat(
        self, conn: AsyncConnection, lease: Lease, *, extend_by: timedelta | None = None
    ) -> Lease:
        """Extend the lease from now; raises `LeaseLost` if it is no longer held."""
        now = self._clock()
        expires = now + (extend_by or self.lease_duration)
        params = {**held_params(lease), "hb_now": now, "hb_expires": expires}
        if (await conn.execute(HEARTBEAT, params)).one_or_none() is None:
            raise LeaseLost(lease.job_id, lease.token)
        return Lease(
            job_id=lease.job_id,
            token=lease.token,
            attempt=lease.attempt,
            max_attempts=lease.max_attempts,
            worker_id=lease.worker_id,
            claimed_at=lease.claimed_at,
            expires_at=expires,
        )

    async def complete(self, conn: AsyncConnection, lease: Lease) -> Job:
        """Mark the job succeeded; raises `LeaseLost` if the lease is no longer held."""
        params = {**held_params(lease), "done_now": self._clock()}
        row = (await conn.execute(COMPLETE, params)).one_or_none()
        if row is None:
            raise LeaseLost(lease.job_id, lease.token)
        return job_from_row(row._mapping)

    async def fail(
        self,
        conn: AsyncConnection,
        lease: Lease,
        error: str,
        *,
        permanent: bool = False,
        retry_in: timedelta | None = None,
    ) -> Job:
        """Report a failed attempt: retry after a backoff, or dead-letter.

        The job is dead-lettered when `permanent` is set or this was its last attempt; the
        error is kept in `last_error` either way. `retry_in` overrides the backoff (e.g. a
        rate limit's reset time). Raises `LeaseLost` if the lease is no longer held.
        """
        now = self._clock()
        message = (error or "failed").strip()[:MAX_ERROR_LENGTH]
        row = (await conn.execute(sa.select(jobs.c.coalesce_key).where(*held(lease)))).one_or_none()
        if row is None:
            raise LeaseLost(lease.job_id, lease.token)
        if permanent or lease.attempt >= lease.max_attempts:
            return await self._dead_letter(conn, lease, message, now)
        delay = retry_in if retry_in is not None else self.retry.delay(lease.attempt, self._rng)
        return await self._back_to_pending(
            conn, lease, row.coalesce_key, now, run_after=now + delay, last_error=message
        )

    async def release(self, conn: AsyncConnection, lease: Lease) -> Job:
        """Give a claimed job back unrun (e.g. on shutdown): pending again at once, and the
        attempt it was claimed with does not count. Raises `LeaseLost` if not held."""
        now = self._clock()
        row = (await conn.execute(sa.select(jobs.c.coalesce_key).where(*held(lease)))).one_or_none()
        if row is None:
            raise LeaseLost(lease.job_id, lease.token)
        return await self._back_to_pending(
            conn, lease, row.coalesce_key, now, run_after=now, attempts=jobs.c.attempts - 1
        )

    async def _back_to_pending(
        self,
        conn: AsyncConnection,
        lease: Lease,
        coalesce_key: str | None,
        now: datetime,
        **values: Any,
    ) -> Job:
        released = {"lease_token": None, "lease_expires_at": None, "updated_at": now}
        retry = (
            jobs.update()
            .where(*held(lease))
            .values(status=PENDING, **values, **released)
            .returning(*jobs.c)
        )
        if coalesce_key is None:
            updated = (await conn.execute(retry)).one_or_none()
        else:
            try:
                # A newer job with the same coalesce key may be pending already; then this one
                # may not become pending again (one pending job per key): it is superseded.
                async with conn.begin_nested():
                    updated = (await conn.execute(retry)).one_or_none()
            except IntegrityError:
                newer = await self._newer_same_key(conn, lease.job_id, coalesce_key)
                superseded = (
                    jobs.update()
                    .where(*held(lease))
                    .values(
                        status=JobStatus.SUPERSEDED.value,
                        superseded_by=newer,
                        finished_at=now,
                        **{k: v for k, v in values.items() if k == "last_error"},
                        **released,
                    )
                    .returning(*jobs.c)
                )
                updated = (await conn.execute(superseded)).one_or_none()
        if updated is None:  # pragma: no cover - the lease was checked above, in this txn
            raise LeaseLost(lease.job_id, lease.token)
        return job_from_row(updated._mapping)

    # -- inspecting and operating ------------------------------------------------------------

    async def get(self, conn: AsyncConnection, job_id: int) -> Job | None:
        row = (await conn.execute(sa.select(jobs).where(jobs.c.id == job_id))).one_or_none()
        return job_from_row(row._mapping) if row else None

    async def list_jobs(
        self,
        conn: AsyncConnection,
        *,
        status: JobStatus | None = None,
        queue: str | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[Job]:
        """Jobs, newest first (e.g. `status=JobStatus.DEAD` lists the dead letters)."""
        stmt = sa.select(jobs)
        if status is not None:
            stmt = stmt.where(jobs.c.status == status.value)
        if queue is not None:
            stmt = stmt.where(jobs.c.queue == queue)
        if kind is not None:
            stmt = stmt.where(jobs.c.kind == kind)
        stmt = stmt.order_by(jobs.c.id.desc()).limit(limit)
        return [job_from_row(row._mapping) for row in await conn.execute(stmt)]

    async def counts(self, conn: AsyncConnection) -> dict[str, dict[JobStatus, int]]:
        """Number of jobs per queue and status (for metrics)."""
        stmt = sa.select(jobs.c.queue, jobs.c.status, sa.func.count()).group_by(
            jobs.c.queue, jobs.c.status
        )
        out: dict[str, dict[JobStatus, int]] = {}
        for queue, status, count in await conn.execute(stmt):
            out.setdefault(queue, {})[JobStatus(status)] = count
        return out

    async def requeue(self, conn: AsyncConnection, job_id: int, *, actor: Actor = SYSTEM) -> Job:
        """Give a dead-lettered job a fresh set of attempts, to run now."""
        now = self._clock()
        stmt = (
            jobs.update()
            .where(jobs.c.id == job_id, jobs.c.status == JobStatus.DEAD.value)
            .values(status=PENDING, attempts=0, run_after=now, finished_at=None, updated_at=now)
            .returning(*jobs.c)
        )
        try:
            async with conn.begin_nested():
                row = (await conn.execute(stmt)).one_or_none()
        except IntegrityError as exc:
            raise AlreadyExists(
                f"job {job_id} cannot be requeued: a newer job with its coalesce key is pending"
            ) from exc
        if row is None:
            raise NotFound(f"job {job_id} is not dead-lettered (or does not exist)")
        job = job_from_row(row._mapping)
        await record_event(
            conn,
            FlowEventType.JOB_REQUEUED,
            correlation_id=job.correlation_id or f"job:{job.id}",
            actor=actor,
            payload={"job_id": job.id, "queue": job.queue, "kind": job.kind},
            at=now,
        )
        return job

    async def prune_finished(self, conn: AsyncConnection, *, finished_before: datetime) -> int:
        """Delete succeeded and superseded jobs finished before the cut-off (dead ones stay).

        Their idempotency keys become free again.
        """
        stmt = (
            jobs.delete()
            .where(
                jobs.c.status.in_([JobStatus.SUCCEEDED.value, JobStatus.SUPERSEDED.value]),
                jobs.c.finished_at < finished_before,
            )
            .returning(jobs.c.id)
        )
        return len((await conn.execute(stmt)).all())

    # -- internals ---------------------------------------------------------------------------

    async def _insert(self, conn: AsyncConnection, values: Mapping[str, Any]) -> Job | None:
        stmt = insert(conn, jobs).values(**values).on_conflict_do_nothing().returning(*jobs.c)
        row = (await conn.execute(stmt)).one_or_none()
        return job_from_row(row._mapping) if row else None

    async def _by_idempotency_key(self, conn: AsyncConnection, key: str) -> Job | None:
        row = (
            await conn.execute(sa.select(jobs).where(jobs.c.idempotency_key == key))
        ).one_or_none()
        return job_from_row(row._mapping) if row else None

    async def _supersede_pending(
        self, conn: AsyncConnection, coalesce_key: str, now: datetime
    ) -> list[int]:
        stmt = (
            jobs.update()
            .where(jobs.c.coalesce_key == coalesce_key, jobs.c.status == PENDING)
            .values(status=JobStatus.SUPERSEDED.value, finished_at=now, updated_at=now)
            .returning(jobs.c.id)
        )
        return [row.id for row in await conn.execute(stmt)]

    async def _newer_same_key(
        self, conn: AsyncConnection, job_id: int, coalesce_key: str | None
    ) -> int | None:
        if coalesce_key is None:
            return None
        stmt = (
            sa.select(jobs.c.id)
            .where(
                jobs.c.coalesce_key == coalesce_key,
                jobs.c.id > job_id,
                jobs.c.status.in_([PENDING, RUNNING]),
            )
            .order_by(jobs.c.id.desc())
            .limit(1)
        )
        found: int | None = await conn.scalar(stmt)
        return found

    async def _retire_expired(self, conn: AsyncConnection, candidate: Any, now: datetime) -> bool:
        """Finish an expired job instead of re-running it, when re-running makes no sense.

        Superseded when a newer job with its coalesce key exists; dead when its worker died on
        its last attempt. Returns False when the job should simply run again.
        """
        newer = await self._newer_same_key(conn, candidate.id, candidate.coalesce_key)
        if newer is None and candidate.attempts < candidate.max_attempts:
            return False
        expired = (
            jobs.c.id == candidate.id,
            jobs.c.status == RUNNING,
            jobs.c.lease_expires_at <= now,
        )
        released = {"lease_token": None, "lease_expires_at": None, "updated_at": now}
        if newer is not None:
            await conn.execute(
                jobs.update()
                .where(*expired)
                .values(
                    status=JobStatus.SUPERSEDED.value,
                    superseded_by=newer,
                    finished_at=now,
                    **released,
                )
            )
            return True
        message = (
            f"lease expired during attempt {candidate.attempts} of {candidate.max_attempts}"
            " (the worker stopped heartbeating)"
        )
        if candidate.last_error:
            message += f"; previous error: {candidate.last_error}"
        await conn.execute(
            jobs.update()
            .where(*expired)
            .values(
                status=JobStatus.DEAD.value,
                last_error=message[:MAX_ERROR_LENGTH],
                finished_at=now,
                **released,
            )
        )
        await _audit_dead_letter(
            conn,
            job_id=candidate.id,
            queue=candidate.queue,
            kind=candidate.kind,
            correlation_id=candidate.correlation_id,
            attempts=candidate.attempts,
            error=message,
            at=now,
        )
        return True

    async def _dead_letter(
        self, conn: AsyncConnection, lease: Lease, message: str, now: datetime
    ) -> Job:
        stmt = (
            jobs.update()
            .where(*held(lease))
            .values(
                status=JobStatus.DEAD.value,
                last_error=message,
                lease_token=None,
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            )
            .returning(*jobs.c)
        )
        row = (await conn.execute(stmt)).one_or_none()
        if row is None:
            raise LeaseLost(lease.job_id, lease.token)
        job = job_from_row(row._mapping)
        await _audit_dead_letter(
            conn,
            job_id=job.id,
            queue=job.queue,
            kind=job.kind,
            correlation_id=job.correlation_id,
            attempts=job.attempts,
            error=message,
            at=now,
        )
        return job


def _optional_key(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    return clean_text(value, what, max_length=255)


async def _audit_dead_letter(
    conn: AsyncConnection,
    *,
    job_id: int,
    queue: str,
    kind: str,
    correlation_id: str | None,
    attempts: int,
    error: str,
    at: datetime,
) -> None:
    await record_event(
        conn,
        FlowEventType.JOB_DEAD_LETTERED,
        correlation_id=correlation_id or f"job:{job_id}",
        actor=Actor("worker", "queue"),
        payload={
            "job_id": job_id,
            "queue": queue,
            "kind": kind,
            "attempts": attempts,
            "error": error[:2000],
        },
        at=at,
    )

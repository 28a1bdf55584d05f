"""The worker loop: claim jobs from the durable queue, run them, report the result.

Runs in-process under `manifold serve` (the default) or alone as `manifold worker`; any
number of workers may share one database. What it guarantees:

- **Bounded concurrency**: at most `concurrency` jobs run at once; a free slot claims the next
  job immediately, an idle worker polls (and wakes early when `notify()` is called, which the
  in-process intake does after queueing).
- **Leases**: each running job is heartbeated every third of its lease; if the lease is lost
  (the worker stalled and another took the job over) the job is cancelled and not reported.
- **Retries in the error type** (kopf's model): `app.github.errors.TemporaryError` retries
  after its `delay` (else the queue's backoff); `PermanentError`, `app.intents.MalformedPayload`
  and `PermanentJobError` dead-letter at once with the error; anything else is retried under
  the queue's `RetryPolicy` until the attempts are used up, then dead-lettered.
- **Graceful shutdown**: `stop()` stops claiming, lets running jobs finish for `grace`
  seconds, then cancels the rest and releases them (back to pending, to run again at once).
- **Logs carry the delivery**: each job runs inside `delivery_context(job.correlation_id)`.

Handlers are looked up by job kind (`JobKind`); the routing package builds that table. A
handler may return an `OnComplete` callback that runs in the same transaction as `complete`
(e.g. the delivery's outcome), so the result and the job's success commit together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.github.context import delivery_context
from app.github.errors import PermanentError, TemporaryError
from app.intents import MalformedPayload
from app.metrics import Metrics
from app.store import (
    DEFAULT_QUEUE,
    ClaimedJob,
    InvalidValue,
    JobQueue,
    JobStatus,
    Lease,
    LeaseLost,
    default_worker_id,
)

log = logging.getLogger("manifold.worker")

OnComplete = Callable[[AsyncConnection], Awaitable[None]]
RunJob = Callable[[ClaimedJob], Awaitable[OnComplete | None]]
OnDead = Callable[[AsyncConnection, ClaimedJob, str], Awaitable[None]]


class PermanentJobError(Exception):
    """The job cannot succeed however often it runs: dead-letter it with this message."""


@dataclass(frozen=True, slots=True)
class JobKind:
    run: RunJob
    #: called in the transaction that dead-letters the job (e.g. mark the delivery failed)
    on_dead: OnDead | None = None


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    concurrency: int = 4
    queues: Sequence[str] = (DEFAULT_QUEUE,)
    poll_interval: float = 1.0  # idle: look for new jobs this often (notify() wakes earlier)
    grace: float = 20.0  # on stop: how long running jobs may take to finish
    error_backoff: float = 2.0  # the database failed: wait this long before claiming again
    queue_sample_interval: float = 15.0  # refresh the queue-depth gauge this often


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a failed attempt is reported to the queue."""

    permanent: bool
    retry_in: timedelta | None
    message: str


def judge(error: BaseException) -> Verdict:
    """The retry decision for an exception raised by a job (the policy lives in the types)."""
    message = f"{type(error).__name__}: {error}"
    if isinstance(error, TemporaryError):
        delay = None if error.delay is None else timedelta(seconds=max(0.0, error.delay))
        return Verdict(False, delay, message)
    if isinstance(error, PermanentError | MalformedPayload | PermanentJobError | InvalidValue):
        return Verdict(True, None, message)
    # Unknown: maybe a database hiccup, maybe a bug. Retry under the policy, with the trace.
    trace = "".join(traceback.format_exception(error, limit=8))
    return Verdict(False, None, f"{message}\n{trace}")


class _Running:
    def __init__(self, claimed: ClaimedJob, task: asyncio.Task[OnComplete | None]) -> None:
        self.claimed = claimed
        self.task = task
        self.lease: Lease = claimed.lease
        self.lease_lost = False
        self.released = False


class Worker:
    def __init__(
        self,
        engine: AsyncEngine,
        queue: JobQueue,
        kinds: Mapping[str, JobKind],
        *,
        metrics: Metrics,
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.engine = engine
        self.queue = queue
        self.kinds = dict(kinds)
        self.metrics = metrics
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or default_worker_id()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._running: dict[int, _Running] = {}
        self._slots = asyncio.Semaphore(self.config.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_sample = 0.0

    # -- control -----------------------------------------------------------------------------

    def notify(self) -> None:
        """New work may be waiting: stop idling (cheap; safe to call from any coroutine)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop claiming; wait up to `grace` for running jobs, then cancel and release them."""
        self._stopping.set()
        self._wake.set()
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=self.config.grace)
            if pending:
                log.warning("worker %s: releasing %d unfinished jobs", self.worker_id, len(pending))
                for running in list(self._running.values()):
                    running.released = True
                    running.task.cancel()
                await asyncio.wait(pending)

    async def run(self) -> None:
        """Claim and run jobs until `stop()`."""
        log.info(
            "worker %s: started (concurrency %d, queues %s)",
            self.worker_id,
            self.config.concurrency,
            ",".join(self.config.queues),
        )
        while not self._stopping.is_set():
            if not await self._acquire_slot():
                break
            try:
                claimed = await self._claim()
            except Exception as exc:  # the database is down: back off, keep the loop alive
                self._slots.release()
                log.warning(
                    "worker %s: cannot claim: %s: %s", self.worker_id, type(exc).__name__, exc
                )
                await self._idle(self.config.error_backoff)
                continue
            if claimed is None:
                self._slots.release()
                await self._sample_queue()
                await self._idle(self.config.poll_interval)
                continue
            task = asyncio.create_task(self._execute(claimed), name=f"job-{claimed.id}")
            self._tasks.add(task)
            task.add_done_callback(self._finished)
        log.info("worker %s: stopped", self.worker_id)

    async def run_until_idle(self) -> int:
        """Run jobs until none is runnable now (tests and one-shot use); returns how many ran."""
        ran = 0
        while True:
            claimed = await self._claim()
            if claimed is None:
                if not self._tasks:
                    return ran
                await asyncio.wait(set(self._tasks))
                continue
            ran += 1
            await self._slots.acquire()
            task = asyncio.create_task(self._execute(claimed), name=f"job-{claimed.id}")
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    # -- the loop's parts --------------------------------------------------------------------

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()
        self._wake.set()  # a slot is free: the loop may claim again without waiting

    async def _acquire_slot(self) -> bool:
        acquire = asyncio.ensure_future(self._slots.acquire())
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({acquire, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if acquire.done() and not self._stopping.is_set():
            return True
        if acquire.done():
            self._slots.release()
        else:
            acquire.cancel()
        return False

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _claim(self) -> ClaimedJob | None:
        async with self.engine.begin() as conn:
            return await self.queue.claim(
                conn, worker_id=self.worker_id, queues=list(self.config.queues)
            )

    async def _sample_queue(self) -> None:
        now = time.monotonic()
        if now - self._last_sample < self.config.queue_sample_interval:
            return
        self._last_sample = now
        try:
            async with self.engine.connect() as conn:
                counts = await self.queue.counts(conn)
        except Exception as exc:
            log.debug("queue sample failed: %s", exc)
            return
        for queue_name, by_status in counts.items():
            for status in JobStatus:
                self.metrics.queue_jobs.labels(queue_name, status.value).set(
                    by_status.get(status, 0)
                )

    # -- one job -----------------------------------------------------------------------------

    async def _execute(self, claimed: ClaimedJob) -> None:
        job = claimed.job
        kind = self.kinds.get(job.kind)
        started = time.perf_counter()
        self.metrics.jobs_running.inc()
        with delivery_context(job.correlation_id):
            task = asyncio.create_task(self._call(kind, claimed))
            running = _Running(claimed, task)
            self._running[job.id] = running
            heartbeat = asyncio.create_task(self._heartbeat(running))
            error: BaseException | None = None
            on_complete: OnComplete | None = None
            try:
                on_complete = await task
            except asyncio.CancelledError:
                if not (running.lease_lost or running.released):
                    raise  # the worker itself is being cancelled
            except Exception as exc:
                error = exc
            finally:
                heartbeat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await heartbeat
                self._running.pop(job.id, None)
                self.metrics.jobs_running.dec()
                self.metrics.job_duration.labels(job.kind).observe(time.perf_counter() - started)
            result = await self._report(running, kind, error, on_complete)
            self.metrics.jobs_finished.labels(job.kind, result).inc()

    async def _call(self, kind: JobKind | None, claimed: ClaimedJob) -> OnComplete | None:
        if kind is None:
            raise PermanentJobError(f"no handler for job kind {claimed.kind!r}")
        log.debug("job %d (%s) attempt %d", claimed.id, claimed.kind, claimed.lease.attempt)
        return await kind.run(claimed)

    async def _heartbeat(self, running: _Running) -> None:
        interval = max(0.05, self.queue.lease_duration.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            try:
                async with self.engine.begin() as conn:
                    running.lease = await self.queue.heartbeat(conn, running.lease)
            except LeaseLost:
                log.warning("job %d: lease lost; abandoning it", running.claimed.id)
                running.lease_lost = True
                running.task.cancel()
                return
            except Exception as exc:  # keep trying: the lease may still outlive the outage
                log.warning("job %d: heartbeat failed: %s", running.claimed.id, exc)

    async def _report(
        self,
        running: _Running,
        kind: JobKind | None,
        error: BaseException | None,
        on_complete: OnComplete | None,
    ) -> str:
        claimed, lease = running.claimed, running.lease
        if running.lease_lost:
            return "lease_lost"
        try:
            async with self.engine.begin() as conn:
                if running.released:
                    await self.queue.release(conn, lease)
                    return "released"
                if error is None:
                    await self.queue.complete(conn, lease)
                    if on_complete is not None:
                        await on_complete(conn)
                    return "succeeded"
                verdict = judge(error)
                job = await self.queue.fail(
                    conn,
                    lease,
                    verdict.message,
                    permanent=verdict.permanent,
                    retry_in=verdict.retry_in,
                )
                if job.status is JobStatus.DEAD:
                    log.error("job %d (%s) dead-lettered: %s", claimed.id, claimed.kind, error)
                    if kind is not None and kind.on_dead is not None:
                        await kind.on_dead(conn, claimed, verdict.message)
                    return "dead"
                log.warning(
                    "job %d (%s) attempt %d failed, will retry: %s",
                    claimed.id,
                    claimed.kind,
                    lease.attempt,
                    error,
                )
                return "retry"
        except LeaseLost:
            log.warning("job %d: lease lost before its result was recorded", claimed.id)
            return "lease_lost"
        except Exception as exc:  # the lease runs out and the job runs again: at least once
            log.error("job %d: could not record its result: %s", claimed.id, exc)
            return "unreported"

"""The worker loop: retry policy by error type, dead letters, leases and heartbeats, bounded
concurrency, graceful shutdown, wake-ups, the delivery context, and a database outage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.github.context import current_delivery
from app.github.errors import NotFoundError, ServerError
from app.intents import MalformedPayload
from app.metrics import Metrics
from app.store import (
    ClaimedJob,
    JobQueue,
    Lease,
    LeaseLost,
    create_engine,
    ensure_schema,
    record_event,
)
from app.worker import JobKind, OnComplete, Worker, WorkerConfig
from tests.app.helpers import FAST_RETRY, rows
from tests.store.conftest import Database

Run = Callable[[ClaimedJob], Awaitable[OnComplete | None]]


@asynccontextmanager
async def engine_for(db: Database) -> AsyncIterator[AsyncEngine]:
    async with db.engine() as engine:
        yield engine


def make_worker(
    engine: AsyncEngine,
    kinds: dict[str, JobKind],
    *,
    queue: JobQueue | None = None,
    **config: Any,
) -> Worker:
    return Worker(
        engine,
        queue or JobQueue(retry=FAST_RETRY),
        kinds,
        metrics=Metrics(),
        config=WorkerConfig(**config),
        worker_id="w1",
    )


async def enqueue(engine: AsyncEngine, kind: str, n: int = 1, **kwargs: Any) -> list[int]:
    queue = JobQueue(retry=FAST_RETRY)
    ids = []
    async with engine.begin() as conn:
        for i in range(n):
            enqueued = await queue.enqueue(
                conn, kind=kind, payload={"i": i}, correlation_id=f"delivery-{i}", **kwargs
            )
            ids.append(enqueued.job.id)
    return ids


async def test_success_runs_the_completion_in_the_same_transaction(db: Database) -> None:
    async def run(claimed: ClaimedJob) -> OnComplete:
        async def finish(conn: AsyncConnection) -> None:
            await record_event(conn, "test.done", correlation_id=str(claimed.id))

        return finish

    async with engine_for(db) as engine:
        await enqueue(engine, "ok", 3)
        assert await make_worker(engine, {"ok": JobKind(run)}).run_until_idle() == 3
        jobs = await rows(engine, "jobs")
        assert {j["status"] for j in jobs} == {"succeeded"}
        assert len(await rows(engine, "flow_events", event_type="test.done")) == 3


async def test_errors_decide_retry_or_dead_letter(db: Database) -> None:
    calls: dict[str, int] = {}
    dead: list[tuple[int, str]] = []

    def failing(error: Callable[[], BaseException]) -> Run:
        async def run(claimed: ClaimedJob) -> None:
            calls[claimed.kind] = calls.get(claimed.kind, 0) + 1
            raise error()

        return run

    async def on_dead(conn: AsyncConnection, claimed: ClaimedJob, message: str) -> None:
        dead.append((claimed.id, message.splitlines()[0]))

    kinds = {
        "temporary": JobKind(failing(lambda: ServerError("502 from GitHub", status=502))),
        "delayed": JobKind(failing(_rate_limited)),
        "permanent": JobKind(failing(lambda: NotFoundError("no such repo", status=404)), on_dead),
        "malformed": JobKind(failing(lambda: MalformedPayload("'ref' is missing")), on_dead),
        "bug": JobKind(failing(lambda: KeyError("oops")), on_dead),
    }
    async with engine_for(db) as engine:
        for kind in kinds:
            await enqueue(engine, kind)
        await enqueue(engine, "unknown")
        worker = make_worker(engine, kinds)
        await worker.run_until_idle()
        jobs = {j["kind"]: j for j in await rows(engine, "jobs")}
        # A transient GitHub failure is retried (zero backoff here) until out of attempts.
        assert calls["temporary"] == 3 and jobs["temporary"]["status"] == "dead"
        # A rate limit with a delay waits that long: not retried within this run.
        assert calls["delayed"] == 1
        delayed = jobs["delayed"]
        assert delayed["status"] == "pending" and delayed["attempts"] == 1
        assert delayed["run_after"] > datetime.now(UTC) + timedelta(seconds=500)
        assert "RateLimitError" in delayed["last_error"]
        # Permanent errors dead-letter at once, with the error kept.
        for kind in ("permanent", "malformed", "unknown"):
            assert jobs[kind]["status"] == "dead", kind
            assert jobs[kind]["attempts"] == 1, kind
        assert calls["permanent"] == 1 and calls["malformed"] == 1
        assert "NotFoundError: 404 no such repo" in jobs["permanent"]["last_error"]
        assert "no handler for job kind 'unknown'" in jobs["unknown"]["last_error"]
        # An unknown exception is retried under the policy, then dead, with its traceback.
        assert calls["bug"] == 3 and jobs["bug"]["status"] == "dead"
        assert "Traceback" in jobs["bug"]["last_error"]
        assert sorted(m for _, m in dead) == sorted(
            [
                "NotFoundError: 404 no such repo",
                "MalformedPayload: 'ref' is missing",
                "KeyError: 'oops'",
            ]
        )
        dead_letters = await rows(engine, "flow_events", event_type="job.dead_lettered")
        assert len(dead_letters) == 5


def _rate_limited() -> BaseException:
    from app.github.errors import RateLimitError

    return RateLimitError("secondary rate limit", kind="secondary", delay=600.0)


async def test_bounded_concurrency_and_the_delivery_context(db: Database) -> None:
    running = 0
    peak = 0
    seen: list[tuple[str | None, str | None]] = []
    all_seen = asyncio.Event()

    async def run(claimed: ClaimedJob) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        seen.append((claimed.job.correlation_id, current_delivery.get()))
        running -= 1
        if len(seen) == 10:
            all_seen.set()

    async with engine_for(db) as engine:
        await enqueue(engine, "slow", 10)
        worker = make_worker(engine, {"slow": JobKind(run)}, concurrency=3, poll_interval=0.05)
        task = asyncio.create_task(worker.run())
        async with asyncio.timeout(10):
            await all_seen.wait()
        await worker.stop()
        await task
        assert peak == 3
        assert all(job == delivery for job, delivery in seen)
        assert current_delivery.get() is None


async def test_notify_wakes_an_idle_worker(db: Database) -> None:
    done = asyncio.Event()

    async def run(claimed: ClaimedJob) -> None:
        done.set()

    async with engine_for(db) as engine:
        worker = make_worker(engine, {"ping": JobKind(run)}, poll_interval=30.0)
        task = asyncio.create_task(worker.run())
        await asyncio.sleep(0.2)  # idle now, for up to 30 s
        await enqueue(engine, "ping")
        worker.notify()
        async with asyncio.timeout(3):
            await done.wait()
        await worker.stop()
        await task


async def test_heartbeats_keep_a_long_job_leased(db: Database) -> None:
    queue = JobQueue(retry=FAST_RETRY, lease_duration=timedelta(seconds=0.3))

    async def run(claimed: ClaimedJob) -> None:
        await asyncio.sleep(1.0)  # more than three lease durations

    async with engine_for(db) as engine:
        [job_id] = await enqueue(engine, "long")
        worker = make_worker(engine, {"long": JobKind(run)}, queue=queue)
        runner = asyncio.create_task(worker.run_until_idle())
        await asyncio.sleep(0.6)
        async with engine.begin() as conn:  # another worker finds nothing to take over
            assert await queue.claim(conn, worker_id="thief") is None
        await runner
        [job] = await rows(engine, "jobs", id=job_id)
        assert (job["status"], job["attempts"]) == ("succeeded", 1)


class _LosingQueue(JobQueue):
    async def heartbeat(
        self, conn: AsyncConnection, lease: Lease, *, extend_by: timedelta | None = None
    ) -> Lease:
        raise LeaseLost(lease.job_id, lease.token)


async def test_a_lost_lease_cancels_the_job_and_reports_nothing(db: Database) -> None:
    cancelled = asyncio.Event()

    async def run(claimed: ClaimedJob) -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    queue = _LosingQueue(retry=FAST_RETRY, lease_duration=timedelta(seconds=0.15))
    async with engine_for(db) as engine:
        [job_id] = await enqueue(engine, "doomed")
        worker = make_worker(engine, {"doomed": JobKind(run)}, queue=queue)
        async with asyncio.timeout(5):
            await worker.run_until_idle()
        assert cancelled.is_set()
        [job] = await rows(engine, "jobs", id=job_id)
        assert job["status"] == "running"  # whoever holds the lease now reports it
        assert job["last_error"] is None


async def test_graceful_shutdown_finishes_or_releases(db: Database) -> None:
    quick_started = asyncio.Event()
    stuck_started = asyncio.Event()

    async def quick(claimed: ClaimedJob) -> None:
        quick_started.set()
        await asyncio.sleep(0.05)

    async def stuck(claimed: ClaimedJob) -> None:
        stuck_started.set()
        await asyncio.sleep(30)

    async with engine_for(db) as engine:
        [quick_id] = await enqueue(engine, "quick")
        [stuck_id] = await enqueue(engine, "stuck")
        kinds = {"quick": JobKind(quick), "stuck": JobKind(stuck)}
        worker = make_worker(engine, kinds, concurrency=2, grace=0.5, poll_interval=0.05)
        task = asyncio.create_task(worker.run())
        async with asyncio.timeout(5):
            await quick_started.wait()
            await stuck_started.wait()
        async with asyncio.timeout(5):
            await worker.stop()
            await task
        [done] = await rows(engine, "jobs", id=quick_id)
        [released] = await rows(engine, "jobs", id=stuck_id)
        assert done["status"] == "succeeded"
        # given back unrun: pending at once, and the interrupted attempt does not count
        assert (released["status"], released["attempts"]) == ("pending", 0)
        assert released["last_error"] is None
        assert released["run_after"] <= datetime.now(UTC)


async def test_the_loop_survives_a_database_outage(tmp_path: Path) -> None:
    path = tmp_path / "gone" / "manifold.db"
    path.parent.mkdir()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await ensure_schema(engine)
        for leftover in path.parent.iterdir():
            leftover.unlink()
        path.parent.rmdir()
        await engine.dispose()  # force new connections, which now fail
        worker = make_worker(engine, {}, poll_interval=0.05, error_backoff=0.05)
        task = asyncio.create_task(worker.run())
        await asyncio.sleep(0.3)
        assert not task.done()  # it keeps trying
        await worker.stop()
        async with asyncio.timeout(2):
            await task
    finally:
        await engine.dispose()

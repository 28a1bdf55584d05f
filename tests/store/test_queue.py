"""The durable queue, single process, with an injected clock and random source."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from app.store import (
    FlowEventType,
    JobQueue,
    JobStatus,
    LeaseLost,
    NotFound,
    RetryPolicy,
    get_delivery,
    list_events,
    record_delivery,
)
from tests.store.conftest import Database
from tests.store.helpers import FakeClock, FixedRandom

LEASE = timedelta(seconds=30)


def make_queue(clock: FakeClock, *, jitter_draw: float = 0.0, **policy: object) -> JobQueue:
    retry = RetryPolicy(**policy) if policy else RetryPolicy()  # type: ignore[arg-type]
    return JobQueue(retry=retry, lease_duration=LEASE, clock=clock, rng=FixedRandom(jitter_draw))


# -- retry policy (pure) ----------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens() -> None:
    policy = RetryPolicy(base_delay=timedelta(seconds=10), max_delay=timedelta(seconds=60))
    none_off = FixedRandom(0.0)
    assert [policy.delay(n, none_off).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]
    half_of_jitter = FixedRandom(0.5)  # jitter 0.5 * 0.5 = 25 % off
    assert policy.delay(2, half_of_jitter).total_seconds() == pytest.approx(15.0)
    rng = random.Random(7)
    for attempt in range(1, 10):
        delay = policy.delay(attempt, rng).total_seconds()
        ceiling = min(60.0, 10.0 * 2 ** (attempt - 1))
        assert ceiling * 0.5 <= delay <= ceiling


def test_retry_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)


# -- enqueue ----------------------------------------------------------------------------------


async def test_enqueue_with_the_same_idempotency_key_yields_one_job(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine:
        async with engine.begin() as conn:
            first = await queue.enqueue(conn, kind="pr.sync", idempotency_key="delivery:1")
            again = await queue.enqueue(
                conn, kind="pr.sync", payload={"other": True}, idempotency_key="delivery:1"
            )
        async with engine.begin() as conn:
            later = await queue.enqueue(conn, kind="pr.sync", idempotency_key="delivery:1")
            jobs = await queue.list_jobs(conn)
    assert first.created and not again.created and not later.created
    assert again.job.id == first.job.id == later.job.id
    assert again.job.payload == {}
    assert [j.id for j in jobs] == [first.job.id]


async def test_concurrent_enqueues_with_one_key_yield_one_job(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine:

        async def enqueue() -> int:
            async with engine.begin() as conn:
                result = await queue.enqueue(
                    conn, kind="pr.sync", idempotency_key="delivery:race", coalesce_key="pr:1"
                )
                await asyncio.sleep(0.01)  # hold the transaction open a little
                return result.job.id

        ids = await asyncio.gather(*(enqueue() for _ in range(8)))
        async with engine.connect() as conn:
            jobs = await queue.list_jobs(conn)
    assert len(set(ids)) == 1
    assert [(j.id, j.status) for j in jobs] == [(ids[0], JobStatus.PENDING)]


async def test_delivery_and_its_job_commit_or_roll_back_together(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine:
        with pytest.raises(RuntimeError):
            async with engine.begin() as conn:
                await record_delivery(conn, delivery_id="d-1", event="push", payload={"a": 1})
                await queue.enqueue(conn, kind="push", idempotency_key="delivery:d-1")
                raise RuntimeError("crash before commit")
        async with engine.connect() as conn:
            assert await get_delivery(conn, "d-1") is None
            assert await queue.list_jobs(conn) == []

        async with engine.begin() as conn:
            recorded = await record_delivery(conn, delivery_id="d-1", event="push", payload={})
            await queue.enqueue(conn, kind="push", idempotency_key="delivery:d-1")
        async with engine.connect() as conn:
            assert recorded.created
            assert await get_delivery(conn, "d-1") is not None
            assert len(await queue.list_jobs(conn)) == 1


# -- claim, heartbeat, complete ---------------------------------------------------------------


async def test_claim_heartbeat_complete(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine:
        async with engine.begin() as conn:
            enqueued = await queue.enqueue(conn, kind="k", payload={"n": 1}, correlation_id="c1")
        async with engine.begin() as conn:
            claimed = await queue.claim(conn, worker_id="w1")
            assert claimed is not None
            assert await queue.claim(conn, worker_id="w2") is None  # nothing else to run
        assert claimed.id == enqueued.job.id and claimed.payload == {"n": 1}
        assert claimed.lease.attempt == 1 and claimed.job.status is JobStatus.RUNNING
        assert claimed.lease.expires_at == clock.now + LEASE

        clock.advance(20)
        async with engine.begin() as conn:
            lease = await queue.heartbeat(conn, claimed.lease)
        assert lease.expires_at == clock.now + LEASE and lease.token == claimed.lease.token

        clock.advance(20)  # past the first expiry, within the extended one
        async with engine.begin() as conn:
            assert await queue.claim(conn, worker_id="w2") is None
            done = await queue.complete(conn, lease)
        assert done.status is JobStatus.SUCCEEDED and done.finished_at == clock.now
        async with engine.begin() as conn:
            with pytest.raises(LeaseLost):
                await queue.complete(conn, lease)
            with pytest.raises(LeaseLost):
                await queue.heartbeat(conn, lease)


async def test_an_expired_lease_is_reclaimed_and_fences_the_old_worker(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine:
        async with engine.begin() as conn:
            await queue.enqueue(conn, kind="k")
        async with engine.begin() as conn:
            first = await queue.claim(conn, worker_id="dies")
        assert first is not None

        clock.advance(LEASE.total_seconds() - 1)
        async with engine.begin() as conn:
            assert await queue.claim(conn, worker_id="w2") is None  # still leased

        clock.advance(2)
        async with engine.begin() as conn:
            second = await queue.claim(conn, worker_id="w2")
        assert second is not None and second.id == first.id
        assert second.lease.attempt == 2 and second.lease.token != first.lease.token
        assert second.job.locked_by == "w2"

        async with engine.begin() as conn:
            for stale in (queue.complete(conn, first.lease), queue.heartbeat(conn, first.lease)):
                with pytest.raises(LeaseLost):
                    await stale
            with pytest.raises(LeaseLost):
                await queue.fail(conn, first.lease, "late report")
            assert (await queue.complete(conn, second.lease)).status is JobStatus.SUCCEEDED


async def test_a_lease_that_expires_on_the_last_attempt_dead_letters(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine:
        async with engine.begin() as conn:
            job = (await queue.enqueue(conn, kind="k", max_attempts=1, correlation_id="c")).job
            assert await queue.claim(conn, worker_id="dies") is not None
        clock.advance(LEASE.total_seconds() + 1)
        async with engine.begin() as conn:
            assert await queue.claim(conn, worker_id="w2") is None
            dead = await queue.get(conn, job.id)
            events = await list_events(conn, correlation_id="c")
    assert dead is not None and dead.status is JobStatus.DEAD
    assert dead.last_error and "lease expired" in dead.last_error
    assert [e.event_type for e in events] == [FlowEventType.JOB_DEAD_LETTERED]


async def test_jobs_of_other_queues_and_future_jobs_are_not_claimed(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine:
        async with engine.begin() as conn:
            await queue.enqueue(conn, kind="deploy", queue="reconcile")
            later = await queue.enqueue(conn, kind="k", run_after=clock.now + timedelta(minutes=1))
            assert await queue.claim(conn, worker_id="w") is None
            got = await queue.claim(conn, worker_id="w", queues=["reconcile"])
            assert got is not None and got.kind == "deploy"
        clock.advance(60)
        async with engine.begin() as conn:
            got = await queue.claim(conn, worker_id="w")
            assert got is not None and got.id == later.job.id
            counts = await queue.counts(conn)
    assert counts == {"default": {JobStatus.RUNNING: 1}, "reconcile": {JobStatus.RUNNING: 1}}


async def test_claims_run_oldest_first(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine, engine.begin() as conn:
        ids = [(await queue.enqueue(conn, kind=f"k{i}")).job.id for i in range(3)]
        clock.advance(1)
        claimed = [await queue.claim(conn, worker_id="w") for _ in range(3)]
    assert [c.id for c in claimed if c] == ids


# -- retries and dead letters -----------------------------------------------------------------


async def test_failures_back_off_exponentially_then_dead_letter(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(
        clock,
        base_delay=timedelta(seconds=10),
        max_delay=timedelta(minutes=5),
        max_attempts=4,
    )
    async with db.engine() as engine:
        async with engine.begin() as conn:
            job_id = (await queue.enqueue(conn, kind="k", correlation_id="corr")).job.id
        delays = []
        for attempt in range(1, 5):
            async with engine.begin() as conn:
                claimed = await queue.claim(conn, worker_id="w")
            assert claimed is not None and claimed.lease.attempt == attempt
            async with engine.begin() as conn:
                job = await queue.fail(conn, claimed.lease, f"boom {attempt}")
            if job.status is JobStatus.DEAD:
                break
            assert job.status is JobStatus.PENDING and job.last_error == f"boom {attempt}"
            delay = (job.run_after - clock.now).total_seconds()
            delays.append(delay)
            clock.advance(delay - 1)
            async with engine.begin() as conn:
                assert await queue.claim(conn, worker_id="w") is None  # still backing off
            clock.advance(1)
        async with engine.begin() as conn:
            dead = await queue.list_jobs(conn, status=JobStatus.DEAD)
            events = await list_events(conn, correlation_id="corr")
            assert await queue.claim(conn, worker_id="w") is None
    assert delays == [10, 20, 40]
    assert [(j.id, j.attempts, j.last_error) for j in dead] == [(job_id, 4, "boom 4")]
    assert [e.event_type for e in events] == [FlowEventType.JOB_DEAD_LETTERED]
    assert events[0].payload["error"] == "boom 4"


async def test_jitter_shortens_the_backoff(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock, jitter_draw=0.5, base_delay=timedelta(seconds=8), jitter=0.5)
    async with db.engine() as engine, engine.begin() as conn:
        await queue.enqueue(conn, kind="k")
        claimed = await queue.claim(conn, worker_id="w")
        assert claimed is not None
        job = await queue.fail(conn, claimed.lease, "x")
    assert (job.run_after - clock.now).total_seconds() == pytest.approx(6.0)


async def test_permanent_failures_and_explicit_retry_delays(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine, engine.begin() as conn:
        await queue.enqueue(conn, kind="a")
        await queue.enqueue(conn, kind="b")
        a = await queue.claim(conn, worker_id="w")
        b = await queue.claim(conn, worker_id="w")
        assert a is not None and b is not None
        dead = await queue.fail(conn, a.lease, "bad input", permanent=True)
        later = await queue.fail(conn, b.lease, "rate limited", retry_in=timedelta(minutes=7))
    assert dead.status is JobStatus.DEAD and dead.attempts == 1
    assert later.status is JobStatus.PENDING and later.run_after == clock.now + timedelta(minutes=7)


async def test_release_gives_the_job_back_without_spending_an_attempt(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine, engine.begin() as conn:
        job_id = (await queue.enqueue(conn, kind="k", max_attempts=1)).job.id
        claimed = await queue.claim(conn, worker_id="w")
        assert claimed is not None and claimed.lease.attempt == 1
        released = await queue.release(conn, claimed.lease)
        assert released.status is JobStatus.PENDING and released.attempts == 0
        assert released.run_after == clock.now
        with pytest.raises(LeaseLost):
            await queue.complete(conn, claimed.lease)
        again = await queue.claim(conn, worker_id="w2")
        assert again is not None and again.id == job_id and again.lease.attempt == 1
        # on its only attempt, a release is not a failure: it can still succeed
        done = await queue.complete(conn, again.lease)
    assert done.status is JobStatus.SUCCEEDED


async def test_requeue_gives_a_dead_job_fresh_attempts(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine, engine.begin() as conn:
        job_id = (await queue.enqueue(conn, kind="k", max_attempts=1)).job.id
        claimed = await queue.claim(conn, worker_id="w")
        assert claimed is not None
        await queue.fail(conn, claimed.lease, "boom")
        with pytest.raises(NotFound):
            await queue.requeue(conn, 999_999)
        job = await queue.requeue(conn, job_id)
        assert job.status is JobStatus.PENDING and job.attempts == 0
        assert job.last_error == "boom"
        again = await queue.claim(conn, worker_id="w")
        events = await list_events(conn, correlation_id=f"job:{job_id}")
    assert again is not None and again.id == job_id and again.lease.attempt == 1
    assert [e.event_type for e in events] == ["job.dead_lettered", "job.requeued"]


# -- coalescing -------------------------------------------------------------------------------


async def test_a_newer_job_supersedes_the_pending_one(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine, engine.begin() as conn:
        old = await queue.enqueue(conn, kind="pr.sync", payload={"sha": "a"}, coalesce_key="pr:1")
        other = await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:2")
        new = await queue.enqueue(conn, kind="pr.sync", payload={"sha": "b"}, coalesce_key="pr:1")
        assert new.created and new.superseded == (old.job.id,)
        replaced = await queue.get(conn, old.job.id)
        assert replaced is not None and replaced.status is JobStatus.SUPERSEDED
        assert replaced.superseded_by == new.job.id
        claimed = [await queue.claim(conn, worker_id="w") for _ in range(3)]
    assert sorted(c.id for c in claimed if c) == sorted([other.job.id, new.job.id])
    assert claimed[2] is None


async def test_a_running_job_is_not_superseded_and_its_successor_waits(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine, engine.begin() as conn:
        await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:1")
        running = await queue.claim(conn, worker_id="w1")
        assert running is not None
        successor = await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:1")
        assert successor.superseded == ()
        assert await queue.claim(conn, worker_id="w2") is None  # one job per key at a time
        await queue.complete(conn, running.lease)
        nxt = await queue.claim(conn, worker_id="w2")
    assert nxt is not None and nxt.id == successor.job.id


async def test_an_expired_job_with_a_newer_successor_is_superseded(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine:
        async with engine.begin() as conn:
            await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:1")
            stale = await queue.claim(conn, worker_id="dies")
            assert stale is not None
            successor = await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:1")
        clock.advance(LEASE.total_seconds() + 1)
        async with engine.begin() as conn:
            nxt = await queue.claim(conn, worker_id="w2")
            assert nxt is not None and nxt.id == successor.job.id
            old = await queue.get(conn, stale.id)
    assert old is not None and old.status is JobStatus.SUPERSEDED
    assert old.superseded_by == successor.job.id


async def test_a_failed_job_with_a_pending_successor_is_not_retried(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine, engine.begin() as conn:
        await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:1")
        running = await queue.claim(conn, worker_id="w1")
        assert running is not None
        successor = await queue.enqueue(conn, kind="pr.sync", coalesce_key="pr:1")
        failed = await queue.fail(conn, running.lease, "boom")
        # the transaction is still usable after the savepoint rolled back
        pending = await queue.list_jobs(conn, status=JobStatus.PENDING)
    assert failed.status is JobStatus.SUPERSEDED and failed.superseded_by == successor.job.id
    assert failed.last_error == "boom"
    assert [j.id for j in pending] == [successor.job.id]


# -- housekeeping -----------------------------------------------------------------------------


async def test_prune_removes_finished_jobs_and_frees_their_keys(db: Database) -> None:
    clock = FakeClock()
    queue = make_queue(clock)
    async with db.engine() as engine, engine.begin() as conn:
        await queue.enqueue(conn, kind="k", idempotency_key="once")
        claimed = await queue.claim(conn, worker_id="w")
        assert claimed is not None
        await queue.complete(conn, claimed.lease)
        await queue.enqueue(conn, kind="k", idempotency_key="pending")
        clock.advance(3600)
        assert await queue.prune_finished(conn, finished_before=clock.now) == 1
        again = await queue.enqueue(conn, kind="k", idempotency_key="once")
    assert again.created


async def test_naive_datetimes_are_rejected(db: Database) -> None:
    queue = make_queue(FakeClock())
    async with db.engine() as engine, engine.begin() as conn:
        with pytest.raises(Exception, match="naive datetime"):
            await queue.enqueue(conn, kind="k", run_after=FakeClock().now.replace(tzinfo=None))

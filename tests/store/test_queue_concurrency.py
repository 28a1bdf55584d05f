"""Many workers in many processes: no job runs under two valid leases at once.

Real processes (spawned), real time. On PostgreSQL this proves `FOR UPDATE SKIP LOCKED`; on
SQLite, `BEGIN IMMEDIATE` plus the conditional UPDATEs.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import multiprocessing.context
import queue as queue_module
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from app.store import JobQueue, JobStatus, LeaseLost, RetryPolicy
from tests.store.conftest import Database
from tests.store.workers import claim_and_hang, run_claimer

pytestmark = pytest.mark.slow

PROCESSES = 4


def _context() -> multiprocessing.context.ForkServerContext:
    # Fork from a clean server process that has the worker module imported already: as safe
    # as "spawn" (nothing inherited from pytest's process), without paying imports per child.
    ctx = multiprocessing.get_context("forkserver")
    assert isinstance(ctx, multiprocessing.context.ForkServerContext)
    ctx.set_forkserver_preload(["tests.store.workers"])
    return ctx


async def _enqueue(db: Database, count: int) -> list[int]:
    # Plenty of attempts: on a loaded machine a worker may overrun a short lease by accident.
    queue = JobQueue(retry=RetryPolicy(max_attempts=50))
    async with db.engine() as engine, engine.begin() as conn:
        return [
            (await queue.enqueue(conn, kind="work", payload={"i": i})).job.id for i in range(count)
        ]


def _run_claimers(
    db: Database, *, lease: float, stall: float = 0.0, stall_rate: float = 0.0
) -> list[dict[str, Any]]:
    ctx = _context()
    barrier = ctx.Barrier(PROCESSES)
    results: Any = ctx.Queue()
    procs = [
        ctx.Process(
            target=run_claimer, args=(db.url, barrier, results, lease, stall, stall_rate, seed)
        )
        for seed in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    records: list[dict[str, Any]] = []
    try:
        for _ in procs:
            records.extend(results.get(timeout=120))
    except queue_module.Empty:
        pytest.fail("a worker process did not report")
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    assert all(proc.exitcode == 0 for proc in procs)
    return records


def _check_no_overlapping_leases(records: list[dict[str, Any]], job_ids: list[int]) -> None:
    by_job: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_job[record["job"]].append(record)
    assert set(by_job) == set(job_ids)
    assert len({r["token"] for r in records}) == len(records), "a lease token was handed out twice"
    for job, claims in by_job.items():
        claims.sort(key=lambda r: r["attempt"])
        assert [c["attempt"] for c in claims] == list(range(1, len(claims) + 1)), job
        # Each claim starts only after the previous lease on the job expired (a lease that
        # was completed never expires, and then there is no later claim).
        for before, after in itertools.pairwise(claims):
            assert not before["completed"], f"job {job} was claimed again after it completed"
            assert after["claimed_at"] >= before["expires_at"], f"job {job}: leases overlap"
        assert sum(c["completed"] for c in claims) == 1, f"job {job} completed {claims}"


async def _statuses(db: Database) -> dict[JobStatus, int]:
    async with db.engine() as engine, engine.connect() as conn:
        counts = await JobQueue().counts(conn)
    return counts.get("default", {})


async def test_concurrent_claimers_never_share_a_job(db: Database) -> None:
    job_ids = await _enqueue(db, 400 if db.is_postgres else 150)
    records = _run_claimers(db, lease=60.0)
    _check_no_overlapping_leases(records, job_ids)
    assert len(records) == len(job_ids)  # no lease expired, so every job was claimed once
    assert len({r["worker"] for r in records}) > 1, "the workers did not actually compete"
    assert await _statuses(db) == {JobStatus.SUCCEEDED: len(job_ids)}


async def test_stalled_workers_lose_their_jobs_to_others(db: Database) -> None:
    job_ids = await _enqueue(db, 60)
    records = _run_claimers(db, lease=0.3, stall=0.6, stall_rate=0.15)
    _check_no_overlapping_leases(records, job_ids)
    lost = [r for r in records if r.get("lease_lost")]
    assert lost, "no worker stalled past its lease; the test proved nothing"
    assert await _statuses(db) == {JobStatus.SUCCEEDED: len(job_ids)}


async def test_a_killed_workers_job_is_reclaimed_after_its_lease(db: Database) -> None:
    [job_id] = await _enqueue(db, 1)
    ctx = _context()
    results: Any = ctx.Queue()
    proc = ctx.Process(target=claim_and_hang, args=(db.url, results, 1.0))
    proc.start()
    try:
        claimed_job, dead_token, attempt = results.get(timeout=60)
    finally:
        proc.kill()
        proc.join(timeout=10)
    assert (claimed_job, attempt) == (job_id, 1)

    queue = JobQueue(lease_duration=timedelta(seconds=30))
    async with db.engine() as engine:
        async with engine.begin() as conn:
            assert await queue.claim(conn, worker_id="survivor") is None  # lease still valid
        for _ in range(100):
            async with engine.begin() as conn:
                reclaimed = await queue.claim(conn, worker_id="survivor")
            if reclaimed is not None:
                break
            await asyncio.sleep(0.05)
        assert reclaimed is not None and reclaimed.id == job_id
        assert reclaimed.lease.attempt == 2 and reclaimed.lease.token != dead_token
        async with engine.begin() as conn:
            stale = replace(reclaimed.lease, token=dead_token, attempt=1)
            with pytest.raises(LeaseLost):
                await queue.complete(conn, stale)
            done = await queue.complete(conn, reclaimed.lease)
    assert done.status is JobStatus.SUCCEEDED and done.attempts == 2

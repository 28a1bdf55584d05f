"""Worker processes for the multi-process queue tests (spawned: must be importable).

Each worker records every claim it made and whether its report was accepted; the parent
checks the records for overlapping leases.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from app.store import JobQueue, LeaseLost, create_engine


def run_claimer(
    url: str,
    barrier: Barrier,
    results: Queue[Any],
    lease_seconds: float,
    stall_seconds: float,
    stall_rate: float,
    seed: int,
) -> None:
    records = asyncio.run(
        _claim_until_empty(url, barrier, lease_seconds, stall_seconds, stall_rate, seed)
    )
    results.put(records)


async def _claim_until_empty(
    url: str,
    barrier: Barrier,
    lease_seconds: float,
    stall_seconds: float,
    stall_rate: float,
    seed: int,
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    queue = JobQueue(lease_duration=timedelta(seconds=lease_seconds))
    worker = f"pid-{os.getpid()}"
    engine = create_engine(url, pool_size=2)
    records: list[dict[str, Any]] = []
    try:
        async with engine.connect() as conn:  # warm the pool before the start line
            await conn.exec_driver_sql("SELECT 1")
        barrier.wait(timeout=60)
        # Without stalls every job is claimable from the start: stop at the first empty claim.
        # With stalls, jobs come back when a stalled worker's lease expires: wait for that.
        grace = lease_seconds + stall_seconds + 0.5 if stall_rate > 0 else 0.0
        idle_since: float | None = None
        while True:
            async with engine.begin() as conn:
                claimed = await queue.claim(conn, worker_id=worker)
            if claimed is None:
                # Jobs may still come back (a stalled worker's lease expiring): wait a little.
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= grace:
                    break
                await asyncio.sleep(0.02)
                continue
            idle_since = None
            lease = claimed.lease
            record: dict[str, Any] = {
                "job": lease.job_id,
                "token": lease.token,
                "attempt": lease.attempt,
                "worker": worker,
                "claimed_at": lease.claimed_at,
                "expires_at": lease.expires_at,
                "completed": False,
            }
            records.append(record)
            if lease.attempt == 1 and rng.random() < stall_rate:
                await asyncio.sleep(stall_seconds)  # play dead past the lease
            else:
                await asyncio.sleep(rng.random() * 0.002)
            try:
                async with engine.begin() as conn:
                    await queue.complete(conn, lease)
                record["completed"] = True
            except LeaseLost:
                record["lease_lost"] = True
    finally:
        await engine.dispose()
    return records


def claim_and_hang(url: str, results: Queue[Any], lease_seconds: float) -> None:
    """Claim one job, report it, then hang until killed."""

    async def main() -> None:
        queue = JobQueue(lease_duration=timedelta(seconds=lease_seconds))
        engine = create_engine(url)
        async with engine.begin() as conn:
            claimed = await queue.claim(conn, worker_id=f"doomed-{os.getpid()}")
        assert claimed is not None
        results.put((claimed.lease.job_id, claimed.lease.token, claimed.lease.attempt))
        await asyncio.sleep(3600)

    asyncio.run(main())

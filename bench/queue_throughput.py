"""Throughput of the durable job queue on a throwaway PostgreSQL cluster.

    .venv/bin/python bench/queue_throughput.py [--jobs N] [--workers 1,4,16] [--sqlite]

For each worker count W, on a freshly migrated database:
1. enqueue: W concurrent producers enqueue N jobs, one transaction each, each with an
   idempotency key (the webhook intake's path);
2. claim+complete: W concurrent workers claim a job (one transaction) and complete it (another)
   until the queue is empty — the worker loop's path, with no work in between.

Workers are asyncio tasks, each with its own connection, spread over up to `--processes` OS
processes (default: the CPU count) so that one Python process's CPU is not the limit. Timing
starts when every process is ready (a barrier) and ends when the last one finishes. Reports
jobs/s per phase and for the whole (N / both phases). Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import queue as queue_module
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.store import JobQueue, JobStatus, create_engine, upgrade
from tests.store.pg import PostgresCluster


@dataclass
class Result:
    backend: str
    workers: int
    jobs: int
    enqueue_s: float
    process_s: float

    def row(self) -> list[str]:
        total = self.enqueue_s + self.process_s
        return [
            self.backend,
            str(self.workers),
            str(self.jobs),
            f"{self.jobs / self.enqueue_s:,.0f}",
            f"{self.jobs / self.process_s:,.0f}",
            f"{self.jobs / total:,.0f}",
        ]


# -- worker processes -------------------------------------------------------------------------


def _process_main(
    url: str, phase: str, tasks: int, first: int, count: int, barrier: Any, out: Any
) -> None:
    out.put(asyncio.run(_process_async(url, phase, tasks, first, count, barrier)))


async def _process_async(
    url: str, phase: str, tasks: int, first: int, count: int, barrier: Any
) -> tuple[float, float, int]:
    engine = create_engine(url, pool_size=tasks, max_overflow=0)
    queue = JobQueue()
    try:
        # Open every connection before the start line.
        warm = [engine.connect() for _ in range(tasks)]
        for conn in warm:
            await conn.start()
        for conn in warm:
            await conn.close()
        barrier.wait()
        started = time.monotonic()
        if phase == "enqueue":
            done = await _enqueue(engine, queue, tasks, first, count)
        else:
            done = await _claim_complete(engine, queue, tasks)
        return started, time.monotonic(), done
    finally:
        await engine.dispose()


async def _enqueue(engine: Any, queue: JobQueue, tasks: int, first: int, count: int) -> int:
    async def producer(ids: range) -> int:
        for i in ids:
            async with engine.begin() as conn:
                await queue.enqueue(
                    conn, kind="bench", payload={"i": i}, idempotency_key=f"bench:{i}"
                )
        return len(ids)

    slices = [range(first + t, first + count, tasks) for t in range(tasks)]
    return sum(await asyncio.gather(*(producer(s) for s in slices)))


async def _claim_complete(engine: Any, queue: JobQueue, tasks: int) -> int:
    async def worker(n: int) -> int:
        done = 0
        name = f"bench-{os.getpid()}-{n}"
        while True:
            async with engine.begin() as conn:
                claimed = await queue.claim(conn, worker_id=name)
            if claimed is None:
                return done
            async with engine.begin() as conn:
                await queue.complete(conn, claimed.lease)
            done += 1

    return sum(await asyncio.gather(*(worker(n) for n in range(tasks))))


def _run_phase(url: str, phase: str, workers: int, jobs: int, max_processes: int) -> float:
    processes = max(1, min(workers, max_processes))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    per_process = [
        workers // processes + (1 if p < workers % processes else 0) for p in range(processes)
    ]
    job_slices = [jobs // processes + (1 if p < jobs % processes else 0) for p in range(processes)]
    procs = []
    first = 0
    for tasks, count in zip(per_process, job_slices, strict=True):
        procs.append(
            ctx.Process(target=_process_main, args=(url, phase, tasks, first, count, barrier, out))
        )
        first += count
    for proc in procs:
        proc.start()
    reports: list[tuple[float, float, int]] = []
    try:
        while len(reports) < len(procs):
            try:
                reports.append(out.get(timeout=1.0))
            except queue_module.Empty:
                if any(p.exitcode not in (None, 0) for p in procs):
                    raise RuntimeError(f"a {phase} process failed") from None
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    done = sum(r[2] for r in reports)
    if done != jobs:
        raise RuntimeError(f"{phase}: {done} jobs instead of {jobs}")
    return max(r[1] for r in reports) - min(r[0] for r in reports)


# -- driver -----------------------------------------------------------------------------------


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _check_all_succeeded(url: str, jobs: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            counts = await JobQueue().counts(conn)
    finally:
        await engine.dispose()
    if counts != {"default": {JobStatus.SUCCEEDED: jobs}}:
        raise RuntimeError(f"unexpected job states after the run: {counts}")


def _bench(backend: str, url: str, workers: int, jobs: int, max_processes: int) -> Result:
    asyncio.run(_migrate(url))
    enqueue_s = _run_phase(url, "enqueue", workers, jobs, max_processes)
    process_s = _run_phase(url, "process", workers, jobs, max_processes)
    asyncio.run(_check_all_succeeded(url, jobs))
    return Result(backend, workers, jobs, enqueue_s, process_s)


def _print_table(results: list[Result]) -> None:
    header = ["database", "workers", "jobs", "enqueue/s", "claim+complete/s", "overall/s"]
    rows = [header] + [r.row() for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000, help="jobs per run (default 2000)")
    parser.add_argument(
        "--workers", default="1,4,16", help="comma-separated worker counts (default 1,4,16)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="spread the workers over at most this many processes (default: CPU count)",
    )
    parser.add_argument("--sqlite", action="store_true", help="also measure SQLite")
    args = parser.parse_args(argv)
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]

    results: list[Result] = []
    print(f"starting a throwaway PostgreSQL cluster; {args.jobs} jobs per run ...", flush=True)
    with PostgresCluster.start() as cluster:
        for workers in worker_counts:
            name = f"bench_{workers}"
            url = asyncio.run(cluster.create_database(name))
            results.append(_bench("postgresql", url, workers, args.jobs, args.processes))
            asyncio.run(cluster.drop_database(name))
            print(f"  postgresql, {workers} workers: done", flush=True)
    if args.sqlite:
        tmp = Path(tempfile.mkdtemp(prefix="manifold-queue-bench-"))
        try:
            for workers in worker_counts:
                url = f"sqlite+aiosqlite:///{tmp / f'bench_{workers}.db'}"
                results.append(_bench("sqlite", url, workers, args.jobs, args.processes))
                print(f"  sqlite, {workers} workers: done", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    _print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

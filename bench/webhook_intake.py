"""Webhook intake throughput: signed deliveries replayed at a real `manifold serve`.

    .venv/bin/python bench/webhook_intake.py [--deliveries 2000] [--concurrency 1,10]
                                             [--backends sqlite,postgres] [--drain]

For each backend (a SQLite file; a throwaway PostgreSQL 15 cluster from tests/store/pg.py)
and each concurrency C, a fresh database and a fresh `manifold serve --no-worker` process
(port on 127.0.0.1), then C client tasks POST `pull_request.opened` deliveries (the
`@octokit/webhooks-examples` payload, ~25 KB, if the fixture cache has it; else a synthetic one)
each with its own delivery id and a valid `X-Hub-Signature-256`, over keep-alive connections.
Every answer must be 202: the delivery row and its job are committed before the answer.
Reported: sustained deliveries/s (after 50 warm-up deliveries) and p50/p99 latency of one
request, next to Probot's figures measured on this machine (DESIGN.md §5).

With `--drain`, a worker then processes the queued deliveries (routing, and the part-2
preview stub job each pull request enqueues) and its rate is reported too.

Caveats: client and server share this machine's CPUs. The test cluster runs PostgreSQL with
`fsync=off` and `synchronous_commit=off` (tests/store/pg.py), so its commits are cheaper than
a production server's; SQLite runs as in production (WAL, synchronous=NORMAL). Probot's
numbers include creating a check run on a fake GitHub inside the request, which Manifold
never does in the request: its answer means "durably queued", and the work happens after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.store import create_engine, upgrade  # noqa: E402
from tests.fakes.webhooks import signature  # noqa: E402
from tests.store.pg import PostgresCluster  # noqa: E402

SECRET = "bench secret"
WARMUP = 50
PROBOT = {1: 97.0, 10: 409.0}  # deliveries/s, DESIGN.md §5
MANIFOLD = [sys.executable, "-c", "import sys; from resolver.cli import main; sys.exit(main())"]


@dataclass
class Result:
    backend: str
    concurrency: int
    deliveries: int
    seconds: float
    latencies: list[float]
    server_cpu: float = 0.0  # CPU seconds the server process spent on the measured part
    drained_per_s: float | None = None

    @property
    def cpu_ms(self) -> float:
        return self.server_cpu / self.deliveries * 1000

    @property
    def rate(self) -> float:
        return self.deliveries / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def load_payload() -> dict[str, Any]:
    try:
        from tests.fakes.fixtures import WEBHOOKS_FILE, WEBHOOKS_PACKAGE, fixture_path

        document = json.loads(fixture_path(WEBHOOKS_PACKAGE, WEBHOOKS_FILE).read_text())
        for entry in document:
            if entry["name"] == "pull_request":
                for example in entry["examples"]:
                    if example.get("action") == "opened" and "installation" in example:
                        return dict(example)
    except Exception as exc:
        print(f"(webhooks-examples not cached: {exc}; using a synthetic payload)")
    return {
        "action": "opened",
        "number": 1,
        "pull_request": {
            "number": 1,
            "head": {"sha": "a" * 40, "ref": "f"},
            "base": {"ref": "main"},
        },
        "repository": {"id": 1, "name": "r", "full_name": "o/r", "owner": {"login": "o"}},
        "installation": {"id": 1},
        "padding": "x" * 20_000,
    }


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc), 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the server did not become ready at {url}")


async def replay(url: str, body: bytes, total: int, concurrency: int) -> tuple[float, list[float]]:
    headers_base = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/bench",
        "X-GitHub-Event": "pull_request",
        "X-Hub-Signature-256": signature(body, SECRET),
    }
    latencies: list[float] = []
    remaining = WARMUP + total
    started = 0.0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            nonlocal remaining, started
            while remaining > 0:
                remaining -= 1
                warm = remaining >= total
                headers = {**headers_base, "X-GitHub-Delivery": str(uuid.uuid4())}
                t0 = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 202:
                        raise RuntimeError(f"answered {response.status}: {await response.text()}")
                if warm:
                    if remaining == total:
                        started = time.perf_counter()
                else:
                    latencies.append(time.perf_counter() - t0)

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


async def drain(database_url: str) -> float:
    """Process every queued delivery with one in-process worker; deliveries per second."""
    from app.metrics import Metrics
    from app.routing import Services, build_router, job_kinds
    from app.store import JobQueue
    from app.worker import Worker, WorkerConfig

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            count = (await conn.exec_driver_sql("SELECT count(*) FROM webhook_deliveries")).scalar()
        services = Services(engine, JobQueue(), Metrics())
        worker = Worker(
            engine,
            services.queue,
            job_kinds(services, build_router()),
            metrics=services.metrics,
            config=WorkerConfig(concurrency=8),
        )
        started = time.perf_counter()
        await worker.run_until_idle()
        return float(count or 0) / (time.perf_counter() - started)
    finally:
        await engine.dispose()


async def migrate(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def run_one(
    backend: str, database_url: str, concurrency: int, total: int, body: bytes, with_drain: bool
) -> Result:
    asyncio.run(migrate(database_url))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MANIFOLD_")},
        "MANIFOLD_WEBHOOK_SECRET": SECRET,
        "MANIFOLD_DATABASE_URL": database_url,
    }
    server = subprocess.Popen(
        [
            *MANIFOLD,
            "serve",
            "--no-worker",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{port}/readyz"))
        url = f"http://127.0.0.1:{port}/api/github/webhooks"
        cpu_before = process_cpu(server.pid)
        seconds, latencies = asyncio.run(replay(url, body, total, concurrency))
        cpu = process_cpu(server.pid) - cpu_before
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    result = Result(backend, concurrency, total, seconds, latencies, cpu)
    if with_drain:
        result.drained_per_s = asyncio.run(drain(database_url))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,10")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--drain", action="store_true", help="also time the worker")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    backends = [b.strip() for b in args.backends.split(",")]
    body = json.dumps(load_payload()).encode()
    print(f"payload: pull_request.opened, {len(body):,} bytes; {os.cpu_count()} CPUs")

    results: list[Result] = []
    tmp = Path(tempfile.mkdtemp(prefix="manifold-bench-"))
    cluster = PostgresCluster.start() if "postgres" in backends else None
    try:
        for backend in backends:
            for c in levels:
                name = f"bench_{backend}_{c}"
                if backend == "sqlite":
                    url = f"sqlite+aiosqlite:///{tmp / (name + '.db')}"
                else:
                    assert cluster is not None
                    url = asyncio.run(cluster.create_database(name))
                result = run_one(backend, url, c, args.deliveries, body, args.drain)
                results.append(result)
                print(
                    f"  {backend:<8} c={c:<3} {result.rate:8.0f}/s"
                    f"  p50 {result.percentile(0.50):6.1f} ms"
                    f"  p99 {result.percentile(0.99):6.1f} ms"
                    f"  server CPU {result.cpu_ms:4.1f} ms/delivery"
                )
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    columns = ["backend", "concurrency", "deliveries/s", "p50 ms", "p99 ms", "server CPU ms"]
    columns.append("Probot deliveries/s")
    if args.drain:
        columns.append("worker drain/s")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in results:
        line = (
            f"| {r.backend} | {r.concurrency} | {r.rate:,.0f} | {r.percentile(0.5):.1f}"
            f" | {r.percentile(0.99):.1f} | {r.cpu_ms:.1f}"
            f" | {PROBOT.get(r.concurrency, float('nan')):.0f} |"
        )
        if args.drain:
            line += f" {r.drained_per_s or 0:,.0f} |"
        print(line)
    every = [latency for r in results for latency in r.latencies]
    print(f"\n(median of all {len(every):,} requests: {statistics.median(every) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()

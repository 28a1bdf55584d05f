"""A database outage answers 503 (so GitHub shows the delivery as failed and it can be
redelivered), readiness reports it, and the server recovers when the database returns."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store import create_engine, upgrade
from tests.app.helpers import SECRET, served, settings_for
from tests.fakes.webhooks import signed_delivery
from tests.store.conftest import SKIP_POSTGRES
from tests.store.pg import PostgresCluster, PostgresUnavailable, find_bindir

PUSH = {
    "ref": "refs/heads/main",
    "before": "0" * 40,
    "after": "b" * 40,
    "repository": {
        "id": 9,
        "name": "orders",
        "full_name": "acme/orders",
        "owner": {"login": "acme"},
        "default_branch": "main",
    },
    "installation": {"id": 77},
}


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: it is stopped and started again mid-test."""
    if SKIP_POSTGRES:
        pytest.skip("MANIFOLD_TEST_POSTGRES=skip")
    if find_bindir() is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    try:
        cluster = PostgresCluster.start(max_connections=50)
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


def _stop(cluster: PostgresCluster) -> None:
    # `fast`, not `immediate`: the test cluster runs with synchronous_commit=off, and an
    # immediate stop would lose the commits acknowledged just before it.
    cluster._run("pg_ctl", "-D", str(cluster.datadir), "-m", "fast", "-w", "stop")
    cluster._running = False


@pytest.mark.postgres
async def test_postgres_down_is_503_and_recovers(own_cluster: PostgresCluster) -> None:
    url = await own_cluster.create_database("outage")
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    async with served(settings_for(url, database_timeout_seconds=3.0)) as s:
        first = signed_delivery("push", PUSH, SECRET)
        assert (await s.post(first))[0] == 202

        _stop(own_cluster)
        during = signed_delivery("push", PUSH, SECRET)
        status, body = await s.post(during)
        assert (status, body["status"]) == (503, "unavailable")
        ready = await s.client.get("/readyz")
        assert ready.status == 503
        assert "database" in (await ready.json())["problems"][0]

        own_cluster._pg_ctl_start(50)
        # GitHub redelivers the failed delivery (same id): now it is queued, once.
        assert (await s.post(during))[0] == 202
        assert (await s.post(during))[0] == 200
        assert (await s.client.get("/readyz")).status == 200
        assert len(await s.rows("jobs")) == 2


async def test_sqlite_locked_past_the_timeout_is_503(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    url = f"sqlite+aiosqlite:///{path}"
    async with served(settings_for(url, database_timeout_seconds=0.3)) as s:
        assert (await s.post(signed_delivery("push", PUSH, SECRET)))[0] == 202
        blocker = sqlite3.connect(path, isolation_level=None)
        during = signed_delivery("push", PUSH, SECRET)
        try:
            blocker.execute("BEGIN EXCLUSIVE")
            started = time.monotonic()
            status, body = await s.post(during)
            # Answered at the deadline, although the write is still waiting for the lock.
            assert (status, body["status"]) == (503, "unavailable")
            assert time.monotonic() - started < 5
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert (await s.post(signed_delivery("push", PUSH, SECRET)))[0] == 202
        # The write that was answered 503 may commit once the lock is gone; GitHub's
        # redelivery then is a duplicate. Either way the delivery is queued exactly once.
        assert (await s.post(during))[0] in (200, 202)
        jobs = await s.rows("jobs")
        assert [j["payload"]["delivery_id"] for j in jobs].count(during.delivery_id) == 1
        assert len(jobs) == 3

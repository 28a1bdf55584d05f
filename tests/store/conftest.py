"""Store test fixtures: every test runs on SQLite and on a throwaway PostgreSQL cluster.

- `async def` tests run under `asyncio.run` (a tiny runner below; no pytest-asyncio).
- `db` (function scope, parametrized `sqlite` / `postgres`): a migrated database without rows:
  on SQLite a copy of a template file migrated once per session; on PostgreSQL one database
  migrated once per session and emptied before each test.
- `empty_db`: a fresh database with no schema at all (for migration tests).

PostgreSQL binaries missing: the PostgreSQL half fails with an install hint, unless
`MANIFOLD_TEST_POSTGRES=skip` (then it is skipped).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.store import create_engine, upgrade
from app.store.schema import metadata
from tests.store.pg import INSTALL_HINT, PostgresCluster, PostgresUnavailable, find_bindir

SKIP_POSTGRES = os.environ.get("MANIFOLD_TEST_POSTGRES", "").strip().lower() == "skip"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
_names = itertools.count()


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True


@dataclass(frozen=True)
class Database:
    backend: str  # "sqlite" | "postgres"
    url: str

    @property
    def is_postgres(self) -> bool:
        return self.backend == "postgres"

    @asynccontextmanager
    async def engine(self, **kwargs: object) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(self.url, **kwargs)
        try:
            yield engine
        finally:
            await engine.dispose()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    if SKIP_POSTGRES:
        pytest.skip("MANIFOLD_TEST_POSTGRES=skip")
    if find_bindir() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_database(pg_cluster: PostgresCluster) -> str:
    """One migrated database for the session, emptied before each test that uses it.

    (`CREATE DATABASE ... TEMPLATE` costs ~0.35 s here; emptying the tables ~20 ms.)
    """

    async def build() -> str:
        url = await pg_cluster.create_database("manifold_test")
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        return url

    return asyncio.run(build())


async def _empty_pg_tables(cluster: PostgresCluster) -> None:
    import asyncpg

    tables = ", ".join(t.name for t in metadata.sorted_tables)
    conn = await asyncpg.connect(cluster.dsn("manifold_test"))
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL lock_timeout = '10s'")
            # flow_events refuses TRUNCATE (append-only); lift that for the reset only.
            await conn.execute("ALTER TABLE flow_events DISABLE TRIGGER USER")
            await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            await conn.execute("ALTER TABLE flow_events ENABLE TRIGGER USER")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(build())
    return path


def _fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool
) -> Iterator[Database]:
    backend: str = request.param
    if backend == "sqlite":
        path = tmp_path / "manifold.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield Database("sqlite", f"sqlite+aiosqlite:///{path}")
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    if migrated:
        url = request.getfixturevalue("pg_database")
        asyncio.run(_empty_pg_tables(cluster))
        yield Database("postgres", url)
        return
    name = f"t{os.getpid()}_{next(_names)}"
    url = asyncio.run(cluster.create_database(name))
    yield Database("postgres", url)
    asyncio.run(cluster.drop_database(name))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database migrated to head (do not change its schema: it is shared)."""
    yield from _fresh_database(request, tmp_path, migrated=True)


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database without any schema."""
    yield from _fresh_database(request, tmp_path, migrated=False)

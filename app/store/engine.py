"""Opening the database: URL handling and engine setup for PostgreSQL and SQLite.

Nothing here runs at import time; the server builds its engine once at start-up from its
settings (`database_url_from_env` is a convenience for the CLI and scripts).

SQLite setup, and why:
- WAL journal, so readers do not block the writer, and `synchronous=NORMAL` (durable across
  application crashes; the last transactions may roll back on power loss).
- `foreign_keys=ON` (off by default in SQLite) and a 30 s busy timeout.
- Every transaction starts with `BEGIN IMMEDIATE`: SQLite allows one writer at a time, and a
  deferred transaction that reads and then writes can fail with "database is locked" when it
  tries to upgrade its lock, with no retry possible. Taking the write lock up front makes every
  read-then-write (the queue's claim, the migrations' check-then-upgrade) atomic and lets the
  busy timeout queue writers instead of failing them. This is how SQLite stands in for
  PostgreSQL's `SELECT ... FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DATABASE_URL_ENV = "MANIFOLD_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./manifold.db"

_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """`MANIFOLD_DATABASE_URL`, or the SQLite default `sqlite+aiosqlite:///./manifold.db`."""
    env = os.environ if environ is None else environ
    return env.get(DATABASE_URL_ENV, "").strip() or DEFAULT_DATABASE_URL


def normalize_database_url(url: str | URL) -> URL:
    """Pick the async driver for a plain `postgresql://`, `postgres://` or `sqlite://` URL.

    Raises `sqlalchemy.exc.ArgumentError` for a URL that cannot be parsed and `ValueError` for
    a database Manifold does not support.
    """
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"unsupported database URL scheme {parsed.drivername!r}: use postgresql+asyncpg://"
            " or sqlite+aiosqlite://"
        )
    return parsed.set(drivername=driver)


def display_url(url: str | URL) -> str:
    """The URL with its password masked, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An `AsyncEngine` for `url`, configured for Manifold's use of that database.

    `kwargs` go to `sqlalchemy.ext.asyncio.create_async_engine` (e.g. `pool_size`, `echo`).
    """
    parsed = normalize_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", 30.0)
        engine = create_async_engine(parsed, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(parsed, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

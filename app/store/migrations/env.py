"""Alembic environment for the store.

Normally run by `app.store.migrate`, which passes an open connection (inside its transaction)
in `config.attributes["connection"]`. Run by the `alembic` command line instead (e.g. to
autogenerate a revision), it connects to `sqlalchemy.url` or `MANIFOLD_DATABASE_URL`.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from app.store.engine import create_engine, database_url_from_env, normalize_database_url
from app.store.schema import metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite can alter a table only by copying it: let revisions use batch operations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or database_url_from_env()


if context.is_offline_mode():
    context.configure(
        url=normalize_database_url(_url()).render_as_string(hide_password=False),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _run(existing)
    else:
        asyncio.run(_run_online(_url()))

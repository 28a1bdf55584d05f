"""Migrations: upgrade from empty, downgrade to base, match the models, start-up check."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store import (
    SchemaOutOfDate,
    downgrade,
    ensure_schema,
    head_revision,
    schema_status,
    upgrade,
)
from app.store.schema import metadata
from tests.store.conftest import Database

TABLES = {
    "installations",
    "projects",
    "repositories",
    "repository_compositions",
    "repository_doc_sources",
    "flow_events",
    "webhook_deliveries",
    "jobs",
    "check_runs",
    "comments",
}


def _tables(sync_conn: sa.Connection) -> set[str]:
    return set(sa.inspect(sync_conn).get_table_names())


async def _triggers(db: Database, conn: AsyncConnection) -> set[str]:
    if db.is_postgres:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return {row[0] for row in await conn.exec_driver_sql(sql)}


async def test_upgrade_from_empty_then_downgrade_to_base(empty_db: Database) -> None:
    async with empty_db.engine() as engine:
        status = await schema_status(engine)
        assert status.current is None and status.known and not status.up_to_date

        after = await upgrade(engine)
        assert after.current == head_revision() and after.up_to_date
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == TABLES | {"alembic_version"}
            assert await _triggers(empty_db, conn)

        after = await downgrade(engine, "base")
        assert after.current is None
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == {"alembic_version"}
            assert await _triggers(empty_db, conn) == set()
            if empty_db.is_postgres:
                leftovers = await conn.exec_driver_sql(
                    "SELECT proname FROM pg_proc WHERE proname = 'flow_events_append_only'"
                )
                assert leftovers.all() == []

        # and back up again: downgrade left nothing behind that blocks a fresh upgrade
        assert (await upgrade(engine)).up_to_date


async def test_upgrade_is_idempotent_and_safe_when_concurrent(empty_db: Database) -> None:
    async with empty_db.engine() as one, empty_db.engine() as two:
        results = await asyncio.gather(upgrade(one), upgrade(two))
        assert all(r.up_to_date for r in results)
        assert (await upgrade(one)).up_to_date


async def test_migrations_match_the_models(db: Database) -> None:
    def diff(sync_conn: sa.Connection) -> list[object]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with db.engine() as engine, engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_ensure_schema_migrates_sqlite_and_refuses_postgres(empty_db: Database) -> None:
    async with empty_db.engine() as engine:
        if empty_db.is_postgres:
            with pytest.raises(SchemaOutOfDate, match="manifold db upgrade") as info:
                await ensure_schema(engine)
            assert info.value.current is None and info.value.head == head_revision()
            assert (await schema_status(engine)).current is None  # untouched
        else:
            await ensure_schema(engine)
            assert (await schema_status(engine)).up_to_date


async def test_ensure_schema_with_explicit_choice(empty_db: Database) -> None:
    async with empty_db.engine() as engine:
        with pytest.raises(SchemaOutOfDate):
            await ensure_schema(engine, auto_migrate=False)
        await ensure_schema(engine, auto_migrate=True)
        await ensure_schema(engine, auto_migrate=False)  # up to date: nothing to refuse


async def test_ensure_schema_refuses_a_schema_from_a_newer_manifold(empty_db: Database) -> None:
    async with empty_db.engine() as engine:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00d'")
        status = await schema_status(engine)
        assert status.current == "f00d" and not status.known
        with pytest.raises(SchemaOutOfDate, match="newer Manifold"):
            await ensure_schema(engine, auto_migrate=True)

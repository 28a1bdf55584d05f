"""Schema migrations, run programmatically (no alembic.ini): upgrade, downgrade, status, and
the start-up check the server calls.

The Alembic environment lives in `app/store/migrations/` and ships inside the package. Each
command runs in one transaction on the caller's engine: on PostgreSQL behind an advisory lock
(two `manifold db upgrade` at once run one after the other), on SQLite behind `BEGIN IMMEDIATE`
(two servers starting at once migrate once). DDL is transactional on both, so a failed
migration leaves the schema as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.store.errors import SchemaOutOfDate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant will do; it only has to be the same in every Manifold process.
_PG_MIGRATION_LOCK = 0x4D414E49  # "MANI"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic `Config` pointing at the packaged migrations (and at `url`, if given)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise RuntimeError("no migrations found in app/store/migrations/versions")
    return head


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where a database's schema stands relative to this code."""

    current: str | None  # None: an empty database (no schema at all)
    head: str
    known: bool  # False: the database was migrated by a newer Manifold

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    async with engine.connect() as conn:
        current = await conn.run_sync(_current_revision)
    return _status(current)


async def current_revision(engine: AsyncEngine) -> str | None:
    return (await schema_status(engine)).current


async def upgrade(engine: AsyncEngine, revision: str = "head") -> SchemaStatus:
    """Apply migrations up to `revision`; returns the status afterwards."""
    async with engine.begin() as conn:
        await conn.run_sync(_locked_command, "upgrade", revision)
        current = await conn.run_sync(_current_revision)
    return _status(current)


async def downgrade(engine: AsyncEngine, revision: str) -> SchemaStatus:
    """Revert migrations down to `revision` (`base` removes every Manifold table)."""
    async with engine.begin() as conn:
        await conn.run_sync(_locked_command, "downgrade", revision)
        current = await conn.run_sync(_current_revision)
    return _status(current)


async def ensure_schema(engine: AsyncEngine, *, auto_migrate: bool | None = None) -> None:
    """Make sure the schema is the one this code needs, before the server starts serving.

    `auto_migrate=None` (the default) migrates SQLite by itself and never touches PostgreSQL,
    where schema changes are an operator's decision (run `manifold db upgrade` first). Raises
    `SchemaOutOfDate` when the schema is behind and may not be migrated here, or when the
    database was migrated by a newer Manifold.
    """
    if auto_migrate is None:
        auto_migrate = engine.dialect.name == "sqlite"
    status = await schema_status(engine)
    if status.up_to_date:
        return
    if not status.known:
        raise SchemaOutOfDate(
            f"the database schema is at revision {status.current}, which this Manifold does not"
            f" know (it needs {status.head}); the database was migrated by a newer Manifold:"
            " upgrade Manifold, or run `manifold db downgrade` with the newer version first",
            current=status.current,
            head=status.head,
        )
    if not auto_migrate:
        where = status.current or "empty (no schema)"
        raise SchemaOutOfDate(
            f"the database schema is behind: it is at {where}, this Manifold needs"
            f" {status.head}. Run `manifold db upgrade` (with the same MANIFOLD_DATABASE_URL)"
            " before starting the server.",
            current=status.current,
            head=status.head,
        )
    await upgrade(engine, "head")


def _status(current: str | None) -> SchemaStatus:
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    known = current is None or _has_revision(script, current)
    return SchemaStatus(current=current, head=head, known=known)


def _has_revision(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several types for an unknown id
        return False


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _locked_command(conn: Connection, name: str, revision: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
    config = alembic_config()
    config.attributes["connection"] = conn
    if name == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)

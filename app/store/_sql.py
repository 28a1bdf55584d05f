"""Column types and statement helpers shared by the store's modules (internal).

The store speaks to PostgreSQL (asyncpg) and SQLite (aiosqlite) through the same code; the few
places where the two differ are kept here: timestamps (SQLite has no time zones), JSON (JSONB on
PostgreSQL), auto-increment keys (SQLite only auto-increments `INTEGER PRIMARY KEY`) and
upserts (`INSERT ... ON CONFLICT`, spelt by each dialect's own `insert`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store.errors import InvalidValue


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime on both databases.

    PostgreSQL stores `timestamptz`; SQLite stores naive UTC text, which compares correctly as a
    string because SQLAlchemy always writes the same fixed-width format. Naive datetimes are
    rejected on the way in: a time without a zone is a bug waiting for a daylight-saving change.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


def insert(conn: AsyncConnection, table: sa.Table) -> Any:
    """The dialect's own `INSERT`, which knows `ON CONFLICT` (both dialects spell it alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {conn.dialect.name!r}")


def clean_text(value: str, what: str, *, max_length: int = 255) -> str:
    """Strip a required short text value; reject empty and over-long ones."""
    cleaned = value.strip()
    if not cleaned:
        raise InvalidValue(f"{what} is empty")
    if len(cleaned) > max_length:
        raise InvalidValue(f"{what} is longer than {max_length} characters")
    return cleaned

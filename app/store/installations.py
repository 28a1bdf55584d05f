"""GitHub App installations: the accounts that installed Manifold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import clean_text, insert, utcnow
from app.store.errors import NotFound
from app.store.schema import installations


@dataclass(frozen=True, slots=True)
class Installation:
    id: int  # GitHub's installation id
    account_login: str
    account_type: str  # "Organization" or "User"
    suspended_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None


async def upsert_installation(
    conn: AsyncConnection,
    *,
    installation_id: int,
    account_login: str,
    account_type: str = "Organization",
) -> Installation:
    """Create the installation, or refresh its account (e.g. after an account rename)."""
    now = utcnow()
    values = {
        "id": installation_id,
        "account_login": clean_text(account_login, "account login"),
        "account_type": clean_text(account_type, "account type", max_length=32),
        "created_at": now,
        "updated_at": now,
    }
    stmt = (
        insert(conn, installations)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[installations.c.id],
            set_={
                "account_login": values["account_login"],
                "account_type": values["account_type"],
                "updated_at": now,
            },
        )
        .returning(*installations.c)
    )
    return _installation((await conn.execute(stmt)).one()._mapping)


async def get_installation(conn: AsyncConnection, installation_id: int) -> Installation | None:
    row = (
        await conn.execute(sa.select(installations).where(installations.c.id == installation_id))
    ).one_or_none()
    return _installation(row._mapping) if row else None


async def set_installation_suspended(
    conn: AsyncConnection, installation_id: int, *, suspended: bool, at: datetime | None = None
) -> Installation:
    now = utcnow()
    stmt = (
        installations.update()
        .where(installations.c.id == installation_id)
        .values(suspended_at=(at or now) if suspended else None, updated_at=now)
        .returning(*installations.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"installation {installation_id} does not exist")
    return _installation(row._mapping)


async def delete_installation(conn: AsyncConnection, installation_id: int) -> bool:
    """Forget an uninstalled installation; its projects and repositories stay, unlinked."""
    result = await conn.execute(
        installations.delete()
        .where(installations.c.id == installation_id)
        .returning(installations.c.id)
    )
    return result.one_or_none() is not None


def _installation(row: RowMapping) -> Installation:
    return Installation(
        id=row["id"],
        account_login=row["account_login"],
        account_type=row["account_type"],
        suspended_at=row["suspended_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )

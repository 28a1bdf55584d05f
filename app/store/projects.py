"""Projects: a named set of bound repositories composed together, with its `multi_repo_mode`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import clean_text, insert, utcnow
from app.store.errors import AlreadyExists, InvalidValue, NotFound
from app.store.schema import installations, projects


class MultiRepoMode(StrEnum):
    """Per-project flag (DESIGN.md §4): how far multi-repo composition is switched on."""

    OFF = "off"
    PREVIEW = "preview"
    ENFORCED = "enforced"


def parse_multi_repo_mode(raw: MultiRepoMode | str) -> MultiRepoMode:
    try:
        return MultiRepoMode(str(raw).strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in MultiRepoMode)
        raise InvalidValue(f"multi_repo_mode {raw!r} is not one of {choices}") from None


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    installation_id: int | None
    multi_repo_mode: MultiRepoMode
    created_at: datetime
    updated_at: datetime


async def create_project(
    conn: AsyncConnection,
    *,
    name: str,
    installation_id: int | None = None,
    multi_repo_mode: MultiRepoMode | str = MultiRepoMode.PREVIEW,
) -> Project:
    """Create a project; raises `AlreadyExists` when the name is taken."""
    if installation_id is not None:
        found = await conn.scalar(
            sa.select(installations.c.id).where(installations.c.id == installation_id)
        )
        if found is None:
            raise NotFound(f"installation {installation_id} does not exist")
    now = utcnow()
    stmt = (
        insert(conn, projects)
        .values(
            name=clean_text(name, "project name"),
            installation_id=installation_id,
            multi_repo_mode=parse_multi_repo_mode(multi_repo_mode).value,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(*projects.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is None:
        raise AlreadyExists(f"a project named {name.strip()!r} already exists")
    return _project(row._mapping)


async def get_project(conn: AsyncConnection, project_id: int) -> Project | None:
    row = (await conn.execute(sa.select(projects).where(projects.c.id == project_id))).one_or_none()
    return _project(row._mapping) if row else None


async def get_project_by_name(conn: AsyncConnection, name: str) -> Project | None:
    stmt = sa.select(projects).where(projects.c.name == name.strip())
    row = (await conn.execute(stmt)).one_or_none()
    return _project(row._mapping) if row else None


async def list_projects(
    conn: AsyncConnection, *, installation_id: int | None = None
) -> list[Project]:
    stmt = sa.select(projects).order_by(projects.c.name)
    if installation_id is not None:
        stmt = stmt.where(projects.c.installation_id == installation_id)
    return [_project(row._mapping) for row in await conn.execute(stmt)]


async def set_multi_repo_mode(
    conn: AsyncConnection, project_id: int, mode: MultiRepoMode | str
) -> Project:
    stmt = (
        projects.update()
        .where(projects.c.id == project_id)
        .values(multi_repo_mode=parse_multi_repo_mode(mode).value, updated_at=utcnow())
        .returning(*projects.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound(f"project {project_id} does not exist")
    return _project(row._mapping)


async def delete_project(conn: AsyncConnection, project_id: int) -> bool:
    """Delete a project with its repositories, compositions and doc sources (not its audit)."""
    result = await conn.execute(
        projects.delete().where(projects.c.id == project_id).returning(projects.c.id)
    )
    return result.one_or_none() is not None


def _project(row: RowMapping) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        installation_id=row["installation_id"],
        multi_repo_mode=MultiRepoMode(row["multi_repo_mode"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )

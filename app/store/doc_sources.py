"""A project's documentation sources (`repository_doc_sources`), as bound by role.

Aliases and paths follow upstream's rules (`resolver.naming`); roles are lower-cased,
de-duplicated and sorted; an empty role list means "every role". Lower `priority` comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import utcnow
from app.store.errors import InvalidValue, NotFound
from app.store.schema import projects, repository_doc_sources
from resolver.naming import clean_repo_path, normalize_alias, normalize_roles

_t = repository_doc_sources


@dataclass(frozen=True, slots=True)
class DocSourceSpec:
    repository_alias: str
    path: str
    description: str = ""
    roles: tuple[str, ...] = field(default=())
    optional: bool = False
    priority: int = 0


@dataclass(frozen=True, slots=True)
class DocSource:
    id: int
    project_id: int
    repository_alias: str
    path: str
    description: str
    roles: tuple[str, ...]  # empty: every role
    optional: bool
    priority: int
    created_at: datetime
    updated_at: datetime

    def applies_to(self, role: str) -> bool:
        return not self.roles or role.strip().lower() in self.roles


async def replace_doc_sources(
    conn: AsyncConnection, project_id: int, sources: Iterable[DocSourceSpec]
) -> list[DocSource]:
    """Replace the project's doc sources with `sources` (one transaction: all or nothing)."""
    found = await conn.scalar(sa.select(projects.c.id).where(projects.c.id == project_id))
    if found is None:
        raise NotFound(f"project {project_id} does not exist")
    now = utcnow()
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for spec in sources:
        alias = normalize_alias(spec.repository_alias)
        path = clean_repo_path(spec.path)
        if (alias, path) in seen:
            raise InvalidValue(f"doc source {alias}:{path} is listed twice")
        seen.add((alias, path))
        rows.append(
            {
                "project_id": project_id,
                "repository_alias": alias,
                "path": path,
                "description": spec.description.strip(),
                "roles_json": normalize_roles(spec.roles),
                "optional": bool(spec.optional),
                "priority": int(spec.priority),
                "created_at": now,
                "updated_at": now,
            }
        )
    await conn.execute(_t.delete().where(_t.c.project_id == project_id))
    if rows:
        await conn.execute(_t.insert(), rows)
    return await list_doc_sources(conn, project_id)


async def list_doc_sources(
    conn: AsyncConnection, project_id: int, *, role: str | None = None
) -> list[DocSource]:
    """The project's doc sources by priority, then alias, then path; optionally for one role."""
    stmt = (
        sa.select(_t)
        .where(_t.c.project_id == project_id)
        .order_by(_t.c.priority, _t.c.repository_alias, _t.c.path)
    )
    sources = [_doc_source(row._mapping) for row in await conn.execute(stmt)]
    if role is not None and role.strip():
        sources = [s for s in sources if s.applies_to(role)]
    return sources


def _doc_source(row: RowMapping) -> DocSource:
    return DocSource(
        id=row["id"],
        project_id=row["project_id"],
        repository_alias=row["repository_alias"],
        path=row["path"],
        description=row["description"],
        roles=tuple(row["roles_json"]),
        optional=row["optional"],
        priority=row["priority"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )

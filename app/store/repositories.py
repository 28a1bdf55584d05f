"""Repositories bound to a project (`repositories`), with upstream's invariants enforced here.

- `alias`: lower-cased, `^[a-z0-9][a-z0-9._-]*$`, unique per project (defaults to the
  repository name, normalized);
- `role`: orchestrator | service | docs | mixed (default service), lower-cased;
- `services_yaml_path` / `docs_root_path`: repo-relative, cleaned, never absolute or escaping.

The rules themselves live in `resolver.naming` (shared with the loader); violations raise its
`InvalidName`. The database backs them up with a unique constraint and a CHECK on `role`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import clean_text, insert, utcnow
from app.store.errors import AliasTaken, InvalidValue, NotFound
from app.store.schema import installations, projects, repositories
from resolver.naming import clean_repo_path, normalize_alias, normalize_role

DEFAULT_SERVICES_YAML_PATH: Final = "services.yaml"
DEFAULT_REF: Final = "main"
DEFAULT_ROLE: Final = "service"


@dataclass(frozen=True, slots=True)
class Repository:
    id: int
    project_id: int
    installation_id: int | None
    provider: str
    external_id: str | None
    owner: str
    name: str
    alias: str
    role: str
    default_ref: str
    services_yaml_path: str
    docs_root_path: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True, slots=True)
class NewRepository:
    """What a caller supplies to bind a repository; normalized by `add_repository`."""

    owner: str
    name: str
    alias: str | None = None  # None: the repository name, normalized
    role: str = DEFAULT_ROLE
    provider: str = "github"
    external_id: str | int | None = None
    installation_id: int | None = None
    default_ref: str = DEFAULT_REF
    services_yaml_path: str = DEFAULT_SERVICES_YAML_PATH
    docs_root_path: str | None = None


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


@dataclass(frozen=True, slots=True)
class RepositoryChanges:
    """A partial update: fields left `UNSET` keep their value."""

    alias: str | _Unset = UNSET
    role: str | _Unset = UNSET
    owner: str | _Unset = UNSET
    name: str | _Unset = UNSET
    external_id: str | int | _Unset | None = UNSET
    installation_id: int | _Unset | None = UNSET
    default_ref: str | _Unset = UNSET
    services_yaml_path: str | _Unset = UNSET
    docs_root_path: str | _Unset | None = UNSET


async def add_repository(conn: AsyncConnection, project_id: int, spec: NewRepository) -> Repository:
    """Bind a repository to a project. Raises `AliasTaken`, `NotFound`, `InvalidName`."""
    values = _normalized(
        {
            "provider": spec.provider,
            "external_id": spec.external_id,
            "owner": spec.owner,
            "name": spec.name,
            "alias": spec.alias if spec.alias is not None else spec.name,
            "role": spec.role,
            "installation_id": spec.installation_id,
            "default_ref": spec.default_ref,
            "services_yaml_path": spec.services_yaml_path,
            "docs_root_path": spec.docs_root_path,
        }
    )
    await _require_project(conn, project_id)
    await _require_installation(conn, values["installation_id"])
    now = utcnow()
    stmt = (
        insert(conn, repositories)
        .values(project_id=project_id, created_at=now, updated_at=now, **values)
        .on_conflict_do_nothing(index_elements=[repositories.c.project_id, repositories.c.alias])
        .returning(*repositories.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is None:
        raise AliasTaken(project_id, values["alias"])
    return _repository(row._mapping)


async def get_repository(conn: AsyncConnection, project_id: int, alias: str) -> Repository | None:
    """The binding for `alias` (normalized before the look-up) in the project, or None."""
    stmt = sa.select(repositories).where(
        repositories.c.project_id == project_id,
        repositories.c.alias == normalize_alias(alias),
    )
    row = (await conn.execute(stmt)).one_or_none()
    return _repository(row._mapping) if row else None


async def list_repositories(conn: AsyncConnection, project_id: int) -> list[Repository]:
    """The project's repositories, by alias."""
    stmt = (
        sa.select(repositories)
        .where(repositories.c.project_id == project_id)
        .order_by(repositories.c.alias)
    )
    return [_repository(row._mapping) for row in await conn.execute(stmt)]


async def find_repositories(
    conn: AsyncConnection,
    *,
    provider: str = "github",
    external_id: str | int | None = None,
    owner: str | None = None,
    name: str | None = None,
) -> list[Repository]:
    """Every binding (in any project) of one provider repository, by id or by owner/name.

    Owner and name match case-insensitively, as on GitHub. This is how a webhook for a
    repository finds the projects it belongs to.
    """
    stmt = sa.select(repositories).where(repositories.c.provider == provider.strip().lower())
    if external_id is not None:
        stmt = stmt.where(repositories.c.external_id == str(external_id))
    elif owner is not None and name is not None:
        stmt = stmt.where(
            sa.func.lower(repositories.c.owner) == owner.strip().lower(),
            sa.func.lower(repositories.c.name) == name.strip().lower(),
        )
    else:
        raise InvalidValue("find_repositories needs external_id, or owner and name")
    stmt = stmt.order_by(repositories.c.project_id, repositories.c.alias)
    return [_repository(row._mapping) for row in await conn.execute(stmt)]


async def update_repository(
    conn: AsyncConnection, project_id: int, alias: str, changes: RepositoryChanges
) -> Repository:
    """Apply `changes` to the binding `alias`. Raises `NotFound`, `AliasTaken`, `InvalidName`."""
    current = await get_repository(conn, project_id, alias)
    if current is None:
        raise NotFound(f"repository {alias!r} is not bound in project {project_id}")
    raw = {
        f.name: getattr(changes, f.name)
        for f in fields(changes)
        if not isinstance(getattr(changes, f.name), _Unset)
    }
    values = _normalized(raw)
    if not values:
        return current
    if "installation_id" in values:
        await _require_installation(conn, values["installation_id"])
    new_alias = values.get("alias", current.alias)
    if new_alias != current.alias and await get_repository(conn, project_id, new_alias):
        raise AliasTaken(project_id, new_alias)
    stmt = (
        repositories.update()
        .where(repositories.c.id == current.id)
        .values(updated_at=utcnow(), **values)
        .returning(*repositories.c)
    )
    try:
        # A savepoint keeps the caller's transaction usable if a concurrent binding took the
        # alias between the check above and this update.
        async with conn.begin_nested():
            row = (await conn.execute(stmt)).one()
    except IntegrityError as exc:
        raise AliasTaken(project_id, new_alias) from exc
    return _repository(row._mapping)


async def delete_repository(conn: AsyncConnection, project_id: int, alias: str) -> bool:
    stmt = (
        repositories.delete()
        .where(
            repositories.c.project_id == project_id,
            repositories.c.alias == normalize_alias(alias),
        )
        .returning(repositories.c.id)
    )
    return (await conn.execute(stmt)).one_or_none() is not None


# -- invariants -------------------------------------------------------------------------------


def _normalized(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Apply every rule to the fields present in `raw`."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "alias":
            out[key] = normalize_alias(value)
        elif key == "role":
            out[key] = normalize_role(value)
        elif key in ("services_yaml_path",):
            out[key] = clean_repo_path(value)
        elif key == "docs_root_path":
            out[key] = None if value is None or not str(value).strip() else clean_repo_path(value)
        elif key in ("owner", "name"):
            out[key] = _github_name(value, key)
        elif key == "provider":
            out[key] = clean_text(value, "provider", max_length=32).lower()
        elif key == "external_id":
            out[key] = (
                None if value is None else clean_text(str(value), "external id", max_length=64)
            )
        elif key == "default_ref":
            ref = clean_text(value, "default ref")
            if any(ch.isspace() for ch in ref):
                raise InvalidValue(f"default ref {value!r} contains whitespace")
            out[key] = ref
        else:
            out[key] = value
    return out


def _github_name(value: str, what: str) -> str:
    cleaned = clean_text(value, f"repository {what}")
    if "/" in cleaned or any(ch.isspace() for ch in cleaned):
        raise InvalidValue(f"repository {what} {value!r} may not contain '/' or whitespace")
    return cleaned


async def _require_project(conn: AsyncConnection, project_id: int) -> None:
    found = await conn.scalar(sa.select(projects.c.id).where(projects.c.id == project_id))
    if found is None:
        raise NotFound(f"project {project_id} does not exist")


async def _require_installation(conn: AsyncConnection, installation_id: int | None) -> None:
    if installation_id is None:
        return
    found = await conn.scalar(
        sa.select(installations.c.id).where(installations.c.id == installation_id)
    )
    if found is None:
        raise NotFound(f"installation {installation_id} does not exist")


def _repository(row: RowMapping) -> Repository:
    return Repository(
        id=row["id"],
        project_id=row["project_id"],
        installation_id=row["installation_id"],
        provider=row["provider"],
        external_id=row["external_id"],
        owner=row["owner"],
        name=row["name"],
        alias=row["alias"],
        role=row["role"],
        default_ref=row["default_ref"],
        services_yaml_path=row["services_yaml_path"],
        docs_root_path=row["docs_root_path"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )

"""Composition runs (`repository_compositions`) and their audit events.

A composition is identified by (project, environment, composition key). The key is computed by
the caller from the run's inputs (root, resolved commits) and is deterministic: the same inputs
find the same row, so a `ready` composition is a cache hit. Every status change writes the
matching `run.composition.*` event into `flow_events` in the same transaction.

    start_composition           -> pending   (run.composition.resolve_started)
    mark_composition_ready      -> ready     (run.composition.resolve_succeeded)
    mark_composition_failed     -> failed    (run.composition.resolve_failed)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from app.store._sql import clean_text, insert, utcnow
from app.store.audit import SYSTEM, Actor, FlowEventType, record_event
from app.store.errors import NotFound
from app.store.schema import projects, repository_compositions
from resolver.naming import normalize_alias

_t = repository_compositions


class CompositionStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Composition:
    id: int
    project_id: int
    environment: str
    composition_key: str
    root_repository_alias: str | None  # None: a virtual root
    resolved_repositories: Sequence[Mapping[str, Any]]
    effective_manifest: Mapping[str, Any] | None
    effective_manifest_hash: str | None
    status: CompositionStatus
    error_message: str | None
    correlation_id: str
    created_at: datetime
    updated_at: datetime

    @property
    def virtual_root(self) -> bool:
        return self.root_repository_alias is None


async def start_composition(
    conn: AsyncConnection,
    *,
    project_id: int,
    environment: str,
    composition_key: str,
    root_repository_alias: str | None,
    correlation_id: str,
    resolved_repositories: Sequence[Mapping[str, Any]] = (),
    actor: Actor = SYSTEM,
) -> Composition:
    """Record that a resolve starts, or find the ready result of an identical earlier one.

    Returns the composition: `ready` means nothing needs resolving (no event is written);
    otherwise it is (again) `pending` and `run.composition.resolve_started` is recorded.
    """
    environment = clean_text(environment, "environment")
    composition_key = clean_text(composition_key, "composition key")
    root = None if root_repository_alias is None else normalize_alias(root_repository_alias)
    correlation_id = clean_text(correlation_id, "correlation id", max_length=128)
    found = await conn.scalar(sa.select(projects.c.id).where(projects.c.id == project_id))
    if found is None:
        raise NotFound(f"project {project_id} does not exist")
    now = utcnow()
    stmt = (
        insert(conn, _t)
        .values(
            project_id=project_id,
            environment=environment,
            composition_key=composition_key,
            root_repository_alias=root,
            resolved_repositories_json=[dict(r) for r in resolved_repositories],
            status=CompositionStatus.PENDING.value,
            correlation_id=correlation_id,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(*_t.c)
    )
    row = (await conn.execute(stmt)).one_or_none()
    if row is None:
        existing = await find_composition(conn, project_id, environment, composition_key)
        assert existing is not None
        if existing.status is CompositionStatus.READY:
            return existing
        reset = (
            _t.update()
            .where(_t.c.id == existing.id)
            .values(
                status=CompositionStatus.PENDING.value,
                error_message=None,
                correlation_id=correlation_id,
                updated_at=now,
            )
            .returning(*_t.c)
        )
        row = (await conn.execute(reset)).one()
    composition = _composition(row._mapping)
    await record_event(
        conn,
        FlowEventType.RESOLVE_STARTED,
        correlation_id=correlation_id,
        actor=actor,
        payload=_event_payload(composition),
        at=now,
    )
    return composition


async def mark_composition_ready(
    conn: AsyncConnection,
    composition_id: int,
    *,
    resolved_repositories: Sequence[Mapping[str, Any]],
    effective_manifest: Mapping[str, Any],
    effective_manifest_hash: str,
    actor: Actor = SYSTEM,
) -> Composition:
    """Store the result and record `run.composition.resolve_succeeded`.

    A composition that is already ready is returned unchanged: the key is deterministic, so a
    second resolver of the same inputs computed the same result.
    """
    current = await _require(conn, composition_id)
    if current.status is CompositionStatus.READY:
        return current
    now = utcnow()
    stmt = (
        _t.update()
        .where(_t.c.id == composition_id)
        .values(
            status=CompositionStatus.READY.value,
            resolved_repositories_json=[dict(r) for r in resolved_repositories],
            effective_manifest_json=dict(effective_manifest),
            effective_manifest_hash=clean_text(
                effective_manifest_hash, "manifest hash", max_length=128
            ),
            error_message=None,
            updated_at=now,
        )
        .returning(*_t.c)
    )
    composition = _composition((await conn.execute(stmt)).one()._mapping)
    payload = _event_payload(composition)
    payload["effective_services_manifest_hash"] = composition.effective_manifest_hash
    payload["imported_repositories"] = len(composition.resolved_repositories)
    await record_event(
        conn,
        FlowEventType.RESOLVE_SUCCEEDED,
        correlation_id=composition.correlation_id,
        actor=actor,
        payload=payload,
        at=now,
    )
    return composition


async def mark_composition_failed(
    conn: AsyncConnection,
    composition_id: int,
    *,
    error_message: str,
    errors: Sequence[Mapping[str, Any]] = (),
    actor: Actor = SYSTEM,
) -> Composition:
    """Record the failure (`run.composition.resolve_failed`, with `errors` in its payload)."""
    current = await _require(conn, composition_id)
    if current.status is CompositionStatus.READY:
        return current
    now = utcnow()
    stmt = (
        _t.update()
        .where(_t.c.id == composition_id)
        .values(status=CompositionStatus.FAILED.value, error_message=error_message, updated_at=now)
        .returning(*_t.c)
    )
    composition = _composition((await conn.execute(stmt)).one()._mapping)
    payload = _event_payload(composition)
    payload["error_message"] = error_message
    payload["errors"] = [dict(e) for e in errors]
    await record_event(
        conn,
        FlowEventType.RESOLVE_FAILED,
        correlation_id=composition.correlation_id,
        actor=actor,
        payload=payload,
        at=now,
    )
    return composition


async def get_composition(conn: AsyncConnection, composition_id: int) -> Composition | None:
    row = (await conn.execute(sa.select(_t).where(_t.c.id == composition_id))).one_or_none()
    return _composition(row._mapping) if row else None


async def find_composition(
    conn: AsyncConnection, project_id: int, environment: str, composition_key: str
) -> Composition | None:
    stmt = sa.select(_t).where(
        _t.c.project_id == project_id,
        _t.c.environment == environment.strip(),
        _t.c.composition_key == composition_key.strip(),
    )
    row = (await conn.execute(stmt)).one_or_none()
    return _composition(row._mapping) if row else None


async def latest_composition(
    conn: AsyncConnection,
    project_id: int,
    environment: str,
    *,
    status: CompositionStatus | None = None,
) -> Composition | None:
    """The most recently updated composition of the environment (optionally with `status`)."""
    stmt = sa.select(_t).where(_t.c.project_id == project_id, _t.c.environment == environment)
    if status is not None:
        stmt = stmt.where(_t.c.status == status.value)
    stmt = stmt.order_by(_t.c.updated_at.desc(), _t.c.id.desc()).limit(1)
    row = (await conn.execute(stmt)).one_or_none()
    return _composition(row._mapping) if row else None


async def _require(conn: AsyncConnection, composition_id: int) -> Composition:
    composition = await get_composition(conn, composition_id)
    if composition is None:
        raise NotFound(f"composition {composition_id} does not exist")
    return composition


def _event_payload(c: Composition) -> dict[str, Any]:
    return {
        "composition_id": c.id,
        "project_id": c.project_id,
        "environment": c.environment,
        "composition_key": c.composition_key,
        "root_repository_alias": c.root_repository_alias,
    }


def _composition(row: RowMapping) -> Composition:
    return Composition(
        id=row["id"],
        project_id=row["project_id"],
        environment=row["environment"],
        composition_key=row["composition_key"],
        root_repository_alias=row["root_repository_alias"],
        resolved_repositories=row["resolved_repositories_json"],
        effective_manifest=row["effective_manifest_json"],
        effective_manifest_hash=row["effective_manifest_hash"],
        status=CompositionStatus(row["status"]),
        error_message=row["error_message"],
        correlation_id=row["correlation_id"] or f"composition:{row['id']}",
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )

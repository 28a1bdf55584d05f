"""Audit of stored compositions (DESIGN.md §4 names) and of runs that have no project.

Each composition stored for a project writes, besides the store's `run.composition.*`
events, `run.docs_graph.resolved` (the role, the sources, references before / after
de-duplication) and `run.repo.checkout.plan_built` (per repository the pinned commit and
how many paths). A repository bound to no project has no project to store under, so its run
writes all of them here, with `project_id` null.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.store import Actor, FlowEventType, record_event
from resolver.composition import PreviewReport
from resolver.diagnostics import Diagnostic

ACTOR = Actor("github_app", "manifold")
MAX_STORED_ERRORS = 100


def problems_of(report: PreviewReport) -> list[Diagnostic]:
    return [c.diagnostic for c in report.conflicts] + list(report.validation_errors)


def failure_message(report: PreviewReport) -> str:
    errors = problems_of(report)
    first = errors[0].message if errors else ""
    return f"{len(report.conflicts)} conflict(s), {len(report.validation_errors)} error(s): {first}"


def stored_errors(report: PreviewReport) -> list[dict[str, Any]]:
    return [d.to_dict() for d in problems_of(report)][:MAX_STORED_ERRORS]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One composition as the audit names it."""

    correlation_id: str
    project_id: int | None
    project: str  # the project's name (the repository's full name when unbound)
    environment: str
    slot: int
    composition_key: str
    composition_id: int | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)


async def audit_plans(conn: AsyncConnection, run: RunRecord, report: PreviewReport) -> None:
    common = {
        "composition_id": run.composition_id,
        "project_id": run.project_id,
        "project": run.project,
        "composition_key": run.composition_key,
        "overrides": dict(run.overrides),
    }
    docs = report.docs
    await _record(
        conn,
        run,
        FlowEventType.DOCS_GRAPH_RESOLVED,
        {
            **common,
            "role": docs.role,
            "refs_before_dedup": docs.total + len(docs.shadowed),
            "refs_after_dedup": docs.total,
            "shown": docs.shown,
            "sources": [
                {"repository": s.repository, "path": s.path, "resolved_commit": s.resolved_commit}
                for s in docs.sources
            ],
        },
    )
    await _record(
        conn,
        run,
        FlowEventType.CHECKOUT_PLAN_BUILT,
        {
            **common,
            "environment": run.environment,
            "slot": run.slot,
            "repositories": [
                {"repository": c.repository, "commit": c.commit, "paths": len(c.paths)}
                for c in report.checkout_plan
            ],
        },
    )


async def audit_unbound(conn: AsyncConnection, run: RunRecord, report: PreviewReport) -> None:
    """A repository bound to no project has no composition row; its run is audited alone."""
    payload: dict[str, Any] = {
        "composition_id": None,
        "project_id": None,
        "repository": run.project,
        "environment": run.environment,
        "composition_key": run.composition_key,
        "root_repository_alias": report.root_repository,
    }
    await _record(conn, run, FlowEventType.RESOLVE_STARTED, payload)
    if report.ok:
        done = {**payload, "effective_services_manifest_hash": report.manifest_hash}
        await _record(conn, run, FlowEventType.RESOLVE_SUCCEEDED, done)
    else:
        failed = {
            **payload,
            "error_message": failure_message(report),
            "errors": stored_errors(report),
        }
        await _record(conn, run, FlowEventType.RESOLVE_FAILED, failed)
    await audit_plans(conn, run, report)


async def _record(
    conn: AsyncConnection, run: RunRecord, event: FlowEventType, payload: Mapping[str, Any]
) -> None:
    await record_event(conn, event, correlation_id=run.correlation_id, actor=ACTOR, payload=payload)

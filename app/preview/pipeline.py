"""Compose for a change: a scope (`app.preview.scopes`) at the change's commits.

In a scope the changed repository is put at the change's commit (`ref_overrides`) and
every other repository stays at its binding's default ref. The base is composed the same
way with the changed repository at the base commit, so the diff shows what the change
itself does.

Every composition is recorded in `repository_compositions` under a deterministic key: a
digest of everything that decides its result (Manifold's version, the scope's bindings,
environment, slot, role, the overrides and every ref the run resolved with the commit it
resolved to). The same key therefore always means the same result, and a key that was
stored `ready` is not written again. Nothing is ever read back instead of composing: each
preview composes afresh (the GitHub source's caches make that cheap), so nothing stale is
reused. Each stored composition writes `run.composition.resolve_started` and
`resolve_succeeded` / `resolve_failed` (through the store) and the audit of
`app.preview.audit`; latency, imported repositories and docs references are measured.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.github import GitHubApp, GitHubSource, ObjectCache
from app.metrics import Metrics
from app.preview.audit import (
    ACTOR,
    RunRecord,
    audit_plans,
    audit_unbound,
    failure_message,
    stored_errors,
)
from app.preview.scopes import Scope
from app.store import (
    CompositionStatus,
    mark_composition_failed,
    mark_composition_ready,
    start_composition,
)
from resolver.composition import PreviewReport, compose_async
from resolver.composition.report import canonical_json
from resolver.composition.sources import SourceError

DEFAULT_ENV = "ai"
DEFAULT_SLOT = 1
#: environments a preview plans, in order of preference, when the manifest lacks `ai`
PREFERRED_ENVS = ("ai", "dev", "staging", "production")


def _manifold_version() -> str:
    try:
        return metadata.version("manifold")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed here
        return "unknown"


@dataclass(frozen=True, slots=True)
class Composed:
    report: PreviewReport
    composition_id: int | None
    key: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Run:
    """What a composition is asked for."""

    env: str = DEFAULT_ENV
    slot: int = DEFAULT_SLOT
    role: str | None = None
    correlation_id: str = ""


# -- composing --------------------------------------------------------------------------------


class RecordingSource:
    """A `GitHubSource` that remembers every ref it resolved (for the composition key)."""

    def __init__(self, inner: GitHubSource) -> None:
        self.inner = inner
        self.resolved: dict[tuple[str, str], str] = {}

    async def resolve_ref(self, alias: str, ref: str) -> str:
        try:
            commit = await self.inner.resolve_ref(alias, ref)
        except SourceError as exc:
            self.resolved[(alias, ref)] = f"!{exc.reason}"
            raise
        self.resolved[(alias, ref)] = commit
        return commit

    async def read_file(self, alias: str, commit: str, path: str) -> bytes | None:
        return await self.inner.read_file(alias, commit, path)

    async def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None:
        return await self.inner.list_dir(alias, commit, path)


def composition_key(
    scope: Scope, run: Run, overrides: Mapping[str, str], resolved: Mapping[tuple[str, str], str]
) -> str:
    material = {
        "version": _manifold_version(),
        "project": scope.workspace.project,
        "mode": scope.mode,
        "bindings": [
            {k: v for k, v in asdict(b).items() if k != "path"}
            for b in scope.workspace.repositories
        ],
        "env": run.env,
        "slot": run.slot,
        "role": run.role,
        "overrides": dict(sorted(overrides.items())),
        "resolved": sorted([alias, ref, commit] for (alias, ref), commit in resolved.items()),
    }
    return "sha256:" + hashlib.sha256(canonical_json(material)).hexdigest()


def preferred_environment(report: PreviewReport) -> str | None:
    """Another environment to plan when the one asked for is not defined (None: keep it)."""
    if not any(d.reason == "unknown_environment" for d in report.validation_errors):
        return None
    spec = report.manifest.get("spec")
    envs = spec.get("environments") if isinstance(spec, dict) else None
    names = sorted(str(n) for n in envs) if isinstance(envs, dict) else []
    if not names:
        return None
    return next((n for n in PREFERRED_ENVS if n in names), names[0])


@dataclass
class Composer:
    """Composes scopes through one GitHub client and object cache, stores and audits each."""

    engine: AsyncEngine
    github: GitHubApp
    metrics: Metrics
    cache: ObjectCache = field(default_factory=ObjectCache)

    async def compose(
        self, scope: Scope, run: Run, overrides: Mapping[str, str], *, pick_env: bool = False
    ) -> tuple[Composed, Run]:
        """Compose `scope` with `overrides`; with `pick_env`, an environment the manifest
        defines replaces an undefined one (previews plan `ai` when it exists)."""
        composed = await self._compose(scope, run, overrides)
        other = preferred_environment(composed.report) if pick_env else None
        if other is not None and other != run.env:
            run = Run(other, run.slot, run.role, run.correlation_id)
            composed = await self._compose(scope, run, overrides)
        self._measure(composed)
        return await self._store(scope, run, overrides, composed), run

    async def _compose(self, scope: Scope, run: Run, overrides: Mapping[str, str]) -> Composed:
        source = RecordingSource(GitHubSource(self.github, scope.repositories, cache=self.cache))
        started = time.perf_counter()
        report = await compose_async(
            scope.workspace,
            source,
            env=run.env,
            slot=run.slot,
            role=run.role,
            ref_overrides=dict(overrides),
        )
        seconds = time.perf_counter() - started
        key = composition_key(scope, run, overrides, source.resolved)
        return Composed(report, None, key, seconds)

    def _measure(self, composed: Composed) -> None:
        report = composed.report
        self.metrics.composition_resolve_seconds.observe(composed.seconds)
        repositories = {i.repository for i in report.imports if i.repository}
        repositories |= {c.repository for c in report.checkout_plan}
        self.metrics.composition_imported_repositories.observe(len(repositories))
        self.metrics.docs_refs.labels("before").observe(
            report.docs.total + len(report.docs.shadowed)
        )
        self.metrics.docs_refs.labels("after").observe(report.docs.total)

    async def _store(
        self, scope: Scope, run: Run, overrides: Mapping[str, str], composed: Composed
    ) -> Composed:
        report = composed.report
        record = RunRecord(
            correlation_id=run.correlation_id or "preview",
            project_id=scope.project_id,
            project=scope.name,
            environment=run.env,
            slot=run.slot,
            composition_key=composed.key,
            overrides=dict(overrides),
        )
        async with self.engine.begin() as conn:
            if scope.project_id is None:
                await audit_unbound(conn, record, report)
                return composed
            row = await start_composition(
                conn,
                project_id=scope.project_id,
                environment=run.env,
                composition_key=composed.key,
                root_repository_alias=report.root_repository,
                correlation_id=record.correlation_id,
                resolved_repositories=_resolved(report),
                actor=ACTOR,
            )
            stored = replace(composed, composition_id=row.id)
            if row.status is CompositionStatus.READY:
                return stored  # identical inputs were composed and stored before
            if report.ok:
                await mark_composition_ready(
                    conn,
                    row.id,
                    resolved_repositories=_resolved(report),
                    effective_manifest=report.manifest,
                    effective_manifest_hash=report.manifest_hash,
                    actor=ACTOR,
                )
            else:
                await mark_composition_failed(
                    conn,
                    row.id,
                    error_message=failure_message(report),
                    errors=stored_errors(report),
                    actor=ACTOR,
                )
            await audit_plans(conn, replace(record, composition_id=row.id), report)
            return stored


def _resolved(report: PreviewReport) -> list[dict[str, Any]]:
    return [
        {"repository": c.repository, "owner": c.owner, "name": c.name, "commit": c.commit}
        for c in report.checkout_plan
    ]


def diff_view(report: PreviewReport | None) -> dict[str, Any] | None:
    """What `resolver.compare.diff_reports` reads of a report (its JSON form without the
    provenance map, which is large and not compared); None: nothing to compare with."""
    if report is None:
        return None
    return {
        "effective_services_manifest_hash": report.manifest_hash,
        "manifest": report.manifest,
        "imports": [i.to_dict() for i in report.imports],
        "execution_plan": report.execution_plan.to_dict(),
        "conflicts": [c.to_dict() for c in report.conflicts],
        "validation_errors": [d.to_dict() for d in report.validation_errors],
    }


__all__ = [
    "DEFAULT_ENV",
    "Composed",
    "Composer",
    "Run",
    "composition_key",
    "diff_view",
    "preferred_environment",
]

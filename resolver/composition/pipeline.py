"""`compose`: bindings + a source → a `PreviewReport`. The one entry point.

Runs the stages in order — discover the import graph (`graph`), merge the fragments
(`merge`), add the identity keys from the root, apply upstream's defaults
(`resolver.normalize`), check the effective manifest as a whole, plan (`plan`), then look up
what the plans and docs need (commits of repositories only the docs or manifests use,
existence of every manifest and doc) and build the checkout plan and docs graph. Every
problem of every stage is collected; nothing stops early.

The stages are one `Steps` generator (see `fetch`); `compose` drives it with a synchronous
`FragmentSource`, `compose_async` with an asynchronous one. Same inputs, same bytes out,
whatever order the bindings, imports or fragments come in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from resolver.composition import effective
from resolver.composition.bindings import check_bindings
from resolver.composition.checkout import build_checkout_plan
from resolver.composition.docs import DEFAULT_MAX_DOCS, build_docs_graph, doc_entries
from resolver.composition.fetch import Fetcher, ListDir, ResolveRef, Steps, run_async, run_sync
from resolver.composition.fragment import Fragment
from resolver.composition.graph import discover
from resolver.composition.importgraph import VIRTUAL, ImportGraph
from resolver.composition.merge import Merger, ancestor_masks
from resolver.composition.plan import build_plan
from resolver.composition.problems import Conflict, Location
from resolver.composition.provenance import Provenance
from resolver.composition.report import (
    LazyMap,
    PreviewReport,
    manifest_hash,
)
from resolver.composition.settle import import_records
from resolver.composition.sources import AsyncFragmentSource, FragmentSource, SourceError
from resolver.composition.workspace import Workspace
from resolver.diagnostics import Code, Diagnostic, sort_diagnostics
from resolver.normalize import normalize_manifest


@dataclass(frozen=True, slots=True)
class Options:
    env: str = "ai"
    slot: int = 1
    role: str | None = None
    ref_overrides: Mapping[str, str] | None = None
    strict: bool = False
    max_docs: int = DEFAULT_MAX_DOCS


def compose(
    bindings: Workspace,
    source: FragmentSource,
    *,
    env: str = "ai",
    slot: int = 1,
    role: str | None = None,
    ref_overrides: Mapping[str, str] | None = None,
    strict: bool = False,
    max_docs: int = DEFAULT_MAX_DOCS,
) -> PreviewReport:
    """Compose the project; `ref_overrides` (alias → ref or SHA) replaces every ref of an alias."""
    fetcher = Fetcher()
    options = Options(env, slot, role, ref_overrides, strict, max_docs)
    return run_sync(compose_steps(bindings, fetcher, options), fetcher, source)


async def compose_async(
    bindings: Workspace,
    source: AsyncFragmentSource,
    *,
    env: str = "ai",
    slot: int = 1,
    role: str | None = None,
    ref_overrides: Mapping[str, str] | None = None,
    strict: bool = False,
    max_docs: int = DEFAULT_MAX_DOCS,
    concurrency: int = 16,
) -> PreviewReport:
    """`compose` over an asynchronous source; each import-graph level is fetched concurrently."""
    fetcher = Fetcher()
    options = Options(env, slot, role, ref_overrides, strict, max_docs)
    return await run_async(
        compose_steps(bindings, fetcher, options), fetcher, source, concurrency=concurrency
    )


def _normalized_overrides(overrides: Mapping[str, str] | None) -> dict[str, str]:
    return {alias.strip().lower(): ref.strip() for alias, ref in (overrides or {}).items()}


class _Run:
    """State shared by the stages of one composition."""

    def __init__(self, workspace: Workspace, fetcher: Fetcher, options: Options) -> None:
        self.ws = workspace
        self.fetcher = fetcher
        self.options = options
        self.overrides = _normalized_overrides(options.ref_overrides)
        self.bindings = {b.alias: b for b in workspace.repositories}
        self.diagnostics: list[Diagnostic] = list(workspace.diagnostics)
        self.conflicts: list[Conflict] = []
        self.graph = ImportGraph("monorepo", VIRTUAL)
        self.fragments: list[Fragment] = []
        self.provenance = Provenance([], {})

    def ref_for(self, alias: str) -> str:
        return self.overrides.get(alias, self.bindings[alias].default_ref)

    # -- locating ----------------------------------------------------------------------------
    def locate(self, index: int, pointer: str) -> Location:
        fragment = self.fragments[index]
        file, line, column = fragment.origin(pointer)
        return Location(
            fragment.id.alias,
            file,
            line,
            column,
            fragment.id.commit,
            pointer,
            self.graph.chains.get(fragment.id, ()),
        )

    def locate_effective(self, pointer: str) -> Location:
        found = self.provenance.origin_of(pointer)
        if found is not None:
            return replace(self.locate(*found), pointer=pointer)
        root = self.graph.root
        if root == VIRTUAL:
            return Location("", self.ws.file, 0, 0, pointer=pointer)
        return Location(
            root.alias, root.path, 0, 0, root.commit, pointer, self.graph.chains.get(root, ())
        )

    # -- stages ------------------------------------------------------------------------------
    def merge(self) -> dict[str, Any]:
        self.fragments = list(self.graph.fragments.values())
        index = {f.id: i for i, f in enumerate(self.fragments)}
        merger = Merger(
            [f.id.alias for f in self.fragments],
            ancestor_masks(
                (
                    (index[e.source], index[e.target])
                    for e in self.graph.dag_edges
                    if e.source in index and e.target in index
                ),
                len(index),
            ),
            self.locate,
        )
        merged = merger.merge_documents(
            [(i, f.document) for i, f in enumerate(self.fragments) if f.document is not None]
        )
        self.provenance = Provenance(self.fragments, merger.provenance)
        self.conflicts.extend(merger.conflicts)
        return effective.with_identity(
            merged, self.graph, self.fragments, self.ws, self.provenance.entries
        )

    def commits(self, aliases: Iterable[str]) -> Steps[dict[str, str | Diagnostic]]:
        """The pinned commit of each alias (resolving the default ref of unpinned ones)."""
        out: dict[str, str | Diagnostic] = {a: c for a, (_r, c) in self.graph.pins.items()}
        todo = sorted({a for a in aliases if a in self.bindings and a not in out})
        yield from self.fetcher.need(ResolveRef(a, self.ref_for(a)) for a in todo)
        for alias in todo:
            outcome = self.fetcher.get(ResolveRef(alias, self.ref_for(alias)))
            if isinstance(outcome, SourceError):
                out[alias] = Diagnostic(
                    code=outcome.code,
                    reason=outcome.reason,
                    message=outcome.message,
                    hint=outcome.hint,
                    repository=alias,
                )
            else:
                out[alias] = str(outcome)
        return out

    def existence(
        self, commits: Mapping[str, str | Diagnostic], wanted: Iterable[tuple[str, str]]
    ) -> Steps[dict[tuple[str, str], bool | Diagnostic]]:
        pairs = sorted(set(wanted))
        requests = {}
        for alias, path in pairs:
            commit = commits.get(alias)
            if isinstance(commit, str) and path not in ("", "."):
                requests[(alias, path)] = ListDir(alias, commit, posixpath.dirname(path) or ".")
        yield from self.fetcher.need(requests.values())
        out: dict[tuple[str, str], bool | Diagnostic] = {}
        for alias, path in pairs:
            commit = commits.get(alias)
            if isinstance(commit, Diagnostic) or commit is None:
                out[(alias, path)] = commit or Diagnostic(
                    code=Code.PERMISSION_DENIED,
                    reason="unbound_repository",
                    message=f"repository `{alias}` is not bound to the project",
                )
                continue
            request = requests.get((alias, path))
            if request is None:
                out[(alias, path)] = True
                continue
            listing = self.fetcher.get(request)
            if isinstance(listing, SourceError):
                out[(alias, path)] = Diagnostic(
                    code=listing.code,
                    reason=listing.reason,
                    message=listing.message,
                    hint=listing.hint,
                )
                continue
            name = posixpath.basename(path)
            out[(alias, path)] = isinstance(listing, list) and (
                name in listing or name + "/" in listing
            )
        return out


def compose_steps(workspace: Workspace, fetcher: Fetcher, options: Options) -> Steps[PreviewReport]:
    run = _Run(workspace, fetcher, options)
    run.graph = yield from discover(
        workspace, fetcher, overrides=run.overrides, strict=options.strict
    )
    run.diagnostics.extend(run.graph.diagnostics)
    run.conflicts.extend(run.graph.conflicts)
    merged = run.merge()
    manifest = normalize_manifest(merged)
    effective.copy_component_provenance(manifest, run.provenance.entries, run.provenance.origin_of)
    run.diagnostics.extend(effective.check_manifest(manifest, run.locate_effective))
    run.diagnostics.extend(effective.check_references(manifest, run.bindings, run.locate_effective))
    found_conflicts, found = check_bindings(
        run.graph, run.fragments, workspace, run.locate, manifest
    )
    run.conflicts.extend(found_conflicts)
    run.diagnostics.extend(found)
    plan, plan_problems = build_plan(manifest, options.env, options.slot, run.locate_effective)
    run.diagnostics.extend(_without_duplicates(plan_problems, run.diagnostics))

    manifests = [(m.repository, m.path, step.unit) for step in plan.steps for m in step.manifests]
    docs = [(str(e.get("repository") or ""), e["path"]) for _, e in doc_entries(manifest)]
    templates = effective.role_templates(manifest, options.role)
    commits = yield from run.commits(
        [a for a, _, _ in manifests] + [a for a, _ in docs] + [a for a, _ in templates]
    )
    exists = yield from run.existence(commits, [(a, p) for a, p, _ in manifests] + docs)
    run.diagnostics.extend(effective.missing_manifests(plan, exists, run.locate_effective))
    pinned = {a: c for a, c in commits.items() if isinstance(c, str)}
    docs_graph, doc_problems = build_docs_graph(
        manifest,
        run.bindings,
        role=options.role,
        commits=pinned,
        exists=lambda alias, path: exists.get((alias, path), False),
        locate=run.locate_effective,
        max_shown=options.max_docs,
    )
    run.diagnostics.extend(doc_problems)
    needed = [(f.id.alias, path) for f in run.fragments for path in f.files]
    needed += [(a, p) for a, p, _ in manifests]
    needed += [(s.repository, s.path) for s in docs_graph.sources]
    needed += templates
    checkout = build_checkout_plan(run.bindings, pinned, needed)

    conflicts, errors, warnings = _split(run.conflicts, run.diagnostics)
    provenance = run.provenance  # only this (not the fetched files) stays alive in the report
    return PreviewReport(
        project=str(manifest.get("spec", {}).get("project") or workspace.project),
        mode=run.graph.mode,
        root_repository=run.graph.root_alias,
        imports=import_records(run.graph),
        manifest=manifest,
        manifest_hash=manifest_hash(manifest),
        execution_plan=plan,
        checkout_plan=checkout,
        docs=docs_graph,
        conflicts=conflicts,
        validation_errors=errors,
        warnings=warnings,
        provenance=LazyMap(partial(provenance.strings, manifest, merged)),
    )


def _without_duplicates(new: list[Diagnostic], existing: list[Diagnostic]) -> list[Diagnostic]:
    """Drop plan problems about a `when` the validator already reported at the same place."""
    taken = {(d.repository, d.path, d.line, d.column) for d in existing if d.is_error}
    return [
        d
        for d in new
        if d.reason != "invalid_when" or (d.repository, d.path, d.line, d.column) not in taken
    ]


def _split(
    conflicts: list[Conflict], diagnostics: list[Diagnostic]
) -> tuple[tuple[Conflict, ...], tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    all_conflicts = list(conflicts)
    errors, warnings = [], []
    for diagnostic in diagnostics:
        if not diagnostic.is_error:
            warnings.append(diagnostic)
        elif diagnostic.code is Code.CONFLICT:
            all_conflicts.append(
                Conflict(
                    diagnostic,
                    (
                        Location(
                            diagnostic.repository,
                            diagnostic.path,
                            diagnostic.line,
                            diagnostic.column,
                            pointer=diagnostic.pointer,
                            chain=diagnostic.chain,
                        ),
                    ),
                )
            )
        else:
            errors.append(diagnostic)
    unique = {c.to_dict().__repr__(): c for c in all_conflicts}
    ordered = tuple(sorted(unique.values(), key=Conflict.sort_key))
    return ordered, tuple(sort_diagnostics(errors)), tuple(sort_diagnostics(warnings))

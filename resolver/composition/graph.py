"""The import graph: which fragments a composition consists of, each pinned to a commit.

Owns DESIGN.md §3 items 0-3: choosing the entry point (monorepo, virtual root, explicit
root), discovering the whole graph before anything is merged (every ref resolved to a full
commit; a fragment is identified by (alias, path, commit) and loaded once however often it
is reached), the root's pins, commit conflicts, unbound aliases, missing imports, all import
cycles, and the canonical import chain of every fragment.

The root: with one bound repository, its services file (monorepo); else the repository
that the manifests of `orchestrator` repositories name in `composition.rootRepository`
(they must agree); else a virtual root that imports every `service`/`mixed` repository at
its default ref, by alias.

One commit per repository: deploys check each repository out once, so a repository reached
at two commits is a `version_conflict` naming both import chains, unless the root imports
that repository itself, in which case the root's commit wins everywhere (reported as a
warning).

Sans-I/O: `discover` is a `Steps` generator (see `fetch`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from resolver.composition.fetch import Fetcher, ResolveRef, Steps
from resolver.composition.fragment import Fragment, FragmentId, ImportSpec
from resolver.composition.importgraph import (
    EXPLICIT_ROOT,
    MONOREPO,
    VIRTUAL,
    VIRTUAL_ROOT,
    Edge,
    ImportGraph,
)
from resolver.composition.loader import FragmentLoader
from resolver.composition.problems import Conflict, Location, make_conflict
from resolver.composition.settle import (
    acyclic,
    cycle_diagnostics,
    drop_commit_conflicts,
    import_chains,
    reachable,
)
from resolver.composition.sources import SourceError
from resolver.composition.workspace import RepositoryBinding, Workspace
from resolver.diagnostics import Code, Diagnostic, Severity, did_you_mean
from resolver.localimports import Origin


def discover(
    workspace: Workspace,
    fetcher: Fetcher,
    *,
    overrides: Mapping[str, str] | None = None,
    strict: bool = False,
) -> Steps[ImportGraph]:
    return (yield from _Discovery(workspace, fetcher, dict(overrides or {}), strict).run())


class _Discovery:
    def __init__(
        self, workspace: Workspace, fetcher: Fetcher, overrides: dict[str, str], strict: bool
    ) -> None:
        self.ws = workspace
        self.fetcher = fetcher
        self.overrides = overrides
        self.strict = strict
        self.bindings: dict[str, RepositoryBinding] = {b.alias: b for b in workspace.repositories}
        self.loader = FragmentLoader(fetcher, strict=strict)
        self.diagnostics: list[Diagnostic] = []
        self.conflicts: list[Conflict] = []

    # -- helpers -------------------------------------------------------------------------
    def ref_for(self, alias: str, ref: str) -> str:
        if alias in self.overrides:
            return self.overrides[alias]
        binding = self.bindings[alias]
        return ref or binding.default_ref

    def binding_origin(self, alias: str) -> Origin:
        line, column = self.ws.position(alias)
        return (self.ws.file, line, column)

    def report(
        self,
        code: Code,
        reason: str,
        message: str,
        origin: Origin,
        alias: str,
        hint: str = "",
        *,
        severity: Severity = Severity.ERROR,
        pointer: str = "",
    ) -> None:
        file, line, column = origin
        self.diagnostics.append(
            Diagnostic(
                code=code,
                reason=reason,
                message=message,
                severity=severity,
                path=file,
                line=line,
                column=column,
                pointer=pointer,
                hint=hint,
                repository=alias,
            )
        )

    # -- the walk ----------------------------------------------------------------------------
    def run(self) -> Steps[ImportGraph]:
        for alias in sorted(self.overrides):
            if alias not in self.bindings:
                self.report(
                    Code.INVALID_ARGUMENT,
                    "unknown_override",
                    f"a ref override names `{alias}`, which is not bound; it is ignored",
                    (self.ws.file, 0, 0),
                    "",
                    did_you_mean(alias, self.bindings),
                    severity=Severity.WARNING,
                )
                del self.overrides[alias]
        if not self.bindings:
            return ImportGraph(MONOREPO, VIRTUAL, diagnostics=self.diagnostics)
        root_alias: str | None
        if len(self.bindings) == 1:
            mode, root_alias = MONOREPO, next(iter(self.bindings))
        else:
            mode, root_alias = yield from self.choose_root()
        if root_alias is None:
            graph = ImportGraph(mode, VIRTUAL)
            root_edges = [
                self.virtual_edge(b)
                for b in sorted(self.bindings.values(), key=lambda b: b.alias)
                if b.role in ("service", "mixed")
            ]
            yield from self.fetcher.need(ResolveRef(e.target.alias, e.ref) for e in root_edges)
            edges = []
            for edge in root_edges:
                outcome = self.fetcher.get(ResolveRef(edge.target.alias, edge.ref))
                if isinstance(outcome, SourceError):
                    self.edge_failed(edge, outcome)
                    continue
                edges.append(replace(edge, target=replace(edge.target, commit=str(outcome))))
            self.warn_orchestrators()
        else:
            ref = self.ref_for(root_alias, "")
            yield from self.fetcher.need([ResolveRef(root_alias, ref)])
            outcome = self.fetcher.get(ResolveRef(root_alias, ref))
            binding = self.bindings[root_alias]
            if isinstance(outcome, SourceError):
                self.report(
                    outcome.code,
                    outcome.reason,
                    outcome.message,
                    self.binding_origin(root_alias),
                    root_alias,
                    outcome.hint,
                )
                return ImportGraph(mode, VIRTUAL, diagnostics=self.diagnostics)
            root = FragmentId(root_alias, binding.services_path, str(outcome))
            graph = ImportGraph(mode, root, ref)
            yield from self.loader.load_many([root])
            if self.loader.fragment(root) is None:
                failure = self.loader.loaded.get(root)
                message = (
                    failure.message
                    if isinstance(failure, SourceError)
                    else f"the root services file `{root.path}` does not exist in "
                    f"`{root_alias}` at {ref or 'HEAD'} ({root.commit[:12]})"
                )
                self.report(
                    Code.NOT_FOUND,
                    "root_not_found",
                    message,
                    self.binding_origin(root_alias),
                    root_alias,
                    "check servicesPath and defaultRef of the root repository",
                )
                graph.diagnostics = self.diagnostics
                return graph
            edges = yield from self.imports_of([root], pins={})
        graph.pins = {e.target.alias: (e.ref, e.target.commit) for e in edges}
        if graph.root != VIRTUAL:
            graph.pins[graph.root.alias] = (graph.root_ref, graph.root.commit)
        pins = {
            alias: commit
            for alias, (_ref, commit) in graph.pins.items()
            if len(
                {e.target.commit for e in edges if e.target.alias == alias}
                | ({graph.root.commit} if alias == graph.root.alias else set())
            )
            == 1
        }
        all_edges = list(edges)
        level = sorted({e.target for e in edges})
        seen = set(level) | {graph.root}
        while level:
            yield from self.loader.load_many(level)
            new_edges = yield from self.imports_of(
                [f for f in level if self.loader.fragment(f)], pins
            )
            all_edges.extend(new_edges)
            level = sorted({e.target for e in new_edges} - seen)
            seen.update(level)
        self.finish(graph, all_edges)
        return graph

    def virtual_edge(self, binding: RepositoryBinding) -> Edge:
        target = FragmentId(binding.alias, binding.services_path, "")
        return Edge(
            VIRTUAL,
            target,
            self.ref_for(binding.alias, ""),
            True,
            self.binding_origin(binding.alias),
            "",
        )

    def choose_root(self) -> Steps[tuple[str, str | None]]:
        """Orchestrator repositories' manifests name the root (`composition.rootRepository`)."""
        refs = {
            a: self.ref_for(a, "") for a, b in self.bindings.items() if b.role == "orchestrator"
        }
        yield from self.fetcher.need(ResolveRef(a, r) for a, r in refs.items())
        ids = []
        for alias, ref in sorted(refs.items()):
            outcome = self.fetcher.get(ResolveRef(alias, ref))
            if isinstance(outcome, str):
                ids.append(FragmentId(alias, self.bindings[alias].services_path, outcome))
        yield from self.loader.load_many(ids)
        nominations: dict[str, list[tuple[str, Origin]]] = {}
        for fid in ids:
            fragment = self.loader.fragment(fid)
            if fragment is not None and fragment.root_repository is not None:
                named, origin = fragment.root_repository
                nominations.setdefault(named, []).append((fid.alias, origin))
        if not nominations:
            return VIRTUAL_ROOT, None
        bound = sorted(n for n in nominations if n in self.bindings)
        for named in sorted(set(nominations) - set(bound)):
            for alias, origin in nominations[named]:
                self.report(
                    Code.PERMISSION_DENIED,
                    "unbound_repository",
                    f"`composition.rootRepository` names `{named}`, which is not bound "
                    "to the project",
                    origin,
                    alias,
                    did_you_mean(named, self.bindings),
                    pointer="/spec/composition/rootRepository",
                )
        if len(bound) > 1:
            places = [
                Location(
                    alias,
                    origin[0],
                    origin[1],
                    origin[2],
                    pointer="/spec/composition/rootRepository",
                )
                for named in bound
                for alias, origin in nominations[named]
            ]
            self.conflicts.append(
                make_conflict(
                    "root_conflict",
                    "repositories disagree about the composition root: "
                    + ", ".join(
                        f"`{n}` (named by {', '.join(a for a, _ in nominations[n])})" for n in bound
                    ),
                    "name the same `composition.rootRepository` everywhere (or only in the root)",
                    places,
                )
            )
        if not bound:
            return VIRTUAL_ROOT, None
        return EXPLICIT_ROOT, bound[0]

    def warn_orchestrators(self) -> None:
        for alias in sorted(self.bindings):
            if self.bindings[alias].role == "orchestrator":
                self.report(
                    Code.FAILED_PRECONDITION,
                    "orchestrator_not_composed",
                    f"`{alias}` has role orchestrator, but no manifest names a "
                    "`composition.rootRepository`, so a virtual root is used and its "
                    "services.yaml is not part of the composition",
                    self.binding_origin(alias),
                    "",
                    f"add `composition: {{rootRepository: {alias}}}` to its services.yaml",
                    severity=Severity.WARNING,
                )

    def imports_of(self, sources: list[FragmentId], pins: dict[str, str]) -> Steps[list[Edge]]:
        wanted: list[tuple[FragmentId, ImportSpec, str]] = []
        for fid in sorted(sources):
            fragment = self.loader.fragment(fid)
            for spec in fragment.imports if fragment else []:
                if spec.repository not in self.bindings:
                    self.report(
                        Code.PERMISSION_DENIED,
                        "unbound_repository",
                        f"`{fid.label()}` imports repository `{spec.repository}`, which "
                        "is not bound to the project",
                        spec.origin,
                        fid.alias,
                        did_you_mean(spec.repository, self.bindings)
                        or "bind the repository to the project first",
                        pointer=spec.pointer + "/repository",
                    )
                    continue
                wanted.append((fid, spec, self.ref_for(spec.repository, spec.ref)))
        yield from self.fetcher.need(ResolveRef(s.repository, ref) for _, s, ref in wanted)
        edges = []
        for fid, spec, ref in wanted:
            binding = self.bindings[spec.repository]
            target = FragmentId(spec.repository, spec.path or binding.services_path, "")
            edge = Edge(fid, target, ref, spec.required, spec.origin, spec.pointer)
            outcome = self.fetcher.get(ResolveRef(spec.repository, ref))
            if isinstance(outcome, SourceError):
                self.edge_failed(edge, outcome)
                continue
            commit = str(outcome)
            pinned = pins.get(spec.repository)
            if pinned is not None and pinned != commit:
                self.report(
                    Code.CONFLICT,
                    "root_pin_applied",
                    f"`{fid.label()}` imports `{target.label()}` at `{ref or 'HEAD'}` "
                    f"({commit[:12]}), but the root imports `{spec.repository}` at "
                    f"{pinned[:12]}; the root's commit is used",
                    spec.origin,
                    fid.alias,
                    "align the refs to silence this",
                    severity=Severity.WARNING,
                    pointer=spec.pointer,
                )
                commit = pinned
            edges.append(replace(edge, target=replace(target, commit=commit)))
        return edges

    def edge_failed(self, edge: Edge, error: SourceError | None) -> None:
        target = edge.target
        if error is None:
            message = (
                f"`{target.path}` does not exist in `{target.alias}` at "
                f"`{edge.ref or 'HEAD'}` ({target.commit[:12]})"
            )
            code, reason, hint = (
                Code.NOT_FOUND,
                "import_not_found",
                "check the import's path and ref",
            )
        else:
            message, code, reason, hint = error.message, error.code, error.reason, error.hint
        alias = "" if edge.source == VIRTUAL else edge.source.alias
        if edge.required:
            self.report(code, reason, message, edge.origin, alias, hint, pointer=edge.pointer)
        else:
            self.report(
                code,
                "optional_import_dropped",
                f"optional import dropped: {message}",
                edge.origin,
                alias,
                hint,
                severity=Severity.WARNING,
                pointer=edge.pointer,
            )

    # -- after discovery -------------------------------------------------------------------
    def finish(self, graph: ImportGraph, edges: list[Edge]) -> None:
        present = []
        for edge in sorted(set(edges)):
            found = self.loader.loaded.get(edge.target)
            if isinstance(found, Fragment):
                present.append(edge)
            else:
                self.edge_failed(edge, found if isinstance(found, SourceError) else None)
        present, conflicts = drop_commit_conflicts(graph, present, import_chains(graph, present))
        self.conflicts.extend(conflicts)
        kept = reachable(graph.root, present)
        graph.edges = [e for e in present if e.source in kept]
        graph.fragments = {
            f: frag for f in sorted(kept) if (frag := self.loader.fragment(f)) is not None
        }
        graph.chains = import_chains(graph, graph.edges)
        aliases = {f.alias for f in graph.fragments}
        graph.pins = {a: p for a, p in graph.pins.items() if a in aliases}
        for edge in graph.edges:
            graph.pins.setdefault(edge.target.alias, (edge.ref, edge.target.commit))
        self.diagnostics.extend(cycle_diagnostics(graph))
        graph.dag_edges = acyclic(graph.root, graph.edges)
        for fid, fragment in graph.fragments.items():
            chain = graph.chains.get(fid, ())
            self.diagnostics.extend(replace(d, chain=chain) for d in fragment.diagnostics)
        graph.diagnostics = self.diagnostics
        graph.conflicts = self.conflicts

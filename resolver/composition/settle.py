"""Settling a discovered import graph: one commit per repository, reachability, all import
cycles, the DAG precedence is computed on, and the canonical import chains.

A repository reached at two commits is a `version_conflict` naming both import chains; the
composition keeps the commit with the smallest chain (the root's own commit if it is one)
so the rest of the report is still useful. Cycles: every elementary cycle, rotated to its
smallest fragment, each edge with file:line:column. Chains: the shortest, ties broken by the
smallest. Pure.
"""

from __future__ import annotations

from resolver.composition.cycles import find_cycles
from resolver.composition.fragment import FragmentId
from resolver.composition.importgraph import VIRTUAL, Edge, ImportGraph
from resolver.composition.problems import Conflict, Location, make_conflict
from resolver.composition.report import Importer, ImportRecord
from resolver.diagnostics import Code, Diagnostic


def drop_commit_conflicts(
    graph: ImportGraph, edges: list[Edge], chains: dict[FragmentId, tuple[str, ...]]
) -> tuple[list[Edge], list[Conflict]]:
    """One commit per repository: report every repository reached at several commits."""
    conflicts: list[Conflict] = []
    by_alias: dict[str, dict[str, list[Edge]]] = {}
    for edge in edges:
        by_alias.setdefault(edge.target.alias, {}).setdefault(edge.target.commit, []).append(edge)
    dropped: set[Edge] = set()
    for alias, commits in sorted(by_alias.items()):
        if graph.root != VIRTUAL and alias == graph.root.alias:
            commits.setdefault(graph.root.commit, [])
        if len(commits) < 2:
            continue
        places = []
        sides = []
        best: tuple[tuple[str, ...], str] | None = None
        for commit, group in sorted(commits.items()):
            for edge in sorted(group):
                chain = (*chains.get(edge.source, (graph.root_label(),)), edge.label())
                places.append(
                    Location(
                        edge.source.alias,
                        edge.origin[0],
                        edge.origin[1],
                        edge.origin[2],
                        commit,
                        edge.pointer,
                        chain,
                    )
                )
                sides.append(f"{edge.target.path} at {commit[:12]} via {' → '.join(chain)}")
                best = min(best, (chain, commit)) if best else (chain, commit)
            if not group:  # the root's own repository
                sides.append(f"{graph.root.path} at {commit[:12]} (the root itself)")
                best = ((), commit)
        keep = best[1] if best else ""
        for commit, group in commits.items():
            if commit != keep:
                dropped.update(group)
        conflicts.append(
            make_conflict(
                "version_conflict",
                f"repository `{alias}` is reached at {len(commits)} commits: " + "; ".join(sides),
                "import it at one ref everywhere, or import it from the root, whose ref wins",
                places,
            )
        )
    return [e for e in edges if e not in dropped], conflicts


def cycle_diagnostics(graph: ImportGraph) -> list[Diagnostic]:
    """Every import cycle (bounded), rotated to its smallest fragment, edges with positions."""
    out: list[Diagnostic] = []
    succ: dict[FragmentId, list[FragmentId]] = {}
    first_edge: dict[tuple[FragmentId, FragmentId], Edge] = {}
    for edge in graph.edges:
        if edge.source == VIRTUAL:
            continue
        succ.setdefault(edge.source, []).append(edge.target)
        key = (edge.source, edge.target)
        if key not in first_edge or edge < first_edge[key]:
            first_edge[key] = edge
    found = find_cycles(succ, succ)
    for cycle in found.cycles:
        hops = [first_edge[(cycle[i], cycle[(i + 1) % len(cycle)])] for i in range(len(cycle))]
        steps = tuple(
            f"{e.source.alias}:{e.origin[0]}:{e.origin[1]}:{e.origin[2]} → {e.target.label()}"
            for e in hops
        )
        loop = " → ".join([n.label() for n in cycle] + [cycle[0].label()])
        first = hops[0]
        kind = "imports itself" if len(cycle) == 1 else "import cycle"
        out.append(
            Diagnostic(
                code=Code.INVALID_ARGUMENT,
                reason="import_cycle",
                message=f"{kind}: {loop}",
                path=first.origin[0],
                line=first.origin[1],
                column=first.origin[2],
                pointer=first.pointer,
                hint="remove one import of the cycle; imports must form a tree or a DAG",
                repository=first.source.alias,
                chain=steps,
            )
        )
    if found.truncated:
        out.append(
            Diagnostic(
                code=Code.INVALID_ARGUMENT,
                reason="import_cycle",
                message=f"more import cycles exist than the {len(found.cycles)} reported",
                path=graph.root.path,
                hint="break the cycles above first",
                repository=graph.root.alias,
            )
        )
    return out


def reachable(root: FragmentId, edges: list[Edge]) -> set[FragmentId]:
    succ: dict[FragmentId, list[FragmentId]] = {}
    for edge in edges:
        succ.setdefault(edge.source, []).append(edge.target)
    seen = {root}
    todo = [root]
    while todo:
        for nxt in succ.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def import_chains(graph: ImportGraph, edges: list[Edge]) -> dict[FragmentId, tuple[str, ...]]:
    """Shortest import chain to each fragment, ties broken by the smallest chain."""
    out: dict[FragmentId, tuple[str, ...]] = {graph.root: (graph.root_label(),)}
    succ: dict[FragmentId, list[Edge]] = {}
    for edge in edges:
        succ.setdefault(edge.source, []).append(edge)
    frontier = [graph.root]
    while frontier:
        candidates: dict[FragmentId, tuple[str, ...]] = {}
        for node in frontier:
            for edge in succ.get(node, ()):
                if edge.target in out:
                    continue
                chain = (*out[node], edge.label())
                if edge.target not in candidates or chain < candidates[edge.target]:
                    candidates[edge.target] = chain
        out.update(candidates)
        frontier = sorted(candidates)
    return out


def acyclic(root: FragmentId, edges: list[Edge]) -> list[Edge]:
    """Drop the edges that close a cycle (depth-first from the root, in canonical order)."""
    succ: dict[FragmentId, list[Edge]] = {}
    for edge in sorted(edges):
        succ.setdefault(edge.source, []).append(edge)
    state: dict[FragmentId, int] = {root: 1}
    kept: list[Edge] = []
    stack = [(root, iter(succ.get(root, ())))]
    while stack:
        node, it = stack[-1]
        following = next(it, None)
        if following is None:
            state[node] = 2
            stack.pop()
            continue
        mark = state.get(following.target, 0)
        if mark == 1:
            continue  # closes a cycle
        kept.append(following)
        if mark == 0:
            state[following.target] = 1
            stack.append((following.target, iter(succ.get(following.target, ()))))
    return kept


def import_records(graph: ImportGraph) -> tuple[ImportRecord, ...]:
    """One record per imported fragment: its canonical chain and everything importing it."""
    incoming: dict[FragmentId, list[Edge]] = {}
    for edge in graph.edges:
        incoming.setdefault(edge.target, []).append(edge)
    records = []
    for fid in graph.fragments:
        edges = incoming.get(fid)
        if not edges or fid == graph.root:
            continue
        chain = graph.chains.get(fid, ())
        canonical = next(
            (e for e in sorted(edges) if (*graph.chains.get(e.source, ()), e.label()) == chain),
            min(edges),
        )
        importers = sorted(
            {Importer(e.source.alias, e.source.path) for e in edges},
            key=lambda i: (i.repository, i.path),
        )
        records.append(
            ImportRecord(
                fid.alias,
                fid.path,
                canonical.ref,
                fid.commit,
                any(e.required for e in edges),
                chain,
                tuple(importers),
            )
        )
    return tuple(sorted(records, key=lambda r: (r.repository, r.path, r.resolved_commit)))

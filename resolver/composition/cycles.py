"""Cycles of a directed graph, all of them, in a canonical form.

Used for import cycles (fragments) and dependency cycles (units). Every elementary cycle is
reported once, rotated to start at its smallest node, and the list is sorted, so the answer
does not depend on the order the graph was built in. Enumeration is bounded (`limit` cycles,
`budget` search steps) because a dense graph has exponentially many cycles; `truncated`
says when the bound was hit. Pure.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

N = TypeVar("N", bound=Hashable)

DEFAULT_LIMIT = 100
DEFAULT_BUDGET = 500_000


@dataclass(frozen=True, slots=True)
class CycleReport(Generic[N]):
    cycles: tuple[tuple[N, ...], ...]
    truncated: bool


def strongly_connected(nodes: Sequence[N], succ: Mapping[N, Sequence[N]]) -> dict[N, int]:
    """Tarjan's algorithm, iterative: node -> component number."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    component: dict[N, int] = {}
    counter = 0
    components = 0
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[N, int]] = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ.get(node, ())
            descended = False
            for position in range(child, len(children)):
                nxt = children[position]
                if nxt not in index:
                    work.append((node, position + 1))
                    work.append((nxt, 0))
                    descended = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if descended:
                continue
            if low[node] == index[node]:
                number = components
                components += 1
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = number
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return component


def find_cycles(
    nodes: Iterable[N],
    succ: Mapping[N, Sequence[N]],
    *,
    limit: int = DEFAULT_LIMIT,
    budget: int = DEFAULT_BUDGET,
) -> CycleReport[N]:
    """Every elementary cycle (bounded), each starting at its smallest node; sorted."""
    ordered: list[N] = sorted(set(nodes))  # type: ignore[type-var]
    rank = {node: i for i, node in enumerate(ordered)}
    adjacency = {
        n: sorted({m for m in succ.get(n, ()) if m in rank}, key=rank.__getitem__) for n in ordered
    }
    component = strongly_connected(ordered, adjacency)
    sizes: dict[int, int] = {}
    for number in component.values():
        sizes[number] = sizes.get(number, 0) + 1
    found: list[tuple[N, ...]] = []
    steps = 0
    truncated = False
    for start in ordered:
        if sizes[component[start]] == 1 and start not in adjacency[start]:
            continue
        first = rank[start]
        home = component[start]
        path = [start]
        on_path = {start}
        frames = [iter(adjacency[start])]
        while frames:
            nxt = next(frames[-1], None)
            if nxt is None:
                frames.pop()
                on_path.discard(path.pop())
                continue
            steps += 1
            if steps > budget:
                truncated = True
                break
            if nxt == start:
                found.append(tuple(path))
                if len(found) >= limit:
                    truncated = True
                    break
            elif nxt not in on_path and rank[nxt] > first and component[nxt] == home:
                path.append(nxt)
                on_path.add(nxt)
                frames.append(iter(adjacency[nxt]))
        if truncated:
            break
    found.sort(key=lambda cycle: [rank[n] for n in cycle])
    return CycleReport(tuple(found), truncated)

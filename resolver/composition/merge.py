"""The typed merge: many fragments' content into one effective document, with provenance.

Owns DESIGN.md §3 items 4-6. Precedence is an ancestor relation on the import DAG: a
fragment overrides everything it imports, directly or transitively. For every value the
contributors that no other contributor overrides are the "maximal" ones; if they disagree the
value is a `sibling_conflict` (identical values de-duplicate). Presence decides: a key that
is written, even as `0`, `false`, `[]` or `null`, is a contribution.

Merge table: `services[]`, `infrastructure[]`, `components[]` merge by `name`,
`projectDocs[]` by (repository, lower(path)), `repositories[]` by alias; every map (the
entity maps `images`, `environments`, `versions`, `roleDocTemplates` included) deep-merges
key by key; every other list is atomic (one contributor's list wins whole). Values of
different kinds (mapping / list / scalar) at one place are a `type_change` conflict.
Entity lists come out sorted by key, so indices in the output are canonical.

Every list entity gets `repository: <alias>` of the fragment that first defined it (the
contributor nothing else below it defines) unless its authors wrote one. Provenance maps
output JSON pointers to (fragment index, pointer in that fragment); an entry covers its
subtree (a pointer below it maps to the same suffix below the fragment pointer) unless a
deeper entry says otherwise. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from resolver.composition.pointers import child
from resolver.composition.problems import Conflict, Location, make_conflict

Contribution = tuple[int, Any, str]  # (fragment index, value, pointer in the fragment)
Locate = Callable[[int, str], Location]
Provenance = dict[str, tuple[int, str]]

_MAP, _LIST, _SCALAR = "a mapping", "a list", "a scalar"


@dataclass(frozen=True, slots=True)
class EntityList:
    what: str
    key: Callable[[dict[str, Any]], tuple[str, ...] | None]
    annotate: bool


def _by_name(entry: dict[str, Any]) -> tuple[str, ...] | None:
    name = entry.get("name")
    if isinstance(name, bool) or not isinstance(name, str | int | float):
        return None
    text = str(name).strip()
    return (text,) if text else None


def _by_doc(entry: dict[str, Any]) -> tuple[str, ...] | None:
    path = entry.get("path")
    if not isinstance(path, str) or not path.strip():
        return None
    return (str(entry.get("repository") or ""), path.strip().lower())


def _by_alias(entry: dict[str, Any]) -> tuple[str, ...] | None:
    alias = entry.get("alias")
    return (alias.strip().lower(),) if isinstance(alias, str) and alias.strip() else None


ROOT, SPEC, GENERIC = "root", "spec", "generic"
Schema = str | EntityList
SPEC_LISTS: dict[str, EntityList] = {
    "services": EntityList("service", _by_name, True),
    "infrastructure": EntityList("infrastructure item", _by_name, True),
    "components": EntityList("component", _by_name, True),
    "projectDocs": EntityList("doc", _by_doc, False),
    "repositories": EntityList("repository", _by_alias, False),
}


def _child(schema: Schema, key: str) -> Schema:
    if schema is ROOT:
        return SPEC if key == "spec" else GENERIC
    if schema is SPEC:
        return SPEC_LISTS.get(key, GENERIC)
    return GENERIC


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return _MAP
    if isinstance(value, list):
        return _LIST
    return _SCALAR


def same(a: Any, b: Any) -> bool:
    """Equality that tells `1`, `1.0` and `true` apart (YAML does)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class Merger:
    """Merge fragment documents (given in canonical fragment order)."""

    def __init__(self, aliases: Sequence[str], ancestors: Sequence[int], locate: Locate) -> None:
        self.aliases = aliases
        self.ancestors = ancestors
        self.descendants = [0] * len(ancestors)
        for index, mask in enumerate(ancestors):
            bit = 1 << index
            probe = mask
            while probe:
                low = probe & -probe
                self.descendants[low.bit_length() - 1] |= bit
                probe ^= low
        self.locate = locate
        self.provenance: Provenance = {}
        self.conflicts: list[Conflict] = []

    def merge_documents(self, documents: Sequence[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
        contributions = [(index, doc, "") for index, doc in documents]
        if not contributions:
            return {}
        merged = self.merge("", contributions, ROOT, "")
        self.provenance.pop("", None)
        return merged if isinstance(merged, dict) else {}

    # -- precedence ------------------------------------------------------------------------
    def maximal(self, contributions: list[Contribution]) -> list[Contribution]:
        mask = 0
        for index, _, _ in contributions:
            mask |= 1 << index
        return [c for c in contributions if not self.ancestors[c[0]] & mask]

    def definer(self, contributions: list[Contribution]) -> Contribution:
        mask = 0
        for index, _, _ in contributions:
            mask |= 1 << index
        deepest = [c for c in contributions if not self.descendants[c[0]] & mask] or contributions
        return min(deepest, key=lambda c: (self.aliases[c[0]], c[0]))

    # -- merging ---------------------------------------------------------------------------
    def merge(
        self, pointer: str, contributions: list[Contribution], schema: Schema, display: str
    ) -> Any:
        if len(contributions) == 1:
            index, value, at = contributions[0]
            return self.copy(pointer, index, value, at, schema)
        kind = _kind(contributions[0][1])
        if any(_kind(c[1]) != kind for c in contributions):
            contributions = self.type_change(pointer, contributions, display)
            if len(contributions) == 1:
                index, value, at = contributions[0]
                return self.copy(pointer, index, value, at, schema)
            kind = _kind(contributions[0][1])
        if kind == _MAP:
            winner = self.maximal(contributions)[0]
            self.provenance[pointer] = (winner[0], winner[2])
            keys: dict[str, None] = {}
            for _, value, _ in contributions:
                keys.update(dict.fromkeys(value))
            out: dict[str, Any] = {}
            for key in keys:
                sub = [(i, v[key], child(at, key)) for i, v, at in contributions if key in v]
                out[key] = self.merge(
                    child(pointer, key),
                    sub,
                    _child(schema, key),
                    f"{display}.{key}" if display else key,
                )
            return out
        if kind == _LIST and isinstance(schema, EntityList):
            return self.merge_entities(pointer, contributions, schema, display)
        return self.merge_atomic(pointer, contributions, schema, display)

    def merge_atomic(
        self, pointer: str, contributions: list[Contribution], schema: Schema, display: str
    ) -> Any:
        top = self.maximal(contributions)
        chosen = top[0]
        differing = [c for c in top[1:] if not same(c[1], chosen[1])]
        if differing:
            sides = [chosen, *differing]
            places = [self.locate(i, at) for i, _, at in sides]
            listing = "; ".join(
                f"{loc.short()} says {_show(v)}"
                for loc, (_, v, _) in zip(places, sides, strict=True)
            )
            self.conflicts.append(
                make_conflict(
                    "sibling_conflict",
                    f"`{display or '(document)'}` is defined differently by fragments that do not "
                    f"import each other: {listing}",
                    "make the values identical, or set the value in a fragment that imports both "
                    "(such as the root)",
                    places,
                )
            )
        index, value, at = chosen
        return self.copy(pointer, index, value, at, schema)

    def type_change(
        self, pointer: str, contributions: list[Contribution], display: str
    ) -> list[Contribution]:
        winner = self.maximal(contributions)[0]
        kind = _kind(winner[1])
        other = next(c for c in contributions if _kind(c[1]) != kind)
        first, second = self.locate(winner[0], winner[2]), self.locate(other[0], other[2])
        self.conflicts.append(
            make_conflict(
                "type_change",
                f"`{display or '(document)'}` is {kind} in {first.short()} but "
                f"{_kind(other[1])} in {second.short()}",
                "use the same kind of value (mapping, list or scalar) in every fragment",
                [first, second],
            )
        )
        return [c for c in contributions if _kind(c[1]) == kind]

    def merge_entities(
        self, pointer: str, contributions: list[Contribution], schema: EntityList, display: str
    ) -> list[Any]:
        groups: dict[tuple[str, ...], list[Contribution]] = {}
        for index, items, at in contributions:
            if not isinstance(items, list):
                continue
            seen: set[tuple[str, ...]] = set()
            for position, item in enumerate(items):
                key = schema.key(item) if isinstance(item, dict) else None
                if key is None or key in seen:
                    continue  # a missing or duplicate key is reported by the validator
                seen.add(key)
                groups.setdefault(key, []).append((index, item, f"{at}/{position}"))
        winner = self.maximal(contributions)[0]
        self.provenance[pointer] = (winner[0], winner[2])
        out: list[Any] = []
        for position, key in enumerate(sorted(groups)):
            sub = groups[key]
            here = f"{pointer}/{position}"
            label = f"{display}[{'|'.join(key)}]"
            value = self.merge(here, sub, GENERIC, label)
            if schema.annotate and isinstance(value, dict):
                value = dict(value)  # it may be the fragment's own mapping
                definer = self.definer(sub)
                self.provenance[here] = (definer[0], definer[2])
                if "repository" not in value:
                    value["repository"] = self.aliases[definer[0]]
                    self.provenance[here + "/repository"] = (definer[0], definer[2])
            out.append(value)
        return out

    def copy(self, pointer: str, index: int, value: Any, at: str, schema: Schema) -> Any:
        """A value with a single contributor: one provenance entry covers its whole subtree.

        Below the entity level the value is shared with the fragment, not copied (the
        caller deep-copies the merged document before changing it)."""
        self.provenance[pointer] = (index, at)
        if schema is GENERIC:
            return value
        if isinstance(value, dict):
            return {
                k: self.copy(child(pointer, k), index, v, child(at, k), _child(schema, k))
                for k, v in value.items()
            }
        if isinstance(value, list) and isinstance(schema, EntityList):
            return self.merge_entities(pointer, [(index, value, at)], schema, "")
        return value


def ancestor_masks(edges: Iterable[tuple[int, int]], count: int) -> list[int]:
    """Bitmask of the strict ancestors of each of `count` fragments, given the import DAG's
    (importer, imported) index pairs."""
    parents: dict[int, set[int]] = {}
    children: dict[int, set[int]] = {}
    for source, target in edges:
        parents.setdefault(target, set()).add(source)
        children.setdefault(source, set()).add(target)
    waiting = {i: len(parents.get(i, ())) for i in range(count)}
    ready = sorted(i for i, n in waiting.items() if n == 0)
    masks = [0] * count
    while ready:
        node = ready.pop()
        for kid in sorted(children.get(node, ())):
            masks[kid] |= masks[node] | (1 << node)
            waiting[kid] -= 1
            if waiting[kid] == 0:
                ready.append(kid)
    return masks

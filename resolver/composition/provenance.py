"""Provenance: which fragment wrote each value of the effective manifest, and where.

The merge records entries `output pointer -> (fragment index, pointer in the fragment)`;
an entry covers its subtree (a pointer below it maps to the same suffix below the fragment
pointer) unless a deeper entry says otherwise, and `NO_ORIGIN` marks values no fragment
wrote (a virtual root's identity keys). `Provenance` answers "where is this value from" for
diagnostics and expands the entries into the report's map
`JSON pointer -> alias@commit:path:line:col` for every value a fragment wrote; values that
upstream's defaults filled in have no entry. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolver.composition.fragment import Fragment
from resolver.composition.pointers import child

Entry = tuple[int, str]
NO_ORIGIN: Entry = (-1, "")


class Provenance:
    def __init__(self, fragments: Sequence[Fragment], entries: dict[str, Entry]) -> None:
        self.fragments = fragments
        self.entries = entries

    def origin_of(self, pointer: str) -> tuple[int, str] | None:
        """(fragment index, pointer in it) of an effective pointer: the nearest provenance
        entry at or above it, with the rest of the path appended."""
        probe = pointer
        while True:
            found = self.entries.get(probe)
            if found is not None:
                return None if found[0] < 0 else (found[0], found[1] + pointer[len(probe) :])
            if not probe:
                return None
            probe = probe.rsplit("/", 1)[0]

    def strings(self, manifest: dict[str, Any], merged: dict[str, Any]) -> dict[str, str]:
        """`alias@commit:path:line:col` for every value of the manifest that a fragment wrote
        (values upstream's defaults filled in have none)."""
        out: dict[str, str] = {}
        entries = self.entries
        prefixes = [f"{f.id.alias}@{f.id.commit}:" for f in self.fragments]
        missing = object()
        stack: list[tuple[Any, Any, str, tuple[int, str, str] | None]] = [
            (manifest, merged, "", None)
        ]
        while stack:
            node, source, pointer, context = stack.pop()
            entry = entries.get(pointer)
            if entry is not None:
                context = None if entry[0] < 0 else (entry[0], entry[1], pointer)
                if source is missing:
                    source = node  # filled in from a component: its children count too
            elif source is missing:
                continue  # filled in by normalization
            if context is not None and pointer:
                index, at, base = context
                fragment = self.fragments[index]
                where = at + pointer[len(base) :]
                position = None if fragment.origins else fragment.positions.get(where)
                if position is not None:  # the common case, kept cheap
                    out[pointer] = (
                        f"{prefixes[index]}{fragment.id.path}:{position[0]}:{position[1]}"
                    )
                else:
                    file, line, column = fragment.origin(where)
                    out[pointer] = f"{prefixes[index]}{file}:{line}:{column}"
            if isinstance(node, dict):
                for key, value in node.items():
                    below = source.get(key, missing) if isinstance(source, dict) else missing
                    stack.append((value, below, child(pointer, key), context))
            elif isinstance(node, list):
                for offset, value in enumerate(node):
                    below = (
                        source[offset]
                        if isinstance(source, list) and offset < len(source)
                        else missing
                    )
                    stack.append((value, below, f"{pointer}/{offset}", context))
        return out

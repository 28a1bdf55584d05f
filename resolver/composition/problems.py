"""Conflicts: problems that involve two or more places, each reported with all of them.

A `Conflict` is a `Diagnostic` (code `conflict`, located at its first place) plus every
`Location` involved — e.g. both fragments of a sibling conflict, or both import chains of
a repository reached at two commits. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolver.diagnostics import Diagnostic


@dataclass(frozen=True, slots=True, order=True)
class Location:
    repository: str
    path: str
    line: int
    column: int
    commit: str = ""
    pointer: str = ""
    chain: tuple[str, ...] = ()

    def short(self) -> str:
        where = ":".join(p for p in (self.repository, self.path) if p)
        return f"{where}:{self.line}:{self.column}" if self.line else where

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "commit": self.commit,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "chain": list(self.chain),
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    diagnostic: Diagnostic
    locations: tuple[Location, ...]

    def sort_key(self) -> tuple[Any, ...]:
        return (*self.diagnostic.sort_key(), self.locations)

    def to_dict(self) -> dict[str, Any]:
        return {**self.diagnostic.to_dict(), "locations": [loc.to_dict() for loc in self.locations]}


def make_conflict(
    reason: str,
    message: str,
    hint: str,
    locations: list[Location],
    *,
    code: Any = None,
    severity: Any = None,
) -> Conflict:
    """A conflict located at the smallest of its locations (so the report is stable)."""
    from resolver.diagnostics import Code, Severity

    places = tuple(sorted(set(locations)))
    first = places[0] if places else Location("", "", 0, 0)
    return Conflict(
        Diagnostic(
            code=code or Code.CONFLICT,
            reason=reason,
            message=message,
            severity=severity or Severity.ERROR,
            path=first.path,
            line=first.line,
            column=first.column,
            pointer=first.pointer,
            hint=hint,
            repository=first.repository,
            chain=first.chain,
        ),
        places,
    )

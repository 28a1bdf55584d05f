"""Diagnostics: the one shape every problem Manifold finds is reported in.

Owns the stable error vocabulary (`Code`), severities, the `Diagnostic` value and the
"did you mean" helper. Pure data; no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Stable, machine-readable class of a problem (gRPC-style status names)."""

    INVALID_ARGUMENT = "invalid_argument"
    NOT_FOUND = "not_found"
    FAILED_PRECONDITION = "failed_precondition"
    CONFLICT = "conflict"
    PERMISSION_DENIED = "permission_denied"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, located as precisely as the input allows.

    `line` and `column` are 1-based; 0 means "not known" (e.g. a problem of the whole file).
    `pointer` is an RFC 6901 JSON pointer into the document; `chain` is the import chain
    (outermost first) through which the file was reached, when it was reached by import.
    """

    code: Code
    reason: str
    message: str
    severity: Severity = Severity.ERROR
    path: str = ""
    line: int = 0
    column: int = 0
    pointer: str = ""
    hint: str = ""
    repository: str = ""
    chain: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.repository,
            self.path,
            self.line,
            self.column,
            _SEVERITY_RANK[self.severity],
            self.code.value,
            self.reason,
            self.pointer,
            self.message,
        )

    def with_location(self, **changes: Any) -> Diagnostic:
        return replace(self, **changes)

    def location(self) -> str:
        """`repo:path:line:col`, dropping the parts that are unknown."""
        parts = [p for p in (self.repository, self.path) if p]
        where = ":".join(parts)
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        return where

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "code": self.code.value,
            "reason": self.reason,
            "message": self.message,
            "repository": self.repository,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "hint": self.hint,
            "chain": list(self.chain),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Diagnostic:
        return cls(
            code=Code(data["code"]),
            reason=str(data["reason"]),
            message=str(data["message"]),
            severity=Severity(data.get("severity", "error")),
            path=str(data.get("path", "")),
            line=int(data.get("line", 0)),
            column=int(data.get("column", 0)),
            pointer=str(data.get("pointer", "")),
            hint=str(data.get("hint", "")),
            repository=str(data.get("repository", "")),
            chain=tuple(data.get("chain", ())),
        )


#: where a JSON pointer is in a file: (pointer, of the key?) -> 1-based (line, column)
Locate = Callable[[str, bool], tuple[int, int]]


class Reporter:
    """Collects the diagnostics of one file, each placed at the position of a JSON pointer."""

    def __init__(self, path: str, locate: Locate) -> None:
        self.path = path
        self.locate = locate
        self.out: list[Diagnostic] = []

    def make(
        self,
        reason: str,
        message: str,
        pointer: str,
        hint: str = "",
        *,
        key: bool = False,
        code: Code = Code.INVALID_ARGUMENT,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        line, column = self.locate(pointer, key)
        return Diagnostic(
            code=code,
            reason=reason,
            message=message,
            severity=severity,
            path=self.path,
            line=line,
            column=column,
            pointer=pointer,
            hint=hint,
        )

    def report(
        self,
        reason: str,
        message: str,
        pointer: str,
        hint: str = "",
        *,
        key: bool = False,
        code: Code = Code.INVALID_ARGUMENT,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.out.append(
            self.make(reason, message, pointer, hint, key=key, code=code, severity=severity)
        )


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted and de-duplicated: the same input always reports in the same order."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or "" when nothing is close enough."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean `{matches[0]}`?" if matches else ""


def escape_pointer_token(token: str | int) -> str:
    text = token if isinstance(token, str) else str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def join_pointer(base: str, *tokens: str | int) -> str:
    # hot: called for every value of every file, so no generator and no needless replace
    for token in tokens:
        base = base + "/" + escape_pointer_token(token)
    return base

"""The preview result: everything one composition produced, and its canonical JSON.

`PreviewReport` is what `compose` returns and every renderer reads (CLI text/JSON/YAML, the
PR check run's Markdown, the staff API). `to_json_dict` has exactly the issue's top-level
keys; `canonical_json` is the byte form the manifest hash is computed over (keys sorted, no
insignificant whitespace, UTF-8, non-finite floats written as YAML spells them). Pure data.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from resolver.composition.checkout import CheckoutEntry
from resolver.composition.docs import DocsGraph
from resolver.composition.planmodel import ExecutionPlan
from resolver.composition.problems import Conflict
from resolver.diagnostics import Diagnostic

JSON_KEYS = (
    "project",
    "mode",
    "root_repository",
    "imports",
    "effective_services_manifest_hash",
    "manifest",
    "execution_plan",
    "checkout_plan",
    "docs",
    "conflicts",
    "validation_errors",
    "warnings",
    "provenance",
)


@dataclass(frozen=True, slots=True)
class Importer:
    repository: str  # "" for the virtual root
    path: str


@dataclass(frozen=True, slots=True)
class ImportRecord:
    repository: str
    path: str
    ref: str
    resolved_commit: str
    required: bool
    chain: tuple[str, ...]
    imported_by: tuple[Importer, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "path": self.path,
            "ref": self.ref,
            "resolved_commit": self.resolved_commit,
            "required": self.required,
            "chain": list(self.chain),
            "imported_by": [{"repository": i.repository, "path": i.path} for i in self.imported_by],
        }


@dataclass(frozen=True, slots=True)
class PreviewReport:
    project: str
    mode: str
    root_repository: str | None
    imports: tuple[ImportRecord, ...] = ()
    manifest: dict[str, Any] = field(default_factory=dict)
    manifest_hash: str = ""
    execution_plan: ExecutionPlan = field(default_factory=lambda: ExecutionPlan("", ""))
    checkout_plan: tuple[CheckoutEntry, ...] = ()
    docs: DocsGraph = field(default_factory=DocsGraph)
    conflicts: tuple[Conflict, ...] = ()
    validation_errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    #: JSON pointer -> `alias@commit:path:line:col`; a `LazyMap` expanded on first use
    provenance: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.validation_errors

    @property
    def problems(self) -> list[Diagnostic]:
        """Every problem as a diagnostic, sorted (conflicts at their first location)."""
        from resolver.diagnostics import sort_diagnostics

        return sort_diagnostics(
            [c.diagnostic for c in self.conflicts]
            + list(self.validation_errors)
            + list(self.warnings)
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "mode": self.mode,
            "root_repository": self.root_repository,
            "imports": [i.to_dict() for i in self.imports],
            "effective_services_manifest_hash": self.manifest_hash,
            "manifest": self.manifest,
            "execution_plan": self.execution_plan.to_dict(),
            "checkout_plan": [c.to_dict() for c in self.checkout_plan],
            "docs": self.docs.to_dict(),
            "conflicts": [c.to_dict() for c in self.conflicts],
            "validation_errors": [d.to_dict() for d in self.validation_errors],
            "warnings": [d.to_dict() for d in self.warnings],
            "provenance": dict(self.provenance),
        }


class LazyMap(Mapping[str, str]):
    """A mapping built on first use (provenance is large and often not needed)."""

    def __init__(self, build: Callable[[], dict[str, str]]) -> None:
        self._build: Callable[[], dict[str, str]] | None = build
        self._data: dict[str, str] | None = None

    def _items(self) -> dict[str, str]:
        if self._data is None:
            assert self._build is not None
            self._data, self._build = self._build(), None
        return self._data

    def __getitem__(self, key: str) -> str:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __repr__(self) -> str:
        return f"LazyMap({len(self)} entries)"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def canonical_json(value: Any) -> bytes:
    """Keys sorted, compact, UTF-8: the same data always gives the same bytes."""
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError:
        text = json.dumps(_finite(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def manifest_hash(manifest: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(manifest)).hexdigest()


def render_json(report: PreviewReport) -> str:
    """The report as indented JSON (keys sorted), newline-terminated."""
    data = report.to_json_dict()
    try:
        text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), sort_keys=True, indent=2, ensure_ascii=False)
    return text + "\n"

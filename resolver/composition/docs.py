"""The docs graph: which project documents an agent of a given role gets, in which order.

Owns DESIGN.md §3's docs rules. `projectDocs` of the effective manifest are filtered by role
(an entry without roles is for every role; no role asked = every entry), ranked by the tier
of the repository that holds the document — `docs` repositories and, as upstream guesses,
aliases containing `policy` or `docs` first, then `orchestrator`, then `service`/`mixed` —
ties by alias then path, and de-duplicated by lower-cased path (the higher-ranked entry wins,
the others are reported as shadowed). A size guard keeps the first N ("showing N of M").
A missing document is `failed_precondition`, or a warning when it is `optional`. Pure: the
caller says which paths exist at which commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from resolver.composition.plan import LocateEffective
from resolver.composition.workspace import RepositoryBinding
from resolver.diagnostics import Code, Diagnostic, Severity, join_pointer

DEFAULT_MAX_DOCS = 16
TIER_NAMES = ("docs", "orchestrator", "service")


@dataclass(frozen=True, slots=True)
class DocSource:
    repository: str
    path: str
    description: str
    roles: tuple[str, ...]
    optional: bool
    priority: int
    tier: str
    resolved_commit: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "path": self.path,
            "description": self.description,
            "roles": list(self.roles),
            "optional": self.optional,
            "priority": self.priority,
            "tier": self.tier,
            "resolved_commit": self.resolved_commit,
        }


@dataclass(frozen=True, slots=True)
class ShadowedDoc:
    repository: str
    path: str
    shadowed_by: str  # repository of the entry that wins
    winner_path: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "path": self.path,
            "shadowed_by": {"repository": self.shadowed_by, "path": self.winner_path},
        }


@dataclass(frozen=True, slots=True)
class DocsGraph:
    role: str | None = None
    sources: tuple[DocSource, ...] = ()
    shadowed: tuple[ShadowedDoc, ...] = ()
    shown: int = 0
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "sources": [s.to_dict() for s in self.sources],
            "shadowed": [s.to_dict() for s in self.shadowed],
            "shown": self.shown,
            "total": self.total,
        }


def repository_tier(alias: str, binding: RepositoryBinding | None) -> int:
    role = binding.role if binding else ""
    if role == "docs" or "policy" in alias or "docs" in alias:
        return 0
    if role == "orchestrator":
        return 1
    return 2


def doc_entries(manifest: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    spec = manifest.get("spec")
    docs = spec.get("projectDocs") if isinstance(spec, dict) else None
    out = []
    for index, entry in enumerate(docs if isinstance(docs, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("path"), str) and entry["path"]:
            out.append((join_pointer("/spec/projectDocs", index), entry))
    return out


Exists = Callable[[str, str], "bool | Diagnostic"]


def build_docs_graph(
    manifest: dict[str, Any],
    bindings: Mapping[str, RepositoryBinding],
    *,
    role: str | None,
    commits: Mapping[str, str],
    exists: Exists,
    locate: LocateEffective,
    max_shown: int = DEFAULT_MAX_DOCS,
) -> tuple[DocsGraph, list[Diagnostic]]:
    wanted = role.strip().lower() if role else None
    ranked = []
    for pointer, entry in doc_entries(manifest):
        roles = tuple(str(r) for r in entry.get("roles") or [] if isinstance(r, str))
        if wanted and roles and wanted not in roles:
            continue
        alias = str(entry.get("repository") or "")
        tier = repository_tier(alias, bindings.get(alias))
        ranked.append(((tier, alias, entry["path"]), pointer, entry, roles))
    ranked.sort(key=lambda r: r[0])
    unique: list[tuple[tuple[int, str, str], str, dict[str, Any], tuple[str, ...]]] = []
    winners: dict[str, tuple[str, str]] = {}
    shadowed = []
    for item in ranked:
        (_, alias, path), _, _, _ = item
        key = path.lower()
        if key in winners:
            shadowed.append(ShadowedDoc(alias, path, *winners[key]))
            continue
        winners[key] = (alias, path)
        unique.append(item)
    problems: list[Diagnostic] = []
    sources = []
    for priority, ((tier, alias, path), pointer, entry, roles) in enumerate(unique):
        optional = entry.get("optional") is True
        found = exists(alias, path)
        if isinstance(found, Diagnostic) and found.code is Code.PERMISSION_DENIED:
            found = True  # an unbound repository is reported where the entry names it
        if found is not True:
            where = locate(pointer + "/path")
            if isinstance(found, Diagnostic):
                code, reason, message = found.code, found.reason, found.message
            else:
                code, reason = Code.FAILED_PRECONDITION, "doc_not_found"
                message = (
                    f"project doc `{path}` does not exist in `{alias}` at "
                    f"{commits.get(alias, '')[:12] or 'its default ref'}"
                )
            problems.append(
                Diagnostic(
                    code=code,
                    reason=reason if not optional else "optional_doc_missing",
                    message=message
                    if not optional
                    else f"optional {message[0].lower()}{message[1:]}",
                    severity=Severity.WARNING if optional else Severity.ERROR,
                    path=where.path,
                    line=where.line,
                    column=where.column,
                    pointer=pointer + "/path",
                    hint="fix the path, or mark the entry `optional: true`" if not optional else "",
                    repository=where.repository,
                    chain=where.chain,
                )
            )
        if priority < max_shown:
            description = entry.get("description")
            sources.append(
                DocSource(
                    alias,
                    path,
                    description if isinstance(description, str) else "",
                    roles,
                    optional,
                    priority,
                    TIER_NAMES[tier],
                    commits.get(alias, ""),
                )
            )
    graph = DocsGraph(
        role=wanted,
        sources=tuple(sources),
        shadowed=tuple(sorted(shadowed, key=lambda s: (s.path.lower(), s.repository, s.path))),
        shown=len(sources),
        total=len(unique),
    )
    return graph, problems

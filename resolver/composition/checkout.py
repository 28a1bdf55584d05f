"""The checkout plan: per repository, the pinned commit and only the paths a deploy needs.

Paths are the fragment files (services files and their local imports), the manifests of the
units the plan applies, the project docs shown and the role's document templates. One
commit per repository (the composition guarantees it); entries sorted by alias, paths
sorted. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from resolver.composition.workspace import RepositoryBinding


@dataclass(frozen=True, slots=True)
class CheckoutEntry:
    repository: str
    owner: str
    name: str
    commit: str
    paths: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "owner": self.owner,
            "name": self.name,
            "commit": self.commit,
            "paths": list(self.paths),
        }


def build_checkout_plan(
    bindings: Mapping[str, RepositoryBinding],
    commits: Mapping[str, str],
    needed: Iterable[tuple[str, str]],
) -> tuple[CheckoutEntry, ...]:
    """`needed` is (alias, repo-relative path) pairs; aliases without a commit are left out."""
    paths: dict[str, set[str]] = {}
    for alias, path in needed:
        if alias in commits and alias in bindings:
            paths.setdefault(alias, set()).add(path)
    return tuple(
        CheckoutEntry(
            alias,
            bindings[alias].owner,
            bindings[alias].name or alias,
            commits[alias],
            tuple(sorted(paths[alias])),
        )
        for alias in sorted(paths)
    )

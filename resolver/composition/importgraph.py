"""The import graph's data: edges between fragments and the settled graph a composition uses.

Pure data shared by discovery (`graph`), settling (`settle`) and the later stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from resolver.composition.fragment import Fragment, FragmentId
from resolver.composition.problems import Conflict
from resolver.diagnostics import Diagnostic
from resolver.localimports import Origin

VIRTUAL = FragmentId("", "(virtual root)", "")
MONOREPO, VIRTUAL_ROOT, EXPLICIT_ROOT = "monorepo", "virtual_root", "explicit_root"


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    source: FragmentId
    target: FragmentId
    ref: str
    required: bool
    origin: Origin
    pointer: str

    def label(self) -> str:
        return f"{self.target.label()}@{self.ref or 'HEAD'}"


@dataclass(slots=True)
class ImportGraph:
    mode: str
    root: FragmentId
    root_ref: str = ""
    fragments: dict[FragmentId, Fragment] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: the edges precedence is computed on (cycle-closing edges removed)
    dag_edges: list[Edge] = field(default_factory=list)
    chains: dict[FragmentId, tuple[str, ...]] = field(default_factory=dict)
    #: alias -> (ref, commit) for every repository the composition pinned
    pins: dict[str, tuple[str, str]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def root_alias(self) -> str | None:
        return None if self.root == VIRTUAL else self.root.alias

    def root_label(self) -> str:
        if self.root == VIRTUAL:
            return VIRTUAL.path
        return f"{self.root.label()}@{self.root_ref or 'HEAD'}"

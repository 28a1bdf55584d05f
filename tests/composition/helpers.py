"""Builders for composition tests: in-memory projects, fragments and position look-ups."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from resolver.composition import (
    MemorySource,
    PreviewReport,
    RepositoryBinding,
    Workspace,
    compose,
)
from resolver.diagnostics import Diagnostic

HEADER = """\
apiVersion: kodex.works/v1alpha1
kind: ServiceStack
metadata:
  name: {name}
spec:
  project: demo
"""

ENVIRONMENTS = """\
  environments:
    ai:
      namespaceTemplate: "{{ .Project }}-dev-{{ .Slot }}"
    production:
      namespaceTemplate: "{{ .Project }}-prod"
"""


def fragment(body: str = "", *, name: str = "frag", environments: bool = False) -> str:
    """A typed fragment: the header, optionally environments, then `body` (spec-level YAML,
    written at column 0 and indented here)."""
    text = HEADER.format(name=name)
    if environments:
        text += ENVIRONMENTS
    return text + textwrap.indent(textwrap.dedent(body), "  ")


def imports(*entries: str, root: str | None = None, optional: tuple[str, ...] = ()) -> str:
    """`composition` lines; each entry is `alias`, `alias:path` or `alias:path@ref`.

    `root` writes `rootRepository`; entries listed in `optional` get `required: false`."""
    lines = ["composition:"]
    if root:
        lines.append(f"  rootRepository: {root}")
    lines.append("  imports:")
    for entry in entries:
        target, _, ref = entry.partition("@")
        alias, _, path = target.partition(":")
        lines.append(f"    - repository: {alias}")
        if path:
            lines.append(f"      path: {path}")
        if ref:
            lines.append(f"      ref: {ref}")
        if entry in optional:
            lines.append("      required: false")
    return "\n".join(lines) + "\n"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing `needle`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in text")


class Project:
    """An in-memory project: bindings plus a MemorySource."""

    def __init__(self, project: str = "demo") -> None:
        self.project = project
        self.source = MemorySource()
        self.bindings: dict[str, RepositoryBinding] = {}
        self.order: list[str] = []

    def repo(
        self,
        alias: str,
        files: Mapping[str, str],
        *,
        role: str = "service",
        default_ref: str = "main",
        services_path: str = "services.yaml",
        tag: str | None = None,
        branch: str = "main",
    ) -> str:
        if alias not in self.bindings:
            self.order.append(alias)
        self.bindings[alias] = RepositoryBinding(
            alias=alias,
            role=role,
            default_ref=default_ref,
            services_path=services_path,
            owner="org",
            name=alias,
        )
        return self.source.commit(alias, files, branch=branch, tag=tag)

    def workspace(self, order: list[str] | None = None) -> Workspace:
        aliases = order or self.order
        return Workspace(
            self.project,
            tuple(self.bindings[a] for a in aliases),
            "workspace.yaml",
            {a: (i + 3, 5) for i, a in enumerate(sorted(self.bindings))},
        )

    def compose(self, order: list[str] | None = None, **kwargs: object) -> PreviewReport:
        return compose(self.workspace(order), self.source, **kwargs)  # type: ignore[arg-type]


def reasons(report: PreviewReport) -> list[str]:
    return sorted({d.reason for d in report.problems})


def only(report: PreviewReport, reason: str) -> list[Diagnostic]:
    return [d for d in report.problems if d.reason == reason]

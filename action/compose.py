"""The `workspace` input: compose this repository with its sibling checkouts, as
`manifold preview` does, and hand back what the Action reports (Markdown, hash, problems).

The composition names files by repository alias and repository-relative path. Annotations and
SARIF need paths relative to the checkout (`GITHUB_WORKSPACE`), so a problem in a repository
whose directory lies inside the checkout — this repository, or a sibling checked out below
it — is re-based onto that path; problems elsewhere keep their alias. Problems the file
validation already reported (the composition re-validates each fragment) are dropped.

`resolver.composition` is imported only when a workspace is actually given, so validating a
lone fragment never depends on the composition engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from action.inputs import UsageError
from resolver.diagnostics import Code, Diagnostic, Severity

if TYPE_CHECKING:
    from resolver.composition import Workspace


@dataclass(frozen=True, slots=True)
class CompositionOutcome:
    ok: bool
    markdown: str
    manifest_hash: str = ""
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def as_diagnostic(item: Any, severity: Severity) -> Diagnostic:
    if isinstance(item, Diagnostic):
        return item
    if isinstance(item, Mapping):
        data = dict(item)
        data.setdefault("severity", severity.value)
        data.setdefault("code", Code.INVALID_ARGUMENT.value)
        data.setdefault("reason", "composition")
        data.setdefault("message", "")
        return Diagnostic.from_dict(data)
    return Diagnostic(
        code=Code.INVALID_ARGUMENT, reason="composition", message=str(item), severity=severity
    )


def _identity(d: Diagnostic) -> tuple[str, str, int, int, str, str]:
    """Same place, same problem: severity and wording may differ (`--strict` rewrites both)."""
    return (d.repository, d.path, d.line, d.column, d.reason, d.pointer)


def _inside(path: Path, root: Path) -> str | None:
    """`path` relative to `root` (POSIX), or None when it lies outside."""
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return None
    return relative.as_posix()


def rebase(
    diagnostic: Diagnostic,
    *,
    root: Path,
    workspace_file: Path,
    workspace_display: str,
    repositories: Mapping[str, Path],
) -> Diagnostic:
    """The diagnostic with its path relative to `root` when its file lies inside `root`."""
    if diagnostic.repository:
        directory = repositories.get(diagnostic.repository)
        if directory is None or not diagnostic.path:
            return diagnostic
        relative = _inside(directory / diagnostic.path, root)
    elif diagnostic.path and diagnostic.path == workspace_display:
        relative = _inside(workspace_file, root)
    else:
        return diagnostic
    if relative is None:
        return diagnostic
    return replace(diagnostic, path=relative, repository="")


def _repository_dirs(workspace: Workspace, workspace_file: Path) -> dict[str, Path]:
    """Where each bound repository lies (a binding's `path` is relative to the workspace
    file's directory, as `load_workspace` reads it)."""
    base = workspace_file if workspace_file.is_dir() else workspace_file.parent
    dirs: dict[str, Path] = {}
    for binding in workspace.repositories:
        local = Path(binding.path or binding.alias)
        dirs[binding.alias] = local if local.is_absolute() else base / local
    return dirs


def compose_workspace(
    path: Path,
    *,
    root: Path,
    strict: bool = False,
    already_reported: Iterable[Diagnostic] = (),
) -> CompositionOutcome:
    """Load the workspace (a workspace.yaml, a directory holding one, or a single repository's
    services.yaml), compose it, and summarise the preview report.

    A path that does not exist is a usage error; problems inside the workspace or the
    fragments it names are the report's conflicts, errors and warnings.
    """
    if not path.exists():
        raise UsageError(f"workspace file `{path}` does not exist")
    from resolver.composition import compose, load_workspace, render_markdown

    workspace, source = load_workspace(path)
    report = compose(workspace, source, strict=strict)
    repositories = _repository_dirs(workspace, path)
    display = workspace.file or path.name
    rebased = [
        rebase(
            d,
            root=root,
            workspace_file=path,
            workspace_display=display,
            repositories=repositories,
        )
        for d in report.problems
    ]
    seen = {_identity(d) for d in already_reported}
    unique = tuple(d for d in dict.fromkeys(rebased) if _identity(d) not in seen)
    return CompositionOutcome(
        ok=report.ok,
        markdown=render_markdown(report),
        manifest_hash=report.manifest_hash,
        diagnostics=unique,
    )

"""Whether the composed manifests agree with the project's bindings.

Owns: each fragment's `spec.repositories` against the bound repositories (an unbound alias
or a differing field is a `repository_mismatch` conflict naming the manifest and the
binding), project names (a warning when the workspace, the root or a fragment disagree),
and, for an explicit root, bound `service`/`mixed` repositories no fragment imports. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from resolver.composition.fragment import Fragment
from resolver.composition.importgraph import EXPLICIT_ROOT, ImportGraph
from resolver.composition.problems import Conflict, Location, make_conflict
from resolver.composition.workspace import Workspace
from resolver.diagnostics import Code, Diagnostic, Severity, did_you_mean, join_pointer

_BINDING_FIELDS = (
    ("provider", "provider"),
    ("owner", "owner"),
    ("name", "name"),
    ("role", "role"),
    ("defaultRef", "default_ref"),
    ("servicesPath", "services_path"),
    ("docsRootPath", "docs_root_path"),
)


def check_bindings(
    graph: ImportGraph,
    fragments: Sequence[Fragment],
    workspace: Workspace,
    locate: Callable[[int, str], Location],
    manifest: dict[str, Any],
) -> tuple[list[Conflict], list[Diagnostic]]:
    """Manifests' `spec.repositories` and project names against the project's bindings."""
    conflicts: list[Conflict] = []
    diagnostics: list[Diagnostic] = []
    bindings = {b.alias: b for b in workspace.repositories}
    spec = manifest.get("spec")
    project = str(spec.get("project") or "") if isinstance(spec, dict) else ""

    def bound_at(alias: str) -> Location:
        line, column = workspace.position(alias)
        return Location("", workspace.file, line, column)

    for index, fragment in enumerate(fragments):
        document = fragment.document or {}
        frag_spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
        repos = frag_spec.get("repositories") if isinstance(frag_spec, dict) else None
        for r_index, entry in enumerate(repos if isinstance(repos, list) else []):
            if not isinstance(entry, dict) or not isinstance(entry.get("alias"), str):
                continue
            pointer = join_pointer("/spec/repositories", r_index)
            alias = entry["alias"]
            binding = bindings.get(alias)
            if binding is None:
                conflicts.append(
                    make_conflict(
                        "repository_mismatch",
                        f"`{fragment.id.label()}` declares repository `{alias}`, which is not "
                        "bound to the project",
                        did_you_mean(alias, bindings) or "bind it, or remove the entry",
                        [locate(index, pointer + "/alias")],
                    )
                )
                continue
            for key, attribute in _BINDING_FIELDS:
                declared = entry.get(key)
                actual = str(getattr(binding, attribute))
                if not isinstance(declared, str) or not declared.strip() or not actual:
                    continue
                wanted = declared.strip().lower() if key == "role" else declared.strip()
                if wanted != actual:
                    conflicts.append(
                        make_conflict(
                            "repository_mismatch",
                            f"`{fragment.id.label()}` declares `{key}: {declared}` for repository "
                            f"`{alias}`, but the project binds it with `{actual}`",
                            "make the manifest agree with the project's bindings",
                            [locate(index, join_pointer(pointer, key)), bound_at(alias)],
                        )
                    )
        if fragment.project and project and fragment.project != project:
            where = locate(index, "/spec/project")
            diagnostics.append(
                Diagnostic(
                    code=Code.FAILED_PRECONDITION,
                    reason="fragment_project_mismatch",
                    message=f"`{fragment.id.label()}` says `project: {fragment.project}`, but "
                    f"it is composed into project `{project}`",
                    severity=Severity.WARNING,
                    path=where.path,
                    line=where.line,
                    column=where.column,
                    pointer="/spec/project",
                    repository=where.repository,
                    chain=where.chain,
                )
            )
    if workspace.project and project and workspace.project != project:
        line, column = workspace.position("")
        diagnostics.append(
            Diagnostic(
                code=Code.FAILED_PRECONDITION,
                reason="project_mismatch",
                message=f"the workspace binds project `{workspace.project}`, but the root manifest "
                f"names `{project}`",
                severity=Severity.WARNING,
                path=workspace.file,
                hint="use the same project name in both",
            )
        )
    if graph.mode == EXPLICIT_ROOT:
        used = {f.id.alias for f in fragments}
        for alias, binding in sorted(bindings.items()):
            if binding.role in ("service", "mixed") and alias not in used:
                line, column = workspace.position(alias)
                diagnostics.append(
                    Diagnostic(
                        code=Code.FAILED_PRECONDITION,
                        reason="repository_not_composed",
                        message=f"`{alias}` (role {binding.role}) is bound, but no fragment of the "
                        "composition imports it",
                        severity=Severity.WARNING,
                        path=workspace.file,
                        line=line,
                        column=column,
                        hint="import it from the root, or change its role",
                    )
                )
    return conflicts, diagnostics

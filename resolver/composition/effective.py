"""Rules about the effective manifest as a whole (after the merge), not about one fragment.

Owns: the identity keys (from the root; for a virtual root the project binding's name and
the newest apiVersion any fragment uses), provenance for values upstream's defaults copy in
from components, the whole-manifest checks of `resolver.validate` (`complete=True`: required
keys, resolvable `use`/`dependsOn`/`from`) mapped back to the fragments that wrote the
values, `repository` references that name unbound aliases (`permission_denied`), manifests
that do not exist at the pinned commit, and the agreement of manifests' `spec.repositories`
and project names with the project's bindings. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from resolver.composition.fragment import Fragment
from resolver.composition.importgraph import VIRTUAL, ImportGraph
from resolver.composition.merge import same
from resolver.composition.planmodel import ExecutionPlan
from resolver.composition.problems import Location
from resolver.composition.provenance import NO_ORIGIN
from resolver.composition.workspace import Workspace
from resolver.diagnostics import Code, Diagnostic, did_you_mean, join_pointer
from resolver.model import API_VERSION_ORDER, API_VERSIONS, KIND
from resolver.semantics import check_semantics

LocateEffective = Callable[[str], Location]
Provenance = dict[str, tuple[int, str]]

#: reasons of `validate_fragment(complete=True)` that only a whole manifest can have
WHOLE_MANIFEST_REASONS = frozenset(
    {
        "missing_environments",
        "missing_project",
        "unknown_component",
        "unknown_dependency",
        "unknown_environment",
        "environment_cycle",
        "duplicate_unit",
    }
)


def with_identity(
    merged: dict[str, Any],
    graph: ImportGraph,
    fragments: Sequence[Fragment],
    workspace: Workspace,
    provenance: Provenance,
) -> dict[str, Any]:
    versions = [f.api_version for f in fragments if f.api_version in API_VERSION_ORDER]
    newest = max(versions, key=API_VERSION_ORDER.__getitem__, default=API_VERSIONS[-1])
    index = {f.id: i for i, f in enumerate(fragments)}
    root = fragments[index[graph.root]] if graph.root != VIRTUAL and graph.root in index else None
    if root is not None:
        project = root.project or root.metadata_name or workspace.project
        name = root.metadata_name or project
        api, kind = root.api_version or newest, root.kind or KIND
        at = index[root.id]
        for pointer, present in (
            ("/apiVersion", root.api_version),
            ("/kind", root.kind),
            ("/metadata/name", root.metadata_name),
            ("/spec/project", root.project),
        ):
            provenance[pointer] = (at, pointer) if present else NO_ORIGIN
    else:
        project = workspace.project
        name, api, kind = project, newest, KIND
        for pointer in ("/apiVersion", "/kind", "/metadata/name", "/spec/project"):
            provenance[pointer] = NO_ORIGIN
    metadata = merged.get("metadata")
    spec = merged.get("spec")
    document: dict[str, Any] = {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": name, **(metadata if isinstance(metadata, dict) else {})},
        "spec": {"project": project, **(spec if isinstance(spec, dict) else {})},
    }
    for key, value in merged.items():
        if key not in document:
            document[key] = value
    return document


def copy_component_provenance(
    manifest: dict[str, Any],
    provenance: Provenance,
    origin_of: Callable[[str], tuple[int, str] | None],
) -> None:
    """Service fields that upstream's defaults copy from a component point at the component."""
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        return
    components = {
        c.get("name"): (i, c)
        for i, c in enumerate(spec.get("components") or [])
        if isinstance(c, dict)
    }
    for s_index, service in enumerate(spec.get("services") or []):
        if not isinstance(service, dict):
            continue
        base = join_pointer("/spec/services", s_index)
        for key in ("codeUpdateStrategy", "deployGroup", "dependsOn"):
            target = f"{base}/{key}"
            if target in provenance or key not in service:
                continue
            for ref in service.get("use") or []:
                found = components.get(str(ref).strip())
                defaults = found[1].get("serviceDefaults") if found else None
                if found and isinstance(defaults, dict) and same(defaults.get(key), service[key]):
                    source = join_pointer("/spec/components", found[0], "serviceDefaults", key)
                    origin = origin_of(source)
                    if origin is not None:
                        provenance[target] = origin
                    break


_VIEW_KEYS = {
    "services": ("name", "use", "dependsOn"),
    "infrastructure": ("name", "dependsOn"),
    "components": ("name",),
}


def _whole_manifest_view(manifest: dict[str, Any]) -> dict[str, Any]:
    """Only what the whole-manifest rules read (same pointers), so the check stays cheap:
    the per-value rules (templates, enums, paths) already ran on every fragment."""
    spec = manifest.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    view: dict[str, Any] = {
        k: manifest[k] for k in ("apiVersion", "kind", "metadata") if k in manifest
    }
    view_spec: dict[str, Any] = {k: spec[k] for k in ("project", "environments") if k in spec}
    for key, fields in _VIEW_KEYS.items():
        items = spec.get(key)
        if isinstance(items, list):
            view_spec[key] = [
                {f: item[f] for f in fields if f in item} if isinstance(item, dict) else item
                for item in items
            ]
    view["spec"] = view_spec
    return view


def check_manifest(manifest: dict[str, Any], locate: LocateEffective) -> list[Diagnostic]:
    """The validator's whole-manifest rules (`complete=True`) on the effective manifest."""
    found = check_semantics(
        _whole_manifest_view(manifest),
        "(effective)",
        lambda _pointer, _key: (0, 0),
        complete=True,
        check_templates=False,
    )
    out = []
    for diagnostic in found:
        if diagnostic.reason not in WHOLE_MANIFEST_REASONS:
            continue
        where = locate(diagnostic.pointer)
        out.append(
            replace(
                diagnostic,
                path=where.path,
                line=where.line,
                column=where.column,
                repository=where.repository,
                chain=where.chain,
            )
        )
    return out


def _entries(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key in ("services", "infrastructure", "components", "projectDocs"):
        items = spec.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            pointer = join_pointer("/spec", key, index)
            out.append((pointer, item))
            manifests = item.get("manifests")
            for m_index, manifest in enumerate(manifests if isinstance(manifests, list) else []):
                if isinstance(manifest, dict):
                    out.append((join_pointer(pointer, "manifests", m_index), manifest))
    templates = spec.get("roleDocTemplates")
    for role, refs in templates.items() if isinstance(templates, dict) else []:
        for index, ref in enumerate(refs if isinstance(refs, list) else []):
            if isinstance(ref, dict):
                out.append((join_pointer("/spec/roleDocTemplates", role, index), ref))
    return out


def check_references(
    manifest: dict[str, Any], bindings: Mapping[str, Any], locate: LocateEffective
) -> list[Diagnostic]:
    spec = manifest.get("spec")
    out = []
    for pointer, entry in _entries(spec if isinstance(spec, dict) else {}):
        alias = entry.get("repository")
        if isinstance(alias, str) and alias and alias not in bindings:
            where = locate(pointer + "/repository")
            out.append(
                Diagnostic(
                    code=Code.PERMISSION_DENIED,
                    reason="unbound_repository",
                    message=f"`repository: {alias}` names a repository not bound to the project",
                    path=where.path,
                    line=where.line,
                    column=where.column,
                    pointer=pointer + "/repository",
                    hint=did_you_mean(alias, bindings)
                    or "bind the repository to the project first",
                    repository=where.repository,
                    chain=where.chain,
                )
            )
    return out


def role_templates(manifest: dict[str, Any], role: str | None) -> list[tuple[str, str]]:
    spec = manifest.get("spec")
    templates = spec.get("roleDocTemplates") if isinstance(spec, dict) else None
    out = []
    wanted = role.strip().lower() if role else None
    for name, refs in templates.items() if isinstance(templates, dict) else []:
        if wanted and name != wanted:
            continue
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict) and isinstance(ref.get("path"), str):
                out.append((str(ref.get("repository") or ""), ref["path"]))
    return out


def missing_manifests(
    plan: ExecutionPlan,
    exists: Mapping[tuple[str, str], bool | Diagnostic],
    locate: LocateEffective,
) -> list[Diagnostic]:
    out = []
    for step in plan.steps:
        for manifest in step.manifests:
            found = exists.get((manifest.repository, manifest.path), False)
            if found is True:
                continue
            if isinstance(found, Diagnostic) and found.code is Code.PERMISSION_DENIED:
                continue  # reported by check_references
            where = locate(manifest.pointer)
            if isinstance(found, Diagnostic):
                code, reason, message, hint = found.code, found.reason, found.message, found.hint
            else:
                code, reason = Code.NOT_FOUND, "manifest_not_found"
                message = (
                    f"manifest `{manifest.path}` of `{step.unit}` does not exist in "
                    f"`{manifest.repository}` at the pinned commit"
                )
                hint = "fix the path, or add the file to the repository"
            out.append(
                Diagnostic(
                    code=code,
                    reason=reason,
                    message=message,
                    path=where.path,
                    line=where.line,
                    column=where.column,
                    pointer=manifest.pointer,
                    hint=hint,
                    repository=where.repository,
                    chain=where.chain,
                )
            )
    return out

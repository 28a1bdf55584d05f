"""Upstream's defaults and normalizations, applied to an effective manifest, and the
environment / namespace / template-context rules every consumer shares.

`normalize_manifest` is applied once, to the composed (or single-file) manifest, never to a
fragment: a default written into a fragment would wrongly override what another fragment
says. It returns a new document; the input is not changed. Pure.
"""

from __future__ import annotations

from typing import Any

from resolver import gotemplate
from resolver.naming import InvalidName, clean_repo_path, normalize_alias, normalize_roles
from resolver.yamlload import copy_data

DEFAULT_CODE_UPDATE_STRATEGY = "rebuild"
DEFAULT_SCOPE = "environment"
DEFAULT_RUNTIME_MODE = "full-env"
#: environments a fragment's templates are checked against when it defines none itself
FALLBACK_ENVIRONMENTS = ("ai", "dev", "production")


class ManifestError(ValueError):
    """A manifest-level rule is broken (e.g. an environment `from` cycle)."""

    def __init__(self, reason: str, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.pointer = pointer


def as_list(value: Any) -> list[Any]:
    """`value` if it is a list, else [] (wrong types are the validator's to report)."""
    return value if isinstance(value, list) else []


def spec_of(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec")
    return spec if isinstance(spec, dict) else {}


def project_name(doc: dict[str, Any]) -> str:
    """`spec.project`, else `metadata.name` (upstream's rule)."""
    project = spec_of(doc).get("project")
    if isinstance(project, str) and project.strip():
        return project.strip()
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name.strip() if isinstance(name, str) else ""


def resolve_environment(doc: dict[str, Any], env: str) -> dict[str, Any]:
    """The environment `env` with its `from` chain applied (non-empty child values win)."""
    environments = spec_of(doc).get("environments")
    if not isinstance(environments, dict) or not environments:
        raise ManifestError(
            "missing_environments", "spec.environments is empty", "/spec/environments"
        )
    chain: list[str] = []
    name = env
    while True:
        if name in chain:
            cycle = " -> ".join([*chain[chain.index(name) :], name])
            raise ManifestError(
                "environment_cycle",
                f"environment inheritance cycle: {cycle}",
                f"/spec/environments/{chain[-1]}/from",
            )
        current = environments.get(name)
        if not isinstance(current, dict):
            where = f" (inherited by `{chain[-1]}`)" if chain else ""
            raise ManifestError(
                "unknown_environment",
                f"environment `{name}` is not defined{where}",
                f"/spec/environments/{chain[-1]}/from" if chain else "/spec/environments",
            )
        chain.append(name)
        parent = current.get("from")
        if not isinstance(parent, str) or not parent.strip():
            break
        name = parent.strip()
    merged: dict[str, Any] = {}
    for link in reversed(chain):
        for key, value in environments[link].items():
            if value not in (None, "") and not (isinstance(value, str) and not value.strip()):
                merged[key] = value
    merged["from"] = environments[env].get("from", "")
    if not merged["from"]:
        merged.pop("from")
    return merged


def versions_map(doc: dict[str, Any]) -> dict[str, str]:
    versions = spec_of(doc).get("versions")
    if not isinstance(versions, dict):
        return {}
    out: dict[str, str] = {}
    for name, entry in versions.items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        if value is not None and not isinstance(value, dict | list):
            out[name] = str(value)
    return out


def template_context(
    doc: dict[str, Any],
    env: str,
    *,
    slot: int = 1,
    namespace: str = "",
    variables: dict[str, str] | None = None,
    project: str | None = None,
) -> dict[str, Any]:
    return {
        "Env": env,
        "Namespace": namespace,
        "Project": project if project is not None else project_name(doc),
        "Slot": slot,
        "Vars": dict(variables or {}),
        "Versions": versions_map(doc),
    }


def fallback_namespace(project: str, env: str, slot: int) -> str:
    """Upstream's namespace when no `namespaceTemplate` applies."""
    if env == "ai":
        return f"{project}-dev-{slot}"
    if env == "ai-repair":
        return f"{project}-production"
    return f"{project}-{env}"


def resolve_namespace(
    doc: dict[str, Any],
    env: str,
    slot: int,
    project: str | None = None,
    env_vars: dict[str, str] | None = None,
) -> str:
    """The env's `namespaceTemplate` (with `from`), else upstream's fallback.

    Raises `ManifestError` for an unknown environment or a cycle, `gotemplate.TemplateError`
    for a broken template.
    """
    name = project if project is not None else project_name(doc)
    resolved = resolve_environment(doc, env)
    template = resolved.get("namespaceTemplate")
    if isinstance(template, str) and template.strip():
        context = template_context(doc, env, slot=slot, project=name)
        rendered = gotemplate.render(template, context, env_vars).strip()
        if rendered:
            return rendered
    return fallback_namespace(name, env, slot)


def _clean_path(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return clean_repo_path(value)
    except InvalidName:
        return value  # reported by the validator; left as written


def _clean_alias(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return normalize_alias(value)
    except InvalidName:
        return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) and "{{" not in value else value


def _normalize_entity(entity: dict[str, Any]) -> None:
    if "repository" in entity:
        entity["repository"] = _clean_alias(entity["repository"])
    manifests = entity.get("manifests")
    if isinstance(manifests, list):
        for manifest in manifests:
            if isinstance(manifest, dict):
                manifest["path"] = _clean_path(manifest.get("path"))
                if "repository" in manifest:
                    manifest["repository"] = _clean_alias(manifest["repository"])


def _apply_components(spec: dict[str, Any]) -> None:
    components = {
        c["name"]: c for c in as_list(spec.get("components")) if isinstance(c, dict) and "name" in c
    }
    for service in as_list(spec.get("services")):
        if not isinstance(service, dict):
            continue
        for ref in as_list(service.get("use")):
            component = components.get(str(ref).strip())
            defaults = component.get("serviceDefaults") if component else None
            if not isinstance(defaults, dict):
                continue
            for key in ("codeUpdateStrategy", "deployGroup"):
                current = service.get(key)
                if (current is None or str(current).strip() == "") and defaults.get(key):
                    service[key] = defaults[key]
            if not service.get("dependsOn") and defaults.get("dependsOn"):
                service["dependsOn"] = list(defaults["dependsOn"])


def normalize_manifest(doc: dict[str, Any]) -> dict[str, Any]:
    """Upstream's defaults on an effective manifest (a new document is returned)."""
    out: dict[str, Any] = copy_data(doc)
    spec = out.setdefault("spec", {})
    if not isinstance(spec, dict):
        return out
    _apply_components(spec)
    for service in as_list(spec.get("services")):
        if not isinstance(service, dict):
            continue
        strategy = _lower(service.get("codeUpdateStrategy"))
        service["codeUpdateStrategy"] = strategy or DEFAULT_CODE_UPDATE_STRATEGY
        service["scope"] = _lower(service.get("scope")) or DEFAULT_SCOPE
        _normalize_entity(service)
    for item in as_list(spec.get("infrastructure")):
        if isinstance(item, dict):
            _normalize_entity(item)
    for component in as_list(spec.get("components")):
        if isinstance(component, dict):
            _normalize_entity(component)
    runtime = spec.get("webhookRuntime")
    runtime = runtime if isinstance(runtime, dict) else {}
    runtime["defaultMode"] = _lower(runtime.get("defaultMode")) or DEFAULT_RUNTIME_MODE
    if isinstance(runtime.get("triggerModes"), dict):
        runtime["triggerModes"] = {
            str(k).strip().lower(): (_lower(v) or runtime["defaultMode"])
            for k, v in runtime["triggerModes"].items()
        }
    spec["webhookRuntime"] = runtime
    for doc_ref in as_list(spec.get("projectDocs")):
        if isinstance(doc_ref, dict):
            doc_ref["path"] = _clean_path(doc_ref.get("path"))
            if "repository" in doc_ref:
                doc_ref["repository"] = _clean_alias(doc_ref["repository"])
            if isinstance(doc_ref.get("roles"), list):
                doc_ref["roles"] = normalize_roles(str(r) for r in doc_ref["roles"])
    templates = spec.get("roleDocTemplates")
    if isinstance(templates, dict):
        merged: dict[str, Any] = {}
        for role, refs in templates.items():
            merged.setdefault(str(role).strip().lower(), []).extend(as_list(refs))
        for refs in merged.values():
            for ref in refs:
                if isinstance(ref, dict):
                    ref["path"] = _clean_path(ref.get("path"))
                    if "repository" in ref:
                        ref["repository"] = _clean_alias(ref["repository"])
        spec["roleDocTemplates"] = merged
    for repo in as_list(spec.get("repositories")):
        if isinstance(repo, dict):
            repo["alias"] = _clean_alias(repo.get("alias"))
            for key in ("servicesPath", "docsRootPath"):
                if key in repo:
                    repo[key] = _clean_path(repo[key])
    return out

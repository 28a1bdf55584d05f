"""One fragment: a repository's services.yaml at one commit, ready to be composed.

Owns turning a file into composable content: local `spec.imports` are merged (upstream's
rules, `resolver.localimports`), the file is validated as a fragment (`resolver.validate`),
and the federation keys are taken out of the content: `spec.composition` becomes the
fragment's import list and root nomination, identity keys (`apiVersion`, `kind`,
`metadata.name`, `spec.project`) are kept aside because they are never merged. Names and
paths are normalized (aliases lower-cased, repo paths cleaned, doc roles sorted), and every
value whose meaning depends on its repository gets `repository: <alias>` written in when the
author left it out: `manifests[]` entries, `projectDocs[]` and `roleDocTemplates` entries.

Pure: file access goes through the `read` / `glob` callables the caller passes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from resolver.diagnostics import Diagnostic, join_pointer
from resolver.localimports import Glob, Origin, Read, resolve_local_imports
from resolver.naming import InvalidName, clean_repo_path, normalize_alias, normalize_roles
from resolver.validate import check_file


@dataclass(frozen=True, slots=True, order=True)
class FragmentId:
    """Fragment identity: (alias, normalized path, commit)."""

    alias: str
    path: str
    commit: str

    def label(self) -> str:
        return f"{self.alias}:{self.path}"


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """One `spec.composition.imports[]` entry as written (defaults not applied)."""

    repository: str
    path: str  # "" = the repository's servicesPath
    ref: str  # "" = the repository's defaultRef
    required: bool
    pointer: str
    origin: Origin


@dataclass(slots=True)
class Fragment:
    id: FragmentId
    dialect: str = "unknown"
    #: mergeable content (identity keys, imports and composition removed); None = unusable
    document: dict[str, Any] | None = None
    #: where values were written: `origins` (file, line, column) wins over `positions`
    #: (line, column in the fragment's own file); local imports fill `origins`
    origins: dict[str, Origin] = field(default_factory=dict)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    imports: list[ImportSpec] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    api_version: str = ""
    kind: str = ""
    metadata_name: str = ""
    project: str = ""
    #: `spec.composition.rootRepository` (normalized) and where it is written
    root_repository: tuple[str, Origin] | None = None
    identity_origins: dict[str, Origin] = field(default_factory=dict)

    def origin(self, pointer: str) -> Origin:
        probe = pointer
        while True:
            found = self.origins.get(probe)
            if found is not None:
                return found
            position = self.positions.get(probe)
            if position is not None:
                return (self.id.path, position[0], position[1])
            if not probe:
                return (self.id.path, 0, 0)
            probe = probe.rsplit("/", 1)[0]


def _has_local_imports(document: dict[str, Any]) -> bool:
    spec = document.get("spec")
    return isinstance(spec, dict) and bool(spec.get("imports"))


def load_fragment(fid: FragmentId, read: Read, glob: Glob, *, strict: bool = False) -> Fragment:
    """Merge local imports, validate, and extract the composable content.

    `read(fid.path)` must return the file (the caller checked that it exists)."""
    data = read(fid.path)
    check = check_file(data or b"", fid.path, strict=strict, repo_path=fid.path)
    document = check.document
    fragment = Fragment(fid, dialect=check.dialect)
    if isinstance(document, dict) and _has_local_imports(document):
        # the rare case: upstream's in-repo imports, merged file by file
        merged = resolve_local_imports(fid.path, read, glob, strict=strict)
        problems = list(merged.diagnostics)
        for part in merged.files:
            problems.extend(part.diagnostics)
            fragment.files.append(part.path)
        document = merged.document
        fragment.origins = dict(merged.origins)
    else:
        problems = list(check.diagnostics)
        fragment.files.append(fid.path)
        fragment.positions = check.positions
    fragment.diagnostics = [replace(d, repository=fid.alias) for d in problems]
    if not isinstance(document, dict):
        return fragment
    _take_identity(fragment, document)
    spec = document.get("spec")
    if isinstance(spec, dict):
        spec.pop("imports", None)
        composition = spec.pop("composition", None)
        if isinstance(composition, dict):
            _read_composition(fragment, composition)
        _normalize(fragment, spec)
    fragment.document = document
    return fragment


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _take_identity(fragment: Fragment, document: dict[str, Any]) -> None:
    for key, pointer in (("apiVersion", "/apiVersion"), ("kind", "/kind")):
        if key in document:
            setattr(
                fragment, "api_version" if key == "apiVersion" else "kind", _text(document.pop(key))
            )
            fragment.identity_origins[pointer] = fragment.origin(pointer)
    metadata = document.get("metadata")
    if isinstance(metadata, dict) and "name" in metadata:
        fragment.metadata_name = _text(metadata.pop("name"))
        fragment.identity_origins["/metadata/name"] = fragment.origin("/metadata/name")
        if not metadata:
            document.pop("metadata")
    spec = document.get("spec")
    if isinstance(spec, dict) and "project" in spec:
        fragment.project = _text(spec.pop("project"))
        fragment.identity_origins["/spec/project"] = fragment.origin("/spec/project")


def _alias_or_raw(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return normalize_alias(value)
    except InvalidName:
        return value  # the validator reported it


def _path_or_raw(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return clean_repo_path(value)
    except InvalidName:
        return value


def _read_composition(fragment: Fragment, composition: dict[str, Any]) -> None:
    root = composition.get("rootRepository")
    if isinstance(root, str) and root.strip():
        fragment.root_repository = (
            _alias_or_raw(root),
            fragment.origin("/spec/composition/rootRepository"),
        )
    imports = composition.get("imports")
    for index, item in enumerate(imports if isinstance(imports, list) else []):
        if not isinstance(item, dict):
            continue
        pointer = join_pointer("/spec/composition/imports", index)
        repository = item.get("repository")
        if not isinstance(repository, str) or not repository.strip():
            continue  # the validator reported the missing repository
        try:
            alias = normalize_alias(repository)
            path = clean_repo_path(item["path"]) if _text(item.get("path")) else ""
        except InvalidName:
            continue  # reported by the validator (invalid_alias / invalid_path)
        ref = item.get("ref")
        required = item.get("required")
        fragment.imports.append(
            ImportSpec(
                repository=alias,
                path=path,
                ref=str(ref).strip()
                if ref is not None and not isinstance(ref, dict | list)
                else "",
                required=required is not False,
                pointer=pointer,
                origin=fragment.origin(pointer),
            )
        )


def _normalize(fragment: Fragment, spec: dict[str, Any]) -> None:
    alias = fragment.id.alias
    origins = fragment.origins

    def annotate(entry: dict[str, Any], pointer: str, default: str) -> None:
        if "repository" in entry:
            entry["repository"] = _alias_or_raw(entry["repository"])
        else:
            entry["repository"] = default
            origins[pointer + "/repository"] = fragment.origin(pointer)

    for key in ("services", "infrastructure", "components"):
        items = spec.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            pointer = join_pointer("/spec", key, index)
            if "repository" in item:
                item["repository"] = _alias_or_raw(item["repository"])
            owner = item.get("repository")
            owner = owner if isinstance(owner, str) and owner else alias
            manifests = item.get("manifests")
            for m_index, manifest in enumerate(manifests if isinstance(manifests, list) else []):
                if isinstance(manifest, dict):
                    m_pointer = join_pointer(pointer, "manifests", m_index)
                    if "path" in manifest:
                        manifest["path"] = _path_or_raw(manifest["path"])
                    annotate(manifest, m_pointer, owner)
    docs = spec.get("projectDocs")
    for index, entry in enumerate(docs if isinstance(docs, list) else []):
        if isinstance(entry, dict):
            pointer = join_pointer("/spec/projectDocs", index)
            if "path" in entry:
                entry["path"] = _path_or_raw(entry["path"])
            annotate(entry, pointer, alias)
            roles = entry.get("roles")
            if isinstance(roles, list) and all(isinstance(r, str) for r in roles):
                normalized = normalize_roles(roles)
                if normalized != roles:
                    written: dict[str, Origin] = {}
                    for r_index, role in enumerate(roles):
                        written.setdefault(
                            role.strip().lower(), fragment.origin(f"{pointer}/roles/{r_index}")
                        )
                    for r_index, role in enumerate(normalized):
                        origins[f"{pointer}/roles/{r_index}"] = written[role]
                    entry["roles"] = normalized
    templates = spec.get("roleDocTemplates")
    if isinstance(templates, dict):
        renamed: dict[str, Any] = {}
        for role, refs in templates.items():
            role_key = role.strip().lower()
            pointer = join_pointer("/spec/roleDocTemplates", role)
            if role_key != role:
                _move_origins(fragment, pointer, join_pointer("/spec/roleDocTemplates", role_key))
                pointer = join_pointer("/spec/roleDocTemplates", role_key)
            renamed[role_key] = refs
            for index, ref in enumerate(refs if isinstance(refs, list) else []):
                if isinstance(ref, dict):
                    if "path" in ref:
                        ref["path"] = _path_or_raw(ref["path"])
                    annotate(ref, join_pointer(pointer, index), alias)
        spec["roleDocTemplates"] = renamed
    repos = spec.get("repositories")
    for entry in repos if isinstance(repos, list) else []:
        if isinstance(entry, dict):
            if "alias" in entry:
                entry["alias"] = _alias_or_raw(entry["alias"])
            for key in ("servicesPath", "docsRootPath"):
                if key in entry:
                    entry[key] = _path_or_raw(entry[key])


def _move_origins(fragment: Fragment, old: str, new: str) -> None:
    prefix = old + "/"
    for pointer in [p for p in fragment.origins if p == old or p.startswith(prefix)]:
        fragment.origins[new + pointer[len(old) :]] = fragment.origins.pop(pointer)
    for pointer, (line, column) in list(fragment.positions.items()):
        if pointer == old or pointer.startswith(prefix):
            fragment.origins[new + pointer[len(old) :]] = (fragment.id.path, line, column)

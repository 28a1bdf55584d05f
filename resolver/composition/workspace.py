"""Project bindings: which repositories a project composes from, and how to find them.

A `Workspace` is the same data the App stores per bound repository (alias, role, default
ref, services path, docs root, owner/name). `load_workspace` builds one from a directory on
disk, either a `workspace.yaml` with one sub-directory per repository or a single repository
with a services.yaml (a monorepo), and returns the `LocalSource` that reads those
directories. Problems in workspace.yaml are diagnostics on the workspace, never exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resolver.composition.localsource import LocalSource
from resolver.composition.sources import FragmentSource
from resolver.diagnostics import Code, Diagnostic, Reporter, Severity, did_you_mean, join_pointer
from resolver.naming import InvalidName, clean_repo_path, normalize_alias, normalize_role
from resolver.yamlload import ParsedYaml, Position, parse_yaml

WORKSPACE_FILE = "workspace.yaml"
DEFAULT_SERVICES_PATH = "services.yaml"
_TOP_KEYS = ("project", "repositories")
_REPO_KEYS = (
    "alias",
    "path",
    "role",
    "defaultRef",
    "servicesPath",
    "docsRootPath",
    "owner",
    "name",
    "provider",
)


@dataclass(frozen=True, slots=True)
class RepositoryBinding:
    """One repository bound to the project."""

    alias: str
    role: str = "service"
    default_ref: str = ""
    services_path: str = DEFAULT_SERVICES_PATH
    docs_root_path: str = ""
    owner: str = ""
    name: str = ""
    provider: str = "github"
    #: where a LocalSource finds it (workspace-relative or absolute); unused by other sources
    path: str = ""


@dataclass(frozen=True, slots=True)
class Workspace:
    """A project's bindings. `file` and `positions` locate bindings for diagnostics."""

    project: str
    repositories: tuple[RepositoryBinding, ...]
    file: str = ""
    positions: dict[str, Position] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()

    def binding(self, alias: str) -> RepositoryBinding | None:
        for repo in self.repositories:
            if repo.alias == alias:
                return repo
        return None

    def position(self, alias: str) -> Position:
        return self.positions.get(alias, (0, 0))


def load_workspace(path: Path) -> tuple[Workspace, FragmentSource]:
    """A workspace directory (with workspace.yaml) or a single repository (monorepo)."""
    if path.is_file():
        if path.name == WORKSPACE_FILE:
            return _from_file(path)
        return _monorepo(path.parent, path.name)
    if (path / WORKSPACE_FILE).is_file():
        return _from_file(path / WORKSPACE_FILE)
    if (path / DEFAULT_SERVICES_PATH).is_file():
        return _monorepo(path, DEFAULT_SERVICES_PATH)
    problem = Diagnostic(
        code=Code.NOT_FOUND,
        reason="workspace_not_found",
        message=f"`{path}` holds neither a {WORKSPACE_FILE} nor a {DEFAULT_SERVICES_PATH}",
        path=str(path),
        hint=f"point at a directory with a {WORKSPACE_FILE} (several repositories) "
        f"or a repository with a {DEFAULT_SERVICES_PATH}",
    )
    return Workspace("", (), str(path), diagnostics=(problem,)), LocalSource({})


def alias_from_name(name: str) -> str:
    """A valid alias from a directory name (`My Repo` → `my-repo`)."""
    candidate = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).lstrip("._-")
    return candidate or "repo"


def _monorepo(root: Path, services_path: str) -> tuple[Workspace, FragmentSource]:
    alias = alias_from_name(root.resolve().name)
    binding = RepositoryBinding(
        alias=alias, role="mixed", services_path=services_path, path=str(root)
    )
    return Workspace("", (binding,), services_path), LocalSource({alias: root})


class _Reader(Reporter):
    """Diagnostics for workspace.yaml, plus its two recurring checks."""

    def __init__(self, parsed: ParsedYaml) -> None:
        super().__init__(parsed.path, lambda pointer, key: parsed.position(pointer, key=key))

    def where(self, pointer: str) -> Position:
        return self.locate(pointer, False)

    def unknown_keys(self, value: dict[str, Any], pointer: str, known: tuple[str, ...]) -> None:
        for key in value:
            if key not in known:
                self.report(
                    "unknown_key",
                    f"unknown key `{key}` in {WORKSPACE_FILE}; it is ignored",
                    join_pointer(pointer, key),
                    did_you_mean(key, known) or "known keys: " + ", ".join(known),
                    severity=Severity.WARNING,
                    key=True,
                )

    def text(self, value: dict[str, Any], key: str, pointer: str, default: str = "") -> str:
        raw = value.get(key)
        if raw is None:
            return default
        if not isinstance(raw, str):
            self.report(
                "invalid_type",
                f"`{key}` must be a string, not `{raw!r}`",
                join_pointer(pointer, key),
                'quote the value, e.g. `defaultRef: "1.10"`',
            )
            return default
        return raw.strip()


def _from_file(file: Path) -> tuple[Workspace, FragmentSource]:
    base = file.parent
    display = WORKSPACE_FILE
    try:
        data = file.read_bytes()
    except OSError as exc:
        problem = Diagnostic(
            code=Code.NOT_FOUND,
            reason="unreadable_file",
            message=f"cannot read {display}: {exc.strerror or exc}",
            path=display,
        )
        return Workspace("", (), display, diagnostics=(problem,)), LocalSource({})
    parsed = parse_yaml(data, display)
    reader = _Reader(parsed)
    reader.out.extend(parsed.diagnostics)
    value = parsed.value
    if not isinstance(value, dict):
        if parsed.ok:
            reader.report(
                "not_a_mapping",
                f"{display} must be a mapping with `project` and `repositories`",
                "",
                "see docs/composition.md",
            )
        return Workspace("", (), display, diagnostics=tuple(reader.out)), LocalSource({})
    reader.unknown_keys(value, "", _TOP_KEYS)
    project = reader.text(value, "project", "")
    if not project:
        reader.report(
            "missing_key",
            "`project` is required",
            "",
            "add `project: <name>`",
            code=Code.INVALID_ARGUMENT,
        )
    repos = value.get("repositories")
    if not isinstance(repos, list) or not repos:
        reader.report(
            "missing_key",
            "`repositories` must list at least one repository",
            "/repositories" if "repositories" in value else "",
            "add `repositories:` with `- alias: ...` entries",
        )
        repos = []
    bindings: dict[str, RepositoryBinding] = {}
    positions: dict[str, Position] = {}
    roots: dict[str, Path] = {}
    for index, raw in enumerate(repos):
        pointer = join_pointer("/repositories", index)
        if not isinstance(raw, dict):
            reader.report(
                "invalid_type",
                "each repository must be a mapping",
                pointer,
                "write `- alias: name` with its fields",
            )
            continue
        reader.unknown_keys(raw, pointer, _REPO_KEYS)
        binding = _binding(reader, raw, pointer)
        if binding is None:
            continue
        if binding.alias in bindings:
            first = positions[binding.alias]
            reader.report(
                "duplicate_alias",
                f"alias `{binding.alias}` is bound twice",
                pointer + "/alias",
                f"the first binding is at line {first[0]}",
                code=Code.CONFLICT,
            )
            continue
        bindings[binding.alias] = binding
        positions[binding.alias] = reader.where(pointer)
        local = Path(binding.path)
        roots[binding.alias] = local if local.is_absolute() else base / local
    workspace = Workspace(
        project=project,
        repositories=tuple(bindings[a] for a in sorted(bindings)),
        file=display,
        positions=positions,
        diagnostics=tuple(reader.out),
    )
    return workspace, LocalSource(roots)


def _binding(reader: _Reader, raw: dict[str, Any], pointer: str) -> RepositoryBinding | None:
    alias_text = reader.text(raw, "alias", pointer)
    if not alias_text:
        reader.report("missing_key", "`alias` is required", pointer, "add `alias: <name>`")
        return None
    try:
        alias = normalize_alias(alias_text)
    except InvalidName as exc:
        reader.report("invalid_alias", str(exc), pointer + "/alias")
        return None
    role = reader.text(raw, "role", pointer, "service")
    try:
        role = normalize_role(role)
    except InvalidName as exc:
        reader.report(
            "invalid_role",
            str(exc),
            pointer + "/role",
            did_you_mean(role.lower(), ("orchestrator", "service", "docs", "mixed")),
        )
        role = "service"
    paths: dict[str, str] = {}
    for key, default in (("servicesPath", DEFAULT_SERVICES_PATH), ("docsRootPath", "")):
        text = reader.text(raw, key, pointer, default)
        if not text:
            paths[key] = default
            continue
        try:
            paths[key] = clean_repo_path(text)
        except InvalidName as exc:
            reader.report(
                "invalid_path",
                f"{key}: {exc}",
                join_pointer(pointer, key),
                "paths are relative to the repository root",
            )
            paths[key] = default
    return RepositoryBinding(
        alias=alias,
        role=role,
        default_ref=reader.text(raw, "defaultRef", pointer),
        services_path=paths["servicesPath"],
        docs_root_path=paths["docsRootPath"],
        owner=reader.text(raw, "owner", pointer),
        name=reader.text(raw, "name", pointer),
        provider=reader.text(raw, "provider", pointer, "github") or "github",
        path=reader.text(raw, "path", pointer, alias) or alias,
    )

"""Upstream's in-repo `spec.imports`: files and globs relative to the importing file, maps
deep-merge, lists and scalars are replaced wholesale, the importing file is merged last, and
a cycle is an error.

Pure: the caller hands in `read(path) -> bytes | None` and `glob(pattern) -> [paths]` for
one repository at one commit (repo-relative POSIX paths), so the same code serves a work
tree, a git commit and the GitHub API. Every file is validated as a fragment; the merged
document keeps, for every pointer, the file and position that wrote it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from resolver.diagnostics import Code, Diagnostic, join_pointer
from resolver.naming import InvalidName, clean_repo_path
from resolver.validate import FragmentCheck, check_file
from resolver.yamlload import Limits, copy_data

Origin = tuple[str, int, int]  # (repo-relative file, line, column)
Read = Callable[[str], bytes | None]
Glob = Callable[[str], list[str]]

MAX_LOCAL_FILES = 256


@dataclass(slots=True)
class LocalMerge:
    """A repo's services.yaml with its local imports merged in."""

    path: str
    document: dict[str, Any] | None
    origins: dict[str, Origin] = field(default_factory=dict)
    files: list[FragmentCheck] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics) and all(f.ok for f in self.files)

    @property
    def dialect(self) -> str:
        return self.files[0].dialect if self.files else "unknown"

    def origin(self, pointer: str) -> Origin:
        probe = pointer
        while True:
            if probe in self.origins:
                return self.origins[probe]
            if not probe:
                return (self.path, 0, 0)
            probe = probe.rsplit("/", 1)[0]


def _import_paths(document: dict[str, Any]) -> list[tuple[int, str]]:
    spec = document.get("spec")
    imports = spec.get("imports") if isinstance(spec, dict) else None
    out: list[tuple[int, str]] = []
    for index, item in enumerate(imports if isinstance(imports, list) else []):
        value = item.get("path") if isinstance(item, dict) else item
        if isinstance(value, str) and value.strip():
            out.append((index, value.strip()))
    return out


def _record(origins: dict[str, Origin], value: Any, check: FragmentCheck, pointer: str) -> None:
    line, column = check.position(pointer)
    origins[pointer] = (check.path, line, column)
    if isinstance(value, dict):
        for key, item in value.items():
            _record(origins, item, check, join_pointer(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _record(origins, item, check, join_pointer(pointer, index))


def resolve_local_imports(
    root_path: str,
    read: Read,
    glob: Glob,
    *,
    strict: bool = False,
    limits: Limits | None = None,
) -> LocalMerge:
    result = LocalMerge(path=root_path, document=None)
    loaded: dict[str, FragmentCheck | None] = {}

    def report(
        reason: str,
        message: str,
        where: FragmentCheck,
        pointer: str,
        hint: str,
        code: Code = Code.INVALID_ARGUMENT,
        chain: tuple[str, ...] = (),
    ) -> None:
        line, column = where.position(pointer)
        result.diagnostics.append(
            Diagnostic(
                code=code,
                reason=reason,
                message=message,
                path=where.path,
                line=line,
                column=column,
                pointer=pointer,
                hint=hint,
                chain=chain,
            )
        )

    def load(path: str) -> FragmentCheck | None:
        if path not in loaded:
            data = read(path)
            if data is None:
                loaded[path] = None
            else:
                check = check_file(data, path, strict=strict, repo_path=path, limits=limits)
                result.files.append(check)
                loaded[path] = check
        return loaded[path]

    def visit(path: str, trail: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Origin]]:
        check = load(path)
        if check is None or not isinstance(check.document, dict):
            return {}, {}
        merged: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for index, pattern in _import_paths(check.document):
            pointer = join_pointer("/spec/imports", index)
            try:
                target = clean_repo_path(posixpath.join(posixpath.dirname(path), pattern))
            except InvalidName:
                continue  # reported by the fragment check (invalid_path)
            matches = sorted(glob(target)) if any(c in target for c in "*?[") else [target]
            matches = [m for m in matches if read(m) is not None] if len(matches) > 1 else matches
            if not matches or (len(matches) == 1 and read(matches[0]) is None):
                report(
                    "import_not_found",
                    f"import `{pattern}` matches no file",
                    check,
                    pointer,
                    "paths are relative to the importing file",
                    Code.NOT_FOUND,
                    (*trail, path),
                )
                continue
            for match in matches:
                if match in trail or match == path:
                    start = trail[trail.index(match) :] if match in trail else ()
                    cycle = " -> ".join((*start, path, match))
                    report(
                        "import_cycle",
                        f"local imports form a cycle: {cycle}",
                        check,
                        pointer,
                        "remove one import of the cycle",
                        chain=(*trail, path),
                    )
                    continue
                if len(loaded) >= MAX_LOCAL_FILES:
                    report(
                        "too_many_imports",
                        f"more than {MAX_LOCAL_FILES} files imported",
                        check,
                        pointer,
                        "import fewer files",
                    )
                    return merged, origins
                child_doc, child_origins = visit(match, (*trail, path))
                _merge_docs(merged, origins, child_doc, child_origins)
        own = copy_data(check.document)
        spec = own.get("spec")
        if isinstance(spec, dict):
            spec.pop("imports", None)
        own_origins: dict[str, Origin] = {}
        _record(own_origins, own, check, "")
        if not merged:  # no imports: nothing to merge into
            return own, own_origins
        _merge_docs(merged, origins, own, own_origins)
        return merged, origins

    document, origins = visit(root_path, ())
    root = loaded.get(root_path)
    if root is None:
        result.diagnostics.append(
            Diagnostic(
                code=Code.NOT_FOUND,
                reason="file_not_found",
                message=f"`{root_path}` does not exist",
                path=root_path,
                hint="check servicesPath",
            )
        )
        return result
    result.document = document if root.document is not None else None
    result.origins = origins
    return result


def _merge_docs(
    target: dict[str, Any],
    origins: dict[str, Origin],
    source: dict[str, Any],
    source_origins: dict[str, Origin],
) -> None:
    """Deep-merge `source` (with its origins) into `target` (upstream's deepMergeMaps)."""

    def walk(dst: dict[str, Any], src: dict[str, Any], pointer: str) -> None:
        for key, value in src.items():
            child = join_pointer(pointer, key)
            if isinstance(value, dict) and isinstance(dst.get(key), dict):
                if child in source_origins:
                    origins[child] = source_origins[child]
                walk(dst[key], value, child)
                continue
            for stale in [p for p in origins if p == child or p.startswith(child + "/")]:
                del origins[stale]
            dst[key] = copy_data(value)
            prefix = child + "/"
            for p, origin in source_origins.items():
                if p == child or p.startswith(prefix):
                    origins[p] = origin

    walk(target, source, "")

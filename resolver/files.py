"""Validate services.yaml files named on a command line (the edge where `validate` touches
the file system): expand directories and globs, read each file with a size guard, and hand
the bytes to the pure validator.
"""

from __future__ import annotations

import glob as globlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from resolver.diagnostics import Code, Diagnostic
from resolver.report.validation import FileResult, ValidationRun
from resolver.validate import check_file
from resolver.yamlload import DEFAULT_MAX_BYTES, Limits

DEFAULT_FILE_NAME = "services.yaml"


class NoFilesMatched(ValueError):
    """A path or pattern named nothing: a usage error, not an invalid file."""


def expand_paths(patterns: Iterable[str], *, root: Path | None = None) -> list[Path]:
    """Files for the given paths: a directory means its services.yaml; globs expand (`**` too).

    Order is the order given, each glob's matches sorted; duplicates are dropped.
    """
    base = root or Path.cwd()
    out: list[Path] = []
    for pattern in patterns:
        try:
            out.extend(_expand_one(pattern, base))
        except OSError as exc:  # e.g. a name too long for the file system
            raise NoFilesMatched(f"`{pattern}` cannot be read: {exc.strerror or exc}") from None
    seen: set[Path] = set()
    unique = []
    for path in out:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _expand_one(pattern: str, base: Path) -> list[Path]:
    if not pattern.strip():
        raise NoFilesMatched("an empty path was given")
    candidate = Path(pattern) if os.path.isabs(pattern) else base / pattern
    if any(ch in pattern for ch in "*?["):
        found = globlib.glob(str(candidate), recursive=True)
        matches = sorted(Path(m) for m in found if Path(m).is_file())
        if not matches:
            raise NoFilesMatched(f"no file matches `{pattern}`")
        return matches
    if candidate.is_dir():
        target = candidate / DEFAULT_FILE_NAME
        if not target.is_file():
            raise NoFilesMatched(f"`{pattern}` is a directory without a {DEFAULT_FILE_NAME}")
        return [target]
    if candidate.is_file():
        return [candidate]
    raise NoFilesMatched(f"`{pattern}` does not exist")


def _display(path: Path, root: Path) -> str:
    """The path as the user would write it: relative to `root` when that is shorter."""
    relative = Path(os.path.relpath(path, root)).as_posix()
    return relative if not relative.startswith("../../../") else path.resolve().as_posix()


def _repo_relative(path: Path) -> str:
    """The path inside its git work tree (for local-import checks), else its name."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return resolved.name


def validate_file(
    path: Path,
    *,
    display: str,
    strict: bool = False,
    complete: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FileResult:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        diagnostic = Diagnostic(
            code=Code.NOT_FOUND,
            reason="unreadable_file",
            message=f"cannot read the file: {exc.strerror or exc}",
            path=display,
            hint="check the path and its permissions",
        )
        return FileResult(display, "unknown", (diagnostic,))
    check = check_file(
        data,
        display,
        strict=strict,
        complete=complete,
        repo_path=_repo_relative(path),
        limits=Limits(max_bytes=max_bytes),
    )
    return FileResult(display, check.dialect, tuple(check.diagnostics), check.text)


STDIN = "-"


def validate_paths(
    patterns: Iterable[str],
    *,
    strict: bool = False,
    complete: bool = False,
    root: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> ValidationRun:
    """Validate every file the patterns name (`-` reads standard input).

    Raises `NoFilesMatched` for a usage error.
    """
    base = root or Path.cwd()
    names = list(patterns)
    results: list[FileResult] = []
    if STDIN in names:
        data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
        check = check_file(
            data, "<stdin>", strict=strict, complete=complete, limits=Limits(max_bytes=max_bytes)
        )
        results.append(FileResult("<stdin>", check.dialect, tuple(check.diagnostics), check.text))
        names = [n for n in names if n != STDIN]
    for path in expand_paths(names, root=base):
        results.append(
            validate_file(
                path,
                display=_display(path, base),
                strict=strict,
                complete=complete,
                max_bytes=max_bytes,
            )
        )
    return ValidationRun(tuple(results))

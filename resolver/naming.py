"""Upstream's normalization rules for names and repo-relative paths.

Pure functions shared by the loader, the composition engine and the store, so that one rule
is written once: aliases are lower-cased and match `^[a-z0-9][a-z0-9._-]*$`; repo-relative
paths are cleaned (like Go's `path.Clean`) and may be neither absolute nor escape the repo;
doc roles are lower-cased, de-duplicated and sorted.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

ALIAS_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
REPOSITORY_ROLES = ("orchestrator", "service", "docs", "mixed")


class InvalidName(ValueError):
    """A name or path that breaks a normalization rule; the message says which."""


def normalize_alias(raw: str) -> str:
    alias = raw.strip().lower()
    if not alias:
        raise InvalidName("alias is empty")
    if not ALIAS_PATTERN.fullmatch(alias):
        raise InvalidName(
            f"alias {raw!r} must match ^[a-z0-9][a-z0-9._-]*$ "
            "(lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)"
        )
    return alias


def clean_repo_path(raw: str) -> str:
    """Clean a repo-relative path; reject absolute paths and paths that leave the repo."""
    value = raw.strip()
    if not value:
        raise InvalidName("path is empty")
    if "\x00" in value:
        raise InvalidName("path contains a NUL byte")
    if "\\" in value:
        value = value.replace("\\", "/")
    if value.startswith("/") or re.match(r"^[A-Za-z]:/", value):
        raise InvalidName(f"path {raw!r} is absolute; write it relative to the repository root")
    cleaned = posixpath.normpath(value)
    if cleaned == ".." or cleaned.startswith("../"):
        raise InvalidName(f"path {raw!r} escapes the repository")
    return cleaned


def normalize_roles(raw: Iterable[str]) -> list[str]:
    return sorted({r.strip().lower() for r in raw if r.strip()})


def normalize_role(raw: str) -> str:
    role = raw.strip().lower()
    if role not in REPOSITORY_ROLES:
        raise InvalidName(f"role {raw!r} is not one of {', '.join(REPOSITORY_ROLES)}")
    return role

"""Dependency rules import-linter cannot state (it sees external packages only whole)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_app_github_speaks_http_to_github():
    """gidgethub's aiohttp adapter and its App helpers belong to the GitHub client alone."""
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(("app/github/", "tests/", "bench/", ".venv/")):
            continue
        bad = {
            m
            for m in imported_modules(path)
            if m.startswith(("gidgethub.aiohttp", "gidgethub.apps"))
        }
        if bad:
            offenders.append((relative, sorted(bad)))
    assert offenders == []


def test_the_layering_check_sees_the_adapter():
    """The rule above would pass vacuously if the client stopped using the adapter."""
    found = set()
    for path in (ROOT / "app" / "github").glob("*.py"):
        found |= imported_modules(path)
    assert "gidgethub.aiohttp" in found

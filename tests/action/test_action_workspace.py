"""The `workspace` input end to end: compose the checkout with sibling repositories, as
`manifold preview` does, through `python -m action` run like a runner runs it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.action.conftest import REPO_ROOT, ActionRun

RunAction = Callable[..., ActionRun]

EXAMPLE = REPO_ROOT / "examples" / "b-multi-repo-virtual-root"


@pytest.fixture(autouse=True)
def _composition_engine() -> None:
    composition = pytest.importorskip(
        "resolver.composition", reason="resolver.composition (the composition engine) is absent"
    )
    missing = [
        n for n in ("load_workspace", "compose", "render_markdown") if not hasattr(composition, n)
    ]
    if missing:
        pytest.skip(f"resolver.composition does not export {', '.join(missing)} yet")


def _checkout(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.rmtree(work)
    shutil.copytree(EXAMPLE, work)
    return work


def test_a_clean_workspace(run_action: RunAction, tmp_path: Path) -> None:
    _checkout(tmp_path)
    result = run_action({"path": "orders", "workspace": "workspace.yaml"})
    assert result.exit_code == 0, result.stdout + result.stderr
    outputs = result.outputs()
    assert outputs["valid"] == "true"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", outputs["manifest-hash"])
    assert "\n### Composition\n" in result.summary
    assert result.summary.startswith("## ✅ Manifold: valid")
    # the same inputs give the same hash
    assert (
        run_action({"path": "orders", "workspace": "."}).outputs()["manifest-hash"]
        == (outputs["manifest-hash"])
    )


def test_a_sibling_conflict_is_annotated_on_the_checkout_file(
    run_action: RunAction, tmp_path: Path
) -> None:
    work = _checkout(tmp_path)
    catalog = work / "catalog" / "services.yaml"
    text = catalog.read_text(encoding="utf-8")
    # orders pins redis 7.4-alpine; a different value in a sibling is a conflict
    assert "golang:" in text
    changed = text.replace("  versions:\n", '  versions:\n    redis:\n      value: "6.0"\n', 1)
    catalog.write_text(changed, encoding="utf-8")
    lines = changed.splitlines()
    line = lines.index('      value: "6.0"') + 1
    column = lines[line - 1].index('"6.0"') + 1
    result = run_action({"path": "orders\ncatalog", "workspace": "workspace.yaml"})
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.outputs()["valid"] == "false"
    assert result.outputs()["errors"] == "1"
    (conflict,) = [c for c in result.commands() if "/sibling_conflict" in c]
    # re-based from `catalog:services.yaml` onto the checkout's path, so it lands on the diff
    assert conflict.startswith(
        f"::error file=catalog/services.yaml,line={line},col={column},"
        "title=catalog/services.yaml%3A conflict/sibling_conflict::"
    )
    assert "orders:services.yaml" in conflict
    assert result.summary.startswith("## ❌ Manifold: invalid")
    assert (
        f"| ❌ error | `catalog/services.yaml:{line}:{column}` | `conflict/sibling_conflict` |"
        in (result.summary)
    )


def test_fragment_problems_are_not_reported_twice(run_action: RunAction, tmp_path: Path) -> None:
    work = _checkout(tmp_path)
    catalog = work / "catalog" / "services.yaml"
    changed = catalog.read_text(encoding="utf-8").replace("spec:\n", "spec:\n  dependson: 1\n", 1)
    catalog.write_text(changed, encoding="utf-8")
    line = changed.splitlines().index("  dependson: 1") + 1
    result = run_action({"path": "catalog", "workspace": "workspace.yaml", "strict": "true"})
    assert result.exit_code == 1
    (command,) = result.commands()
    assert command.startswith(
        f"::error file=catalog/services.yaml,line={line},col=3,"
        "title=catalog/services.yaml%3A invalid_argument/unknown_key::"
    )
    assert result.outputs()["errors"] == "1"


def test_a_monorepo_services_file_as_workspace(run_action: RunAction, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.rmtree(work)
    shutil.copytree(REPO_ROOT / "examples" / "a-monorepo", work)
    result = run_action({"workspace": "services.yaml"})
    assert result.exit_code == 0, result.stdout
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", result.outputs()["manifest-hash"])


def test_a_sibling_outside_the_checkout_keeps_its_alias(
    run_action: RunAction, tmp_path: Path, sarif_validator: Any
) -> None:
    work = _checkout(tmp_path)
    outside = tmp_path / "elsewhere" / "catalog"
    shutil.move(work / "catalog", outside)
    workspace_file = work / "workspace.yaml"
    workspace_file.write_text(
        workspace_file.read_text(encoding="utf-8").replace(
            "path: catalog\n", f"path: {outside}\n", 1
        ),
        encoding="utf-8",
    )
    catalog = outside / "services.yaml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            "  versions:\n", '  versions:\n    redis:\n      value: "6.0"\n', 1
        ),
        encoding="utf-8",
    )
    result = run_action(
        {"path": "orders", "workspace": "workspace.yaml", "sarif-file": "manifold.sarif"}
    )
    assert result.exit_code == 1, result.stdout + result.stderr
    (conflict,) = [c for c in result.commands() if "/sibling_conflict" in c]
    # no `file=`: the file is not part of this checkout, so the alias names it
    assert conflict.startswith(
        "::error title=catalog%3Aservices.yaml%3A conflict/sibling_conflict::"
    )
    log = json.loads((work / "manifold.sarif").read_text(encoding="utf-8"))
    assert not list(sarif_validator.iter_errors(log))
    (entry,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "sibling_conflict"]
    assert "locations" not in entry
    assert entry["properties"]["repository"] == "catalog"

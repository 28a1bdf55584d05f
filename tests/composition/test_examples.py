"""Every example workspace composes to its checked-in golden output; the real upstream
services.yaml composes as a monorepo and plans in upstream's order.

Regenerate goldens with `MANIFOLD_UPDATE_GOLDEN=1 pytest tests/composition/test_examples.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resolver.composition import (
    compose,
    load_workspace,
    render_effective_yaml,
    render_json,
    render_markdown,
)
from resolver.yamlload import parse_yaml
from tests.composition.oracle import infrastructure_order, service_order
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE_NAMES = (
    sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []
)


def _check_golden(path: Path, text: str) -> None:
    if os.environ.get("MANIFOLD_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path.name} is missing; run with MANIFOLD_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the composition; if the change is intended, "
        "regenerate with MANIFOLD_UPDATE_GOLDEN=1"
    )


def test_every_example_is_covered() -> None:
    assert len(EXAMPLE_NAMES) >= 6
    stale = {p.stem for p in GOLDEN.glob("*.json")} - set(EXAMPLE_NAMES)
    assert not stale, f"goldens without an example: {stale}"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_matches_its_golden(name: str) -> None:
    workspace, source = load_workspace(EXAMPLES / name)
    report = compose(workspace, source)
    assert report.ok, [d.message for d in report.problems]
    _check_golden(GOLDEN / f"{name}.json", render_json(report))
    _check_golden(GOLDEN / f"{name}.md", render_markdown(report))
    reread = parse_yaml(render_effective_yaml(report).encode(), "effective.yaml")
    assert reread.diagnostics == [] and reread.value == report.manifest


def _upstream_plan_order(manifest: dict, env: str) -> list[str]:
    """The oracle's order for the real file, with its `when`s evaluated by hand per env."""
    disabled = {
        "ai": {
            "network-policy-baseline",
            "registry",
            "cert-manager-clusterissuer",
            "registry-gc",
            "oauth2-proxy",
        },
        "production": {"cert-manager-clusterissuer", "web-console"},
    }[env]
    spec = manifest["spec"]
    infra = {
        i["name"]: i.get("dependsOn", [])
        for i in spec["infrastructure"]
        if i["name"] not in disabled
    }
    services = {
        s["name"]: (s.get("deployGroup", ""), s.get("dependsOn", []))
        for s in spec["services"]
        if s["name"] not in disabled
    }
    return infrastructure_order(infra) + service_order(
        services, spec["orchestration"]["deployOrder"], set(infra)
    )


def test_real_upstream_file_composes_as_a_monorepo_in_upstream_order(upstream: Path) -> None:
    workspace, source = load_workspace(upstream / "codex-k8s-c9db8ac5")
    ai = compose(workspace, source, env="ai", slot=3)
    assert ai.mode == "monorepo" and ai.project == "kodex"
    assert ai.execution_plan.namespace == "kodex-dev-3"
    steps = [s.unit for s in ai.execution_plan.steps]
    assert steps == [
        "namespace",
        "postgres",
        "repo-cache",
        "kodex-migrate",
        "kodex-app",
        "ingress",
        "telegram-interaction-adapter",
        "web-console",
    ]
    assert steps == _upstream_plan_order(ai.manifest, "ai")
    production = compose(workspace, source, env="production")
    assert production.execution_plan.namespace == "kodex-prod"
    steps = [s.unit for s in production.execution_plan.steps]
    assert steps == [
        "namespace",
        "network-policy-baseline",
        "postgres",
        "registry",
        "repo-cache",
        "kodex-migrate",
        "kodex-app",
        "oauth2-proxy",
        "ingress",
        "registry-gc",
        "telegram-interaction-adapter",
    ]
    assert steps == _upstream_plan_order(production.manifest, "production")
    # the corpus holds only some manifests and docs: the others are reported, nothing else
    assert {d.reason for d in production.validation_errors} <= {
        "manifest_not_found",
        "doc_not_found",
    }
    assert not production.conflicts


@pytest.mark.parametrize(
    "folder", ["codex-k8s-5c0315bd", "kodex-9cca0f4c", "project-example-ef00de8"]
)
def test_other_upstream_files_compose_without_crashing(upstream: Path, folder: str) -> None:
    workspace, source = load_workspace(upstream / folder)
    report = compose(workspace, source)
    assert report.mode == "monorepo"
    assert report.manifest_hash.startswith("sha256:")
    assert render_markdown(report) and render_effective_yaml(report)

"""Order independence: bindings, siblings, imports and entities in any order, same result."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver.composition import PreviewReport, render_json, render_markdown
from tests.composition.helpers import Project

ALIASES = ["alpha", "beta", "gamma", "delta"]
SERVICE_NAMES = ["api", "db", "web", "worker"]

services_st = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(SERVICE_NAMES)},
        optional={
            "deployGroup": st.sampled_from(["edge", "core"]),
            "replicas": st.sampled_from([0, 1, 2]),
            "debug": st.booleans(),
            "dependsOn": st.lists(st.sampled_from(SERVICE_NAMES), max_size=2, unique=True),
            "labels": st.dictionaries(
                st.sampled_from(["a", "b"]), st.sampled_from(["x", "y"]), max_size=2
            ),
        },
    ),
    max_size=3,
    unique_by=lambda s: s["name"],
)


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Any]:
    aliases = draw(st.lists(st.sampled_from(ALIASES), min_size=2, max_size=4, unique=True))
    aliases.sort()
    repos: dict[str, dict[str, Any]] = {}
    for index, alias in enumerate(aliases):
        later = aliases[index + 1 :]
        repos[alias] = {
            "services": draw(services_st),
            "imports": draw(st.lists(st.sampled_from(later), unique=True)) if later else [],
        }
    explicit = draw(st.booleans())
    root_imports = draw(st.lists(st.sampled_from(aliases), min_size=1, unique=True))
    return {"repos": repos, "explicit": explicit, "root_imports": root_imports}


def _document(spec: dict[str, Any], name: str) -> str:
    doc = {
        "apiVersion": "kodex.works/v1alpha1",
        "kind": "ServiceStack",
        "metadata": {"name": name},
        "spec": spec,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def build(shape: dict[str, Any], perm: Any) -> Project:
    p = Project()
    files: dict[str, tuple[str, str]] = {}
    envs = {"ai": {"namespaceTemplate": "{{ .Project }}-{{ .Slot }}"}}
    if shape["explicit"]:
        root_imports = perm(shape["root_imports"])
        spec = {
            "composition": {
                "rootRepository": "root",
                "imports": [{"repository": a} for a in root_imports],
            },
            "environments": envs,
        }
        files["root"] = (_document(spec, "root"), "orchestrator")
    for alias, repo in shape["repos"].items():
        spec = {"services": perm([dict(s) for s in repo["services"]])}
        if repo["imports"]:
            spec["composition"] = {"imports": [{"repository": a} for a in perm(repo["imports"])]}
        if not shape["explicit"]:
            spec["environments"] = envs
        files[alias] = (_document(spec, alias), "service")
    for alias in perm(sorted(files)):
        text, role = files[alias]
        p.repo(alias, {"services.yaml": text}, role=role)
    return p


def essentials(report: PreviewReport) -> tuple[Any, ...]:
    """What must not depend on order even when file bytes (so commits and lines) differ."""
    return (
        report.manifest_hash,
        report.execution_plan.to_dict(),
        sorted((d.code.value, d.reason) for d in report.problems),
        report.ok,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(), st.randoms(use_true_random=False))
def test_binding_order_gives_byte_identical_output(shape: dict[str, Any], rnd: Any) -> None:
    p = build(shape, lambda items: list(items))
    order = list(p.order)
    rnd.shuffle(order)
    canonical = p.compose()
    shuffled = p.compose(order=order)
    assert render_json(shuffled) == render_json(canonical)
    assert render_markdown(shuffled) == render_markdown(canonical)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects(), st.randoms(use_true_random=False))
def test_sibling_import_and_entity_order_do_not_change_the_composition(
    shape: dict[str, Any], rnd: Any
) -> None:
    def shuffle(items: list[Any]) -> list[Any]:
        items = list(items)
        rnd.shuffle(items)
        return items

    canonical = build(shape, lambda items: list(items)).compose()
    permuted = build(shape, shuffle)
    order = list(permuted.order)
    rnd.shuffle(order)
    assert essentials(permuted.compose(order=order)) == essentials(canonical)

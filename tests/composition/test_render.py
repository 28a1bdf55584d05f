"""Report shape and renderers: JSON keys, escaping, effective YAML, async equivalence."""

from __future__ import annotations

import asyncio
import json

import resolver.composition as composition
from resolver.composition import (
    JSON_KEYS,
    MemorySource,
    canonical_json,
    compose_async,
    manifest_hash,
    render_effective_yaml,
    render_json,
    render_markdown,
    render_text,
)
from resolver.composition.markdown import md, mermaid
from resolver.composition.yamlout import dump_yaml
from resolver.yamlload import parse_yaml
from tests.composition.helpers import Project, fragment, imports


def sample() -> Project:
    p = Project()
    p.repo(
        "platform",
        {
            "services.yaml": fragment(
                imports("svc", root="platform")
                + """
projectDocs:
  - path: "docs/a|b <script>alert(1)</script> @here #1.md"
services:
  - name: "gate|way"
    deployGroup: "edge]\\"\\n"
""",
                environments=True,
            )
        },
        role="orchestrator",
    )
    p.repo("svc", {"services.yaml": fragment("services:\n  - name: api\n    deployGroup: edge\n")})
    return p


def test_public_api_is_pinned() -> None:
    assert sorted(composition.__all__) == sorted(
        [
            "DEFAULT_MAX_DOCS",
            "JSON_KEYS",
            "AsyncFragmentSource",
            "CheckoutEntry",
            "Conflict",
            "DocSource",
            "DocsGraph",
            "ExecutionPlan",
            "FragmentId",
            "FragmentSource",
            "ImportRecord",
            "LocalSource",
            "Location",
            "ManifestRef",
            "MemorySource",
            "PlanStep",
            "PreviewReport",
            "RepositoryBinding",
            "ShadowedDoc",
            "SkippedUnit",
            "SourceError",
            "Workspace",
            "canonical_json",
            "compose",
            "compose_async",
            "load_workspace",
            "manifest_hash",
            "render_effective_yaml",
            "render_json",
            "render_markdown",
            "render_text",
        ]
    )


def test_json_has_exactly_the_documented_top_level_keys() -> None:
    data = json.loads(render_json(sample().compose()))
    assert tuple(sorted(data)) == tuple(sorted(JSON_KEYS))
    assert set(data["execution_plan"]) == {"environment", "namespace", "waves", "steps", "teardown"}
    assert set(data["docs"]) == {"role", "sources", "shadowed", "shown", "total"}
    assert set(data["imports"][0]) >= {
        "repository",
        "path",
        "ref",
        "resolved_commit",
        "required",
        "chain",
    }
    assert set(data["checkout_plan"][0]) == {"repository", "owner", "name", "commit", "paths"}


def test_hash_is_over_the_canonical_json_of_the_manifest() -> None:
    report = sample().compose()
    assert report.manifest_hash == manifest_hash(report.manifest)
    assert canonical_json({"b": 1, "a": [1.5, "é"]}) == '{"a":[1.5,"é"],"b":1}'.encode()
    assert canonical_json({"x": float("inf")}) == b'{"x":".inf"}'


def test_markdown_escapes_user_data() -> None:
    text = render_markdown(sample().compose())
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "@here" not in text and "&#64;here" in text
    assert "gate\\|way" in text
    for line in text.splitlines():
        if line.startswith("|") and "gate" in line:
            assert line.count("|") - line.count("\\|") == 8  # 7 cells, pipes escaped
    assert md("a\nb") == "a<br>b"
    assert mermaid('x"]; click n0 "evil') == "x#34;#93;#59; click n0 #34;evil"


def test_text_report_lists_problems_with_locations() -> None:
    p = Project()
    p.repo(
        "a",
        {
            "services.yaml": fragment(
                "services:\n  - name: x\n    deployGroup: 1\n", environments=True
            )
        },
    )
    p.repo("b", {"services.yaml": fragment("services:\n  - name: x\n    deployGroup: 2\n")})
    text = render_text(p.compose())
    assert "INVALID" in text
    assert "conflict conflict/sibling_conflict at a:services.yaml:14:20" in text
    assert "at b:services.yaml:9:20" in text


def test_effective_yaml_quotes_what_yaml_1_2_would_retype() -> None:
    document = {
        "spec": {
            "versions": {
                v: {"value": v} for v in ["1.36", "0o17", "1e3", "true", "", "007", "{{ x }}"]
            }
        }
    }
    text = dump_yaml(document)
    assert parse_yaml(text.encode(), "x").value == document
    assert "value: '0o17'" in text and "value: '1e3'" in text


def test_effective_yaml_of_an_invalid_composition_says_so() -> None:
    p = Project()
    p.repo("a", {"services.yaml": fragment("services:\n  - name: x\n")})
    assert "not deployable" in render_effective_yaml(p.compose())


def test_compose_async_gives_the_same_report() -> None:
    p = sample()

    class AsyncMemory:
        def __init__(self, inner: MemorySource) -> None:
            self.inner = inner

        async def resolve_ref(self, alias: str, ref: str) -> str:
            await asyncio.sleep(0)
            return self.inner.resolve_ref(alias, ref)

        async def read_file(self, alias: str, commit: str, path: str) -> bytes | None:
            return self.inner.read_file(alias, commit, path)

        async def list_dir(self, alias: str, commit: str, path: str) -> list[str] | None:
            return self.inner.list_dir(alias, commit, path)

    report = asyncio.run(compose_async(p.workspace(), AsyncMemory(p.source)))
    assert render_json(report) == render_json(p.compose())

"""Federated composition: many repositories' services.yaml fragments → one effective manifest,
its execution and checkout plans and the docs graph (DESIGN.md §3).

Pure except `LocalSource` (the local git/directory adapter): every stage takes data and
returns data, and all repository access goes through a `FragmentSource`. Entry points:
`load_workspace` (a directory → bindings + source), `compose` / `compose_async` (bindings +
source → `PreviewReport`), and the renderers `render_json`, `render_text`, `render_markdown`,
`render_effective_yaml`.
"""

from resolver.composition.checkout import CheckoutEntry
from resolver.composition.docs import DEFAULT_MAX_DOCS, DocsGraph, DocSource, ShadowedDoc
from resolver.composition.fragment import FragmentId
from resolver.composition.localsource import LocalSource
from resolver.composition.markdown import render_markdown
from resolver.composition.pipeline import compose, compose_async
from resolver.composition.planmodel import ExecutionPlan, ManifestRef, PlanStep, SkippedUnit
from resolver.composition.problems import Conflict, Location
from resolver.composition.report import (
    JSON_KEYS,
    ImportRecord,
    PreviewReport,
    canonical_json,
    manifest_hash,
    render_json,
)
from resolver.composition.sources import (
    AsyncFragmentSource,
    FragmentSource,
    MemorySource,
    SourceError,
)
from resolver.composition.text import render_text
from resolver.composition.workspace import RepositoryBinding, Workspace, load_workspace
from resolver.composition.yamlout import render_effective_yaml

__all__ = [
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

"""Docs graph: role filter, tiers, shadowing, size guard, missing documents."""

from __future__ import annotations

from resolver.diagnostics import Code, Severity
from tests.composition.helpers import Project, fragment, imports, line_of, only


def project(docs_body: str, *, extra_docs: dict[str, str] | None = None) -> Project:
    p = Project()
    p.repo(
        "platform",
        {
            "services.yaml": fragment(
                imports("svc", "handbook", root="platform") + docs_body, environments=True
            ),
            "README.md": "x",
            "docs/ops.md": "x",
        },
        role="orchestrator",
    )
    p.repo(
        "svc",
        {
            "services.yaml": fragment("""
projectDocs:
  - path: README.md
  - path: docs/api.md
    roles: [dev]
  - path: docs/Ops.md
"""),
            "README.md": "x",
            "docs/api.md": "x",
            "docs/Ops.md": "x",
        },
    )
    p.repo(
        "handbook",
        {
            "services.yaml": fragment("""
projectDocs:
  - path: readme.md
  - path: docs/guide
    roles: [pm, dev]
"""),
            "readme.md": "x",
            "docs/guide/index.md": "x",
            **(extra_docs or {}),
        },
        role="docs",
    )
    return p


ROOT_DOCS = """
projectDocs:
  - path: README.md
  - path: docs/ops.md
    roles: [sre]
"""


def test_tiers_ties_and_shadowing() -> None:
    report = project(ROOT_DOCS).compose()
    assert report.ok, report.problems
    docs = report.docs
    assert [(s.repository, s.path, s.tier, s.priority) for s in docs.sources] == [
        ("handbook", "docs/guide", "docs", 0),
        ("handbook", "readme.md", "docs", 1),
        ("platform", "docs/ops.md", "orchestrator", 2),
        ("svc", "docs/api.md", "service", 3),
    ]
    assert [(s.repository, s.path, s.shadowed_by) for s in docs.shadowed] == [
        ("svc", "docs/Ops.md", "platform"),
        ("platform", "README.md", "handbook"),
        ("svc", "README.md", "handbook"),
    ]
    assert (docs.shown, docs.total) == (4, 4)
    assert all(len(s.resolved_commit) == 40 for s in docs.sources)


def test_role_filter_keeps_entries_for_every_role() -> None:
    docs = project(ROOT_DOCS).compose(role="SRE").docs
    assert docs.role == "sre"
    assert [s.path for s in docs.sources] == ["readme.md", "docs/ops.md"]


def test_size_guard_shows_the_first_n() -> None:
    docs = project(ROOT_DOCS).compose(max_docs=2).docs
    assert (docs.shown, docs.total) == (2, 4)
    assert [s.path for s in docs.sources] == ["docs/guide", "readme.md"]


def test_alias_heuristic_puts_policy_repositories_first() -> None:
    p = Project()
    p.repo(
        "app",
        {
            "services.yaml": fragment("projectDocs:\n  - path: a.md\n", environments=True),
            "a.md": "x",
        },
    )
    p.repo(
        "security-policy",
        {"services.yaml": fragment("projectDocs:\n  - path: z.md\n"), "z.md": "x"},
    )
    assert [s.repository for s in p.compose().docs.sources] == ["security-policy", "app"]


def test_missing_doc_is_failed_precondition_and_optional_is_a_warning() -> None:
    body = ROOT_DOCS + "  - path: docs/gone.md\n  - path: docs/later.md\n    optional: true\n"
    report = project(body).compose()
    (missing,) = only(report, "doc_not_found")
    assert (missing.code, missing.severity) == (Code.FAILED_PRECONDITION, Severity.ERROR)
    text = fragment(imports("svc", "handbook", root="platform") + body, environments=True)
    assert (missing.repository, missing.line) == ("platform", line_of(text, "docs/gone.md"))
    (optional,) = only(report, "optional_doc_missing")
    assert optional.severity is Severity.WARNING
    assert not report.ok

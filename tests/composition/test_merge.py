"""Typed merge: precedence, presence, siblings, type changes, the merge table, provenance."""

from __future__ import annotations

from resolver.diagnostics import Code
from tests.composition.helpers import Project, fragment, imports, line_of, only

BASE_SERVICE = """
services:
  - name: api
    deployGroup: internal
    dependsOn: [db]
    replicas: 3
    debug: true
    manifests:
      - path: deploy/api.yaml.tpl
infrastructure:
  - name: db
images:
  api:
    type: build
    buildArgs:
      A: "1"
      B: "2"
"""


def two_level(root_body: str, child_body: str = BASE_SERVICE) -> Project:
    p = Project()
    p.repo(
        "platform",
        {
            "services.yaml": fragment(
                imports("svc", root="platform") + root_body, environments=True
            ),
            "deploy/override.yaml.tpl": "kind: ConfigMap",
        },
        role="orchestrator",
    )
    p.repo("svc", {"services.yaml": fragment(child_body), "deploy/api.yaml.tpl": "kind: Pod"})
    return p


def service(report: object, name: str = "api") -> dict[str, object]:
    services = report.manifest["spec"]["services"]  # type: ignore[attr-defined]
    return next(s for s in services if s["name"] == name)


def test_importer_overrides_with_zero_false_and_empty_list() -> None:
    report = two_level("""
services:
  - name: api
    replicas: 0
    debug: false
    dependsOn: []
""").compose()
    assert report.ok, report.problems
    api = service(report)
    assert (api["replicas"], api["debug"], api["dependsOn"]) == (0, False, [])
    assert api["deployGroup"] == "internal"  # untouched keys come from the imported fragment
    # the entity was first defined by svc, so it keeps svc's repository
    assert api["repository"] == "svc"
    assert report.provenance["/spec/services/0/replicas"].startswith("platform@")
    assert report.provenance["/spec/services/0/deployGroup"].startswith("svc@")


def test_maps_deep_merge_and_lists_are_atomic() -> None:
    report = two_level("""
images:
  api:
    buildArgs:
      B: "two"
      C: "3"
services:
  - name: api
    manifests:
      - path: deploy/override.yaml.tpl
""").compose()
    image = report.manifest["spec"]["images"]["api"]
    assert image["buildArgs"] == {"A": "1", "B": "two", "C": "3"} and image["type"] == "build"
    # the importer's manifests list replaces the imported one, and its paths are its own
    assert service(report)["manifests"] == [
        {"path": "deploy/override.yaml.tpl", "repository": "platform"}
    ]


def test_precedence_is_transitive() -> None:
    p = Project()
    p.repo(
        "platform",
        {
            "services.yaml": fragment(
                imports("mid", root="platform")
                + """
services:
  - name: x
    tier: top
""",
                environments=True,
            )
        },
        role="orchestrator",
    )
    p.repo("mid", {"services.yaml": fragment(imports("leaf"))})
    p.repo("leaf", {"services.yaml": fragment("services:\n  - name: x\n    tier: leaf\n")})
    report = p.compose()
    assert report.ok, report.problems
    assert service(report, "x")["tier"] == "top"


def test_siblings_with_identical_values_deduplicate() -> None:
    p = Project()
    shared = 'versions:\n  golang:\n    value: "1.23"\ncomponents:\n  - name: go\n'
    p.repo("a", {"services.yaml": fragment(shared + "services:\n  - name: a\n", environments=True)})
    p.repo("b", {"services.yaml": fragment(shared + "services:\n  - name: b\n", environments=True)})
    report = p.compose()
    assert report.ok, report.problems
    assert report.manifest["spec"]["versions"] == {"golang": {"value": "1.23"}}
    (component,) = report.manifest["spec"]["components"]
    assert component["repository"] == "a"  # identical definers: the smallest alias


def test_siblings_with_different_values_conflict_with_both_positions() -> None:
    p = Project()
    a_text = fragment("services:\n  - name: api\n    deployGroup: one\n", environments=True)
    b_text = fragment("services:\n  - name: api\n    deployGroup: two\n")
    p.repo("a", {"services.yaml": a_text})
    p.repo("b", {"services.yaml": b_text})
    report = p.compose()
    (conflict,) = report.conflicts
    d = conflict.diagnostic
    assert (d.code, d.reason) == (Code.CONFLICT, "sibling_conflict")
    assert [(loc.repository, loc.path, loc.line, loc.column) for loc in conflict.locations] == [
        ("a", "services.yaml", line_of(a_text, "deployGroup"), 20),
        ("b", "services.yaml", line_of(b_text, "deployGroup"), 20),
    ]
    assert "spec.services[api].deployGroup" in d.message
    assert (d.repository, d.line) == ("a", line_of(a_text, "deployGroup"))
    assert d.chain == ("(virtual root)", "a:services.yaml@main")
    assert not report.ok


def test_importer_settles_a_sibling_disagreement() -> None:
    p = Project()
    p.repo(
        "platform",
        {
            "services.yaml": fragment(
                imports("a", "b", root="platform")
                + """
services:
  - name: api
    deployGroup: final
""",
                environments=True,
            )
        },
        role="orchestrator",
    )
    p.repo("a", {"services.yaml": fragment("services:\n  - name: api\n    deployGroup: one\n")})
    p.repo("b", {"services.yaml": fragment("services:\n  - name: api\n    deployGroup: two\n")})
    report = p.compose()
    assert report.ok, report.problems
    assert service(report)["deployGroup"] == "final"


def test_type_change_between_fragments_is_an_error_with_both_positions() -> None:
    root_body = "images:\n  api: registry/api\n"
    p = two_level(root_body)
    report = p.compose()
    (change,) = [c for c in report.conflicts if c.diagnostic.reason == "type_change"]
    assert change.diagnostic.code is Code.CONFLICT
    assert "is a scalar in platform:services.yaml" in change.diagnostic.message
    assert "a mapping in svc:services.yaml" in change.diagnostic.message
    assert sorted(loc.repository for loc in change.locations) == ["platform", "svc"]
    svc_text = fragment(BASE_SERVICE)
    svc_loc = next(loc for loc in change.locations if loc.repository == "svc")
    assert svc_loc.line == line_of(svc_text, "type: build")


def test_entity_lists_are_sorted_and_keyed() -> None:
    p = Project()
    p.repo(
        "only",
        {
            "services.yaml": fragment(
                """
services:
  - name: zeta
  - name: alpha
projectDocs:
  - path: docs/B.md
  - path: README.md
  - path: docs/a.md
""",
                environments=True,
            )
        },
    )
    report = p.compose()
    spec = report.manifest["spec"]
    assert [s["name"] for s in spec["services"]] == ["alpha", "zeta"]
    assert [d["path"] for d in spec["projectDocs"]] == ["docs/a.md", "docs/B.md", "README.md"]
    assert all(d["repository"] == "only" for d in spec["projectDocs"])


def test_project_docs_merge_by_repository_and_lower_path() -> None:
    p = Project()
    p.repo(
        "platform",
        {
            "services.yaml": fragment(
                imports("svc", root="platform")
                + """
projectDocs:
  - repository: svc
    path: Docs/API.md
    roles: [SRE]
  - path: docs/api.md
""",
                environments=True,
            )
        },
        role="orchestrator",
    )
    p.repo(
        "svc",
        {
            "services.yaml": fragment("""
projectDocs:
  - path: docs/api.md
    description: API
    roles: [dev]
""")
        },
    )
    report = p.compose()
    docs = report.manifest["spec"]["projectDocs"]
    # platform's own docs/api.md is another document (another repository)
    assert [(d["repository"], d["path"]) for d in docs] == [
        ("platform", "docs/api.md"),
        ("svc", "Docs/API.md"),
    ]
    assert docs[1]["roles"] == ["sre"] and docs[1]["description"] == "API"


def test_identity_keys_come_from_the_root() -> None:
    report = two_level("", BASE_SERVICE.replace("services:", "services:", 1)).compose()
    assert report.manifest["metadata"] == {"name": "frag"}
    assert report.manifest["spec"]["project"] == "demo"
    assert report.provenance["/metadata/name"].startswith("platform@")


def test_every_merged_value_has_provenance() -> None:
    root_body = "services:\n  - name: api\n    replicas: 1\n"
    report = two_level(root_body).compose()

    def leaves(value: object, pointer: str = "") -> list[str]:
        if isinstance(value, dict):
            return [p for k, v in value.items() for p in leaves(v, f"{pointer}/{k}")]
        if isinstance(value, list):
            return [p for i, v in enumerate(value) for p in leaves(v, f"{pointer}/{i}")]
        return [pointer]

    defaults = {"codeUpdateStrategy", "scope", "defaultMode"}
    missing = [
        p
        for p in leaves(report.manifest)
        if p not in report.provenance and p.rsplit("/", 1)[1] not in defaults
    ]
    assert missing == []
    alias, rest = report.provenance["/spec/services/0/replicas"].split("@", 1)
    commit, path, line, column = rest.split(":")
    root_text = fragment(imports("svc", root="platform") + root_body, environments=True)
    expected = ("platform", 40, "services.yaml", str(line_of(root_text, "replicas: 1")), "17")
    assert (alias, len(commit), path, line, column) == expected


def test_unbound_repository_field_is_permission_denied() -> None:
    p = two_level("projectDocs:\n  - repository: elsewhere\n    path: x.md\n")
    (denied,) = only(p.compose(), "unbound_repository")
    assert denied.code is Code.PERMISSION_DENIED and denied.repository == "platform"


def test_manifest_path_escape_is_invalid_argument() -> None:
    p = two_level("", BASE_SERVICE.replace("deploy/api.yaml.tpl", "../../etc/passwd"))
    report = p.compose()
    escapes = only(report, "invalid_path")
    assert escapes and all(d.code is Code.INVALID_ARGUMENT for d in escapes)
    assert escapes[0].repository == "svc"
    assert escapes[0].line == line_of(fragment(BASE_SERVICE), "path: deploy/api.yaml.tpl")


def test_spec_repositories_must_agree_with_bindings() -> None:
    p = two_level("""
repositories:
  - alias: svc
    role: docs
  - alias: ghost
""")
    report = p.compose()
    mismatches = [
        c.diagnostic.message
        for c in report.conflicts
        if c.diagnostic.reason == "repository_mismatch"
    ]
    assert len(mismatches) == 2
    assert any("`ghost`" in m for m in mismatches) and any("role: docs" in m for m in mismatches)
    with_binding = next(c for c in report.conflicts if "role: docs" in c.diagnostic.message)
    assert {loc.path for loc in with_binding.locations} == {"services.yaml", "workspace.yaml"}

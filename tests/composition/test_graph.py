"""Import graph: entry points, pinning, diamonds, commit conflicts, cycles, missing imports."""

from __future__ import annotations

from resolver.diagnostics import Code, Severity
from tests.composition.helpers import Project, fragment, imports, line_of, only

ROOT_SERVICES = """
services:
  - name: gateway
    deployGroup: edge
"""


def diamond() -> Project:
    p = Project()
    p.repo(
        "platform",
        {"services.yaml": fragment(imports("a", "b", root="platform"), environments=True)},
        role="orchestrator",
    )
    p.repo(
        "a", {"services.yaml": fragment(imports("shared:lib.yaml") + "services:\n  - name: a\n")}
    )
    p.repo(
        "b", {"services.yaml": fragment(imports("shared:lib.yaml") + "services:\n  - name: b\n")}
    )
    p.repo("shared", {"lib.yaml": fragment("infrastructure:\n  - name: db\n")})
    return p


def test_diamond_import_is_loaded_once() -> None:
    p = diamond()
    report = p.compose()
    assert report.ok, report.problems
    reads = [
        c for c in p.source.calls if c[0] == "read_file" and c[1:4:2] == ("shared", "lib.yaml")
    ]
    assert len(reads) == 1
    shared = [i for i in report.imports if i.repository == "shared"]
    assert len(shared) == 1
    assert [(i.repository, i.path) for i in shared[0].imported_by] == [
        ("a", "services.yaml"),
        ("b", "services.yaml"),
    ]
    assert shared[0].chain == (
        "platform:services.yaml@main",
        "a:services.yaml@main",
        "shared:lib.yaml@main",
    )
    assert [s["name"] for s in report.manifest["spec"]["infrastructure"]] == ["db"]


def test_monorepo_virtual_and_explicit_modes() -> None:
    single = Project()
    single.repo("only", {"services.yaml": fragment(ROOT_SERVICES, environments=True)})
    report = single.compose()
    assert (report.mode, report.root_repository, report.imports) == ("monorepo", "only", ())

    virtual = Project()
    virtual.repo("b", {"services.yaml": fragment("services:\n  - name: b\n", environments=True)})
    virtual.repo("a", {"services.yaml": fragment("services:\n  - name: a\n")})
    virtual.repo("d", {"README.md": "docs"}, role="docs")
    report = virtual.compose()
    assert (report.mode, report.root_repository) == ("virtual_root", None)
    assert [i.repository for i in report.imports] == ["a", "b"]
    assert all(i.chain[0] == "(virtual root)" for i in report.imports)
    assert report.manifest["metadata"]["name"] == "demo"

    assert diamond().compose().mode == "explicit_root"


def test_virtual_root_takes_the_newest_api_version() -> None:
    p = Project()
    old = fragment("services:\n  - name: a\n", environments=True).replace(
        "kodex.works/v1alpha1", "codex-k8s.io/v1alpha1"
    )
    mid = fragment("services:\n  - name: b\n").replace(
        "kodex.works/v1alpha1", "codex-k8s.dev/v1alpha1"
    )
    p.repo("a", {"services.yaml": old})
    p.repo("b", {"services.yaml": mid})
    assert p.compose().manifest["apiVersion"] == "codex-k8s.dev/v1alpha1"


def test_same_fragment_at_two_commits_is_a_conflict_naming_both_chains() -> None:
    p = Project()
    p.repo(
        "platform",
        {"services.yaml": fragment(imports("a", "b", root="platform"), environments=True)},
        role="orchestrator",
    )
    a_text = fragment(imports("shared@v1"))
    p.repo("a", {"services.yaml": a_text})
    p.repo("b", {"services.yaml": fragment(imports("shared@v2"))})
    v1 = p.repo("shared", {"services.yaml": fragment("services:\n  - name: s\n")}, tag="v1")
    v2 = p.repo("shared", {"services.yaml": fragment("services:\n  - name: s2\n")}, tag="v2")
    report = p.compose()
    (conflict,) = report.conflicts
    d = conflict.diagnostic
    assert (d.code, d.reason) == (Code.CONFLICT, "version_conflict")
    assert {loc.commit for loc in conflict.locations} == {v1, v2}
    chains = sorted(loc.chain for loc in conflict.locations)
    assert chains == [
        ("platform:services.yaml@main", "a:services.yaml@main", "shared:services.yaml@v1"),
        ("platform:services.yaml@main", "b:services.yaml@main", "shared:services.yaml@v2"),
    ]
    # located at a's import entry (the smallest location), with its line
    assert (d.repository, d.path, d.line) == (
        "a",
        "services.yaml",
        line_of(a_text, "- repository: shared"),
    )
    assert v1[:12] in d.message and v2[:12] in d.message


def test_root_pin_resolves_the_version_conflict_and_is_reported() -> None:
    p = Project()
    root_text = fragment(imports("a", "shared@v2", root="platform"), environments=True)
    p.repo("platform", {"services.yaml": root_text}, role="orchestrator")
    a_text = fragment(imports("shared@v1"))
    p.repo("a", {"services.yaml": a_text})
    p.repo("shared", {"services.yaml": fragment("services:\n  - name: old\n")}, tag="v1")
    v2 = p.repo("shared", {"services.yaml": fragment("services:\n  - name: new\n")}, tag="v2")
    report = p.compose()
    assert report.ok, report.problems
    assert [s["name"] for s in report.manifest["spec"]["services"]] == ["new"]
    (warning,) = only(report, "root_pin_applied")
    assert warning.severity is Severity.WARNING
    assert (warning.repository, warning.line) == ("a", line_of(a_text, "- repository: shared"))
    assert v2[:12] in warning.message
    assert {(i.repository, i.resolved_commit) for i in report.imports} >= {("shared", v2)}


def test_cross_repo_and_self_import_cycles_are_all_reported() -> None:
    p = Project()
    p.repo(
        "platform",
        {"services.yaml": fragment(imports("b", root="platform"), environments=True)},
        role="orchestrator",
    )
    b_text = fragment(imports("c", "b"))  # b imports c and itself
    c_text = fragment(imports("b"))
    p.repo("b", {"services.yaml": b_text})
    p.repo("c", {"services.yaml": c_text})
    report = p.compose()
    cycles = only(report, "import_cycle")
    assert [d.message for d in cycles] == [
        "import cycle: b:services.yaml → c:services.yaml → b:services.yaml",
        "imports itself: b:services.yaml → b:services.yaml",
    ]
    cross, self_cycle = cycles
    first_b = line_of(b_text, "- repository: c")
    assert cross.code is Code.INVALID_ARGUMENT
    assert (cross.repository, cross.path, cross.line) == ("b", "services.yaml", first_b)
    assert cross.chain == (
        f"b:services.yaml:{first_b}:9 → c:services.yaml",
        f"c:services.yaml:{line_of(c_text, '- repository: b')}:9 → b:services.yaml",
    )
    assert self_cycle.chain == (
        f"b:services.yaml:{line_of(b_text, '- repository: b')}:9 → b:services.yaml",
    )


def test_cycle_is_rotated_to_its_smallest_fragment_whatever_the_entry() -> None:
    p = Project()
    p.repo(
        "platform",
        {"services.yaml": fragment(imports("z", root="platform"), environments=True)},
        role="orchestrator",
    )
    p.repo("z", {"services.yaml": fragment(imports("m"))})
    p.repo("m", {"services.yaml": fragment(imports("z"))})
    (cycle,) = only(p.compose(), "import_cycle")
    assert cycle.message == "import cycle: m:services.yaml → z:services.yaml → m:services.yaml"


def test_unbound_alias_is_permission_denied_with_a_hint() -> None:
    p = Project()
    text = fragment(imports("paymnets", root="platform"), environments=True)
    p.repo("platform", {"services.yaml": text}, role="orchestrator")
    p.repo("payments", {"services.yaml": fragment()})
    (denied,) = only(p.compose(), "unbound_repository")
    assert denied.code is Code.PERMISSION_DENIED
    assert (denied.path, denied.line) == ("services.yaml", line_of(text, "- repository: paymnets"))
    assert "payments" in denied.hint


def test_missing_required_import_is_not_found_and_optional_is_dropped() -> None:
    p = Project()
    text = fragment(
        imports("a:gone.yaml", "a:maybe.yaml", root="platform", optional=("a:maybe.yaml",)),
        environments=True,
    )
    p.repo("platform", {"services.yaml": text}, role="orchestrator")
    p.repo("a", {"services.yaml": fragment()})
    report = p.compose()
    (missing,) = only(report, "import_not_found")
    assert (missing.code, missing.severity) == (Code.NOT_FOUND, Severity.ERROR)
    assert missing.line == line_of(text, "path: gone.yaml") - 1
    (dropped,) = only(report, "optional_import_dropped")
    assert dropped.severity is Severity.WARNING and "maybe.yaml" in dropped.message
    assert not report.ok


def test_missing_ref_is_not_found_at_the_import() -> None:
    p = Project()
    text = fragment(imports("a@nope", root="platform"), environments=True)
    p.repo("platform", {"services.yaml": text}, role="orchestrator")
    p.repo("a", {"services.yaml": fragment()})
    (missing,) = only(p.compose(), "ref_not_found")
    assert missing.code is Code.NOT_FOUND and missing.line == line_of(text, "- repository: a")


def test_path_escape_in_an_import_is_invalid_argument() -> None:
    p = Project()
    text = fragment(imports("a:../outside.yaml", root="platform"), environments=True)
    p.repo("platform", {"services.yaml": text}, role="orchestrator")
    p.repo("a", {"services.yaml": fragment()})
    report = p.compose()
    (escape,) = only(report, "invalid_path")
    assert escape.code is Code.INVALID_ARGUMENT
    assert escape.line == line_of(text, "path: ../outside.yaml")
    assert not [c for c in p.source.calls if c[0] == "read_file" and "outside" in c[3]]


def test_root_nominations_must_agree() -> None:
    p = Project()
    p.repo(
        "one",
        {"services.yaml": fragment(imports(root="one"), environments=True)},
        role="orchestrator",
    )
    p.repo("two", {"services.yaml": fragment(imports(root="two"))}, role="orchestrator")
    (conflict,) = p.compose().conflicts
    assert conflict.diagnostic.reason == "root_conflict" and len(conflict.locations) == 2


def test_ref_overrides_put_a_repository_at_another_commit() -> None:
    p = diamond()
    head = p.repo("a", {"services.yaml": fragment("services:\n  - name: a-pr\n")}, branch="pr-7")
    report = p.compose(ref_overrides={"A": head})
    names = [s["name"] for s in report.manifest["spec"]["services"]]
    assert names == ["a-pr", "b"]
    assert {(i.repository, i.resolved_commit) for i in report.imports} >= {("a", head)}


def test_local_imports_are_merged_inside_a_fragment() -> None:
    p = Project()
    p.repo(
        "only",
        {
            "services.yaml": fragment("imports:\n  - path: parts/*.yaml\n", environments=True),
            "parts/one.yaml": fragment("services:\n  - name: one\n"),
            "parts/two.yaml": fragment("services:\n  - name: two\n"),
        },
    )
    report = p.compose()
    assert report.ok, report.problems
    assert report.manifest["spec"]["services"] == [
        {
            "name": "two",
            "repository": "only",
            "codeUpdateStrategy": "rebuild",
            "scope": "environment",
        }
    ]  # lists are replaced wholesale: the last file wins
    assert report.provenance["/spec/services/0/name"].endswith("parts/two.yaml:8:13")
    (entry,) = report.checkout_plan
    assert entry.paths == ("parts/one.yaml", "parts/two.yaml", "services.yaml")


def test_strict_turns_fragment_warnings_into_errors() -> None:
    p = Project()
    p.repo(
        "only",
        {"services.yaml": fragment("services:\n  - name: a\n    replcas: 2\n", environments=True)},
    )
    relaxed = p.compose()
    assert relaxed.ok and [d.reason for d in relaxed.warnings] == ["unknown_key"]
    strict = p.compose(strict=True)
    assert not strict.ok and [d.reason for d in strict.validation_errors] == ["unknown_key"]


def test_an_override_for_an_unbound_alias_is_a_warning() -> None:
    report = diamond().compose(ref_overrides={"nope": "main"})
    assert report.ok
    (warning,) = only(report, "unknown_override")
    assert warning.severity is Severity.WARNING

"""`check_file`: real-shaped files validate cleanly; each broken variant yields the right
diagnostic at the right line."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.diagnostics import Code, Severity
from resolver.validate import check_file

BASE = textwrap.dedent(
    """\
    apiVersion: kodex.works/v1alpha1
    kind: ServiceStack
    metadata:
      name: shop
    spec:
      project: shop
      versions:
        api:
          value: "1.4.0"
          bumpOn: [services/api]
      components:
        - name: defaults
          serviceDefaults:
            codeUpdateStrategy: '{{ ternary (eq .Env "ai") "hot-reload" "restart" }}'
      environments:
        production:
          namespaceTemplate: "{{ .Project }}-prod"
        ai:
          from: production
          namespaceTemplate: "{{ .Project }}-dev-{{ .Slot }}"
      images:
        api:
          type: '{{ ternary (eq .Env "ai") "build" "skip" }}'
          repository: '{{ envOr "SHOP_REGISTRY" "127.0.0.1:5000" }}/shop/api'
          tagTemplate: '{{ index .Versions "api" }}'
      infrastructure:
        - name: postgres
          manifests:
            - path: deploy/postgres.yaml.tpl
      services:
        - name: api
          use: [defaults]
          deployGroup: internal
          dependsOn: [postgres]
          when: '{{ and (ne .Env "ai-repair") (eq (envOr "SHOP_API" "true") "true") }}'
          manifests:
            - path: deploy/api.yaml.tpl
      orchestration:
        deployOrder: [internal]
    """
)


def check(text: str, **kwargs):
    return check_file(text.encode(), "services.yaml", **kwargs)


def only(result, reason: str):
    found = [d for d in result.diagnostics if d.reason == reason]
    assert len(found) == 1, result.diagnostics
    return found[0]


def line_of(text: str, needle: str) -> int:
    """The line of the last occurrence of `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert found, needle
    return found[-1]


def test_real_shaped_file_is_clean():
    result = check(BASE, complete=True)
    assert result.diagnostics == []
    assert result.dialect == "servicestack"


def test_upstream_typed_files_validate_cleanly(upstream):
    for name in ("codex-k8s-5c0315bd", "codex-k8s-c9db8ac5", "kodex-9cca0f4c"):
        path = upstream / name / "services.yaml"
        result = check_file(path.read_bytes(), "services.yaml", complete=True)
        assert result.diagnostics == [], (name, result.diagnostics)


def test_upstream_flat_file_is_read_and_limits_reported(upstream):
    path = upstream / "project-example-ef00de8" / "services.yaml"
    result = check_file(path.read_bytes(), "services.yaml")
    assert result.ok
    assert result.dialect == "codexctl-flat"
    reasons = {d.reason for d in result.diagnostics}
    assert "legacy_flat_format" in reasons
    unsupported = {
        d.message.split("`")[1]
        for d in result.diagnostics
        if d.reason == "unsupported_flat_key" and d.message.startswith("`")
    }
    assert {"codex", "namespace", "registry", "storage", "state"} <= unsupported
    spec = result.document["spec"]
    assert spec["project"] == "project-example"
    assert spec["versions"]["users"] == {"value": "0.1.0"}
    assert {s["name"] for s in spec["services"]} >= {"chat-web", "users"}
    assert all("overlays" not in s for s in spec["services"])


def test_unknown_key_warns_with_did_you_mean():
    text = BASE.replace("      dependsOn: [postgres]", "      dependson: [postgres]")
    result = check(text)
    diag = only(result, "unknown_key")
    assert diag.severity is Severity.WARNING
    assert (diag.line, diag.column) == (line_of(text, "dependson"), 7)
    assert diag.hint == "did you mean `dependsOn`?"
    assert diag.pointer == "/spec/services/0/dependson"
    assert result.ok
    # the unknown key is kept (forward compatible)
    assert result.document["spec"]["services"][0]["dependson"] == ["postgres"]
    strict = check(text, strict=True)
    assert not strict.ok
    assert only(strict, "unknown_key").severity is Severity.ERROR


@pytest.mark.parametrize(
    ("old", "new", "reason", "needle"),
    [
        ("dependsOn: [postgres]", "dependsOn: postgres", "invalid_type", "dependsOn: postgres"),
        ('value: "1.4.0"', "value: [1]", "invalid_type", "value: [1]"),
        (
            "deployGroup: internal",
            "deployGroup: internal\n      codeUpdateStrategy: hot_reload",
            "invalid_enum",
            "hot_reload",
        ),
        ('"build" "skip"', '"biuld" "skip"', "invalid_enum", '"biuld"'),
        (
            "when: '{{ and",
            "when: '{{ .Env }}'\n      x-when: '{{ and",
            "invalid_when",
            "when: '{{ .Env }}'",
        ),
        (
            """tagTemplate: '{{ index .Versions "api" }}'""",
            """tagTemplate: '{{ index .Versions "api" '""",
            "template_syntax",
            "tagTemplate",
        ),
        ("path: deploy/api.yaml.tpl", "path: ../../etc/api.yaml.tpl", "invalid_path", "../../etc"),
        (
            "path: deploy/postgres.yaml.tpl",
            "path: /etc/postgres.yaml",
            "invalid_path",
            "/etc/postgres",
        ),
        (
            "apiVersion: kodex.works/v1alpha1",
            "apiVersion: kodex.work/v1alpha1",
            "unsupported_api_version",
            "apiVersion",
        ),
        ("kind: ServiceStack", "kind: ServiceStak", "unsupported_kind", "kind:"),
        ("    - name: postgres", "    - name: api", "duplicate_unit", "- name: api"),
        ("from: production", "from: ai", "environment_cycle", "from: ai"),
    ],
)
def test_broken_variant_is_diagnosed_at_its_line(old, new, reason, needle):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    result = check(text)
    diag = only(result, reason)
    assert diag.severity is Severity.ERROR
    assert diag.line == line_of(text, needle), diag
    assert diag.column >= 1
    assert diag.pointer.startswith("/")
    assert diag.message
    assert not result.ok


def test_enum_did_you_mean_and_lower_casing():
    text = BASE.replace("deployGroup: internal", "deployGroup: internal\n      scope: Environment")
    assert check(text).diagnostics == []  # upstream trims and lower-cases enum values
    text = BASE.replace("deployGroup: internal", "deployGroup: internal\n      scope: enviroment")
    assert only(check(text), "invalid_enum").hint == "did you mean `environment`?"


def test_templated_enum_is_checked_per_environment():
    text = BASE.replace('"build" "skip"', '"build" "skipp"')
    diag = only(check(text), "invalid_enum")
    assert "`production`" in diag.message  # only production renders the bad value
    assert "skipp" in diag.message


def test_versions_must_be_objects():
    text = BASE.replace(
        '    api:\n      value: "1.4.0"\n      bumpOn: [services/api]', '    api: "1.4.0"'
    )
    diag = only(check(text), "invalid_type")
    assert diag.pointer == "/spec/versions/api"
    assert "value" in diag.hint


def test_number_in_a_string_field_is_read_as_text():
    result = check(BASE.replace('value: "1.4.0"', "value: 1.5"))
    assert result.ok
    assert result.diagnostics == []


def test_duplicate_service_names():
    extra = "    - name: api\n      manifests:\n        - path: deploy/other.yaml\n"
    text = BASE.replace("  orchestration:", extra + "  orchestration:")
    diag = only(check(text), "duplicate_name")
    assert diag.line == line_of(text, "- name: api")
    assert "first is at line" in diag.hint


def test_invalid_alias_in_federation_extension():
    text = BASE + "  repositories:\n    - alias: Payments Service\n      role: servce\n"
    result = check(text)
    alias = only(result, "invalid_alias")
    assert alias.line == line_of(text, "Payments Service")
    role = only(result, "invalid_enum")
    assert role.hint == "did you mean `service`?"


def test_fragment_may_reference_names_elsewhere_but_complete_may_not():
    text = BASE.replace("dependsOn: [postgres]", "dependsOn: [postgress, redis]").replace(
        "use: [defaults]", "use: [default]"
    )
    assert check(text).ok
    result = check(text, complete=True)
    deps = [d for d in result.diagnostics if d.reason == "unknown_dependency"]
    assert [d.hint for d in deps] == [
        "did you mean `postgres`?",
        "define that service or infrastructure item, or remove the name",
    ]
    assert all(d.code is Code.NOT_FOUND for d in deps)
    assert only(result, "unknown_component").hint == "did you mean `defaults`?"


def test_complete_requires_environments_and_a_project():
    fragment = "apiVersion: kodex.works/v1alpha1\nkind: ServiceStack\nspec:\n  services: []\n"
    assert check(fragment).ok
    result = check(fragment, complete=True)
    assert {d.reason for d in result.errors} == {"missing_environments", "missing_project"}
    assert all(d.code is Code.FAILED_PRECONDITION for d in result.errors)


def test_unknown_environment_in_from_only_when_complete():
    text = BASE.replace("from: production", "from: prodution")
    assert check(text).ok
    diag = only(check(text, complete=True), "unknown_environment")
    assert diag.hint == "did you mean `production`?"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty_file"),
        ("# only a comment\n", "empty_file"),
        ("- a\n- b\n", "not_a_mapping"),
        ("hello: world\n", "unknown_dialect"),
        ("just text", "not_a_mapping"),
    ],
)
def test_not_a_services_file(text, reason):
    result = check(text)
    assert [d.reason for d in result.errors] == [reason]


def test_diagnostics_are_sorted_and_all_reported():
    text = (
        BASE.replace("dependsOn: [postgres]", "dependson: [postgres]")
        .replace("path: deploy/api.yaml.tpl", "path: /abs.yaml")
        .replace('value: "1.4.0"', "value: [1]")
    )
    result = check(text)
    assert len(result.diagnostics) == 3
    keys = [(d.line, d.column) for d in result.diagnostics]
    assert keys == sorted(keys)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["{{ .Env }}", "{{ bad", "../x", "/abs", "Hot-Reload"]),
)
_keys = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "metadata",
        "spec",
        "services",
        "name",
        "when",
        "dependsOn",
        "manifests",
        "path",
        "environments",
        "from",
        "versions",
        "value",
        "images",
        "type",
        "repositories",
        "alias",
        "imports",
        "x",
    ]
)
_docs = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_docs)
def test_arbitrary_documents_never_raise(doc):
    import yaml

    text = yaml.safe_dump({"spec": doc} if isinstance(doc, dict) else doc)
    result = check(text, complete=True)
    for diag in result.diagnostics:
        assert diag.message and diag.reason
        assert diag.hint, diag  # every diagnostic says what to do

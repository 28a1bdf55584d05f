"""Upstream's defaults on an effective manifest; environments and namespaces."""

from __future__ import annotations

import pytest

from resolver.normalize import (
    ManifestError,
    normalize_manifest,
    resolve_environment,
    resolve_namespace,
)


def manifest(**spec):
    return {
        "apiVersion": "kodex.works/v1alpha1",
        "kind": "ServiceStack",
        "metadata": {"name": "shop"},
        "spec": spec,
    }


def test_components_fill_empty_fields_first_component_wins():
    doc = manifest(
        components=[
            {"name": "a", "serviceDefaults": {"deployGroup": "internal"}},
            {
                "name": "b",
                "serviceDefaults": {
                    "deployGroup": "edge",
                    "codeUpdateStrategy": "Restart",
                    "dependsOn": ["db"],
                },
            },
        ],
        services=[
            {"name": "s1", "use": ["a", "b"]},
            {"name": "s2", "use": ["b"], "deployGroup": "mine", "dependsOn": ["x"]},
            {"name": "s3"},
        ],
    )
    out = normalize_manifest(doc)
    s1, s2, s3 = out["spec"]["services"]
    assert (s1["deployGroup"], s1["codeUpdateStrategy"], s1["dependsOn"]) == (
        "internal",
        "restart",
        ["db"],
    )
    assert (s2["deployGroup"], s2["dependsOn"]) == ("mine", ["x"])
    assert (s3["codeUpdateStrategy"], s3["scope"]) == ("rebuild", "environment")
    assert out["spec"]["webhookRuntime"] == {"defaultMode": "full-env"}
    assert doc["spec"]["services"][2] == {"name": "s3"}  # the input is not changed


def test_paths_aliases_and_roles_are_normalized():
    out = normalize_manifest(
        manifest(
            projectDocs=[
                {"repository": "Docs", "path": "./docs/../README.md", "roles": ["Dev", "qa", "dev"]}
            ],
            roleDocTemplates={"PM": [{"path": "a.md"}], "pm": [{"path": "b.md"}]},
            repositories=[{"alias": "Platform", "servicesPath": "./services.yaml"}],
        )
    )
    spec = out["spec"]
    assert spec["projectDocs"] == [
        {"repository": "docs", "path": "README.md", "roles": ["dev", "qa"]}
    ]
    assert spec["roleDocTemplates"] == {"pm": [{"path": "a.md"}, {"path": "b.md"}]}
    assert spec["repositories"] == [{"alias": "platform", "servicesPath": "services.yaml"}]


def test_templated_enum_values_are_left_for_rendering():
    value = '{{ ternary (eq .Env "ai") "hot-reload" "restart" }}'
    out = normalize_manifest(manifest(services=[{"name": "s", "codeUpdateStrategy": value}]))
    assert out["spec"]["services"][0]["codeUpdateStrategy"] == value


ENVS = {
    "production": {"namespaceTemplate": "{{ .Project }}-prod", "imagePullPolicy": "Always"},
    "ai": {"from": "production", "namespaceTemplate": "{{ .Project }}-dev-{{ .Slot }}"},
    "ai-repair": {"from": "production", "imagePullPolicy": ""},
    "staging": {},
}


def test_environment_inheritance():
    doc = manifest(environments=ENVS)
    assert resolve_environment(doc, "ai") == {
        "from": "production",
        "namespaceTemplate": "{{ .Project }}-dev-{{ .Slot }}",
        "imagePullPolicy": "Always",
    }
    assert resolve_environment(doc, "ai-repair")["imagePullPolicy"] == "Always"


def test_namespaces():
    doc = manifest(environments=ENVS)
    assert resolve_namespace(doc, "ai", 3) == "shop-dev-3"
    assert resolve_namespace(doc, "ai-repair", 1) == "shop-prod"  # inherited template
    assert resolve_namespace(doc, "staging", 1) == "shop-staging"  # upstream's fallback
    bare = manifest(environments={"ai": {}, "dev": {}, "ai-repair": {}})
    assert resolve_namespace(bare, "ai", 2) == "shop-dev-2"
    assert resolve_namespace(bare, "dev", 2) == "shop-dev"
    assert resolve_namespace(bare, "ai-repair", 2) == "shop-production"


def test_environment_errors():
    doc = manifest(environments={"a": {"from": "b"}, "b": {"from": "a"}, "c": {"from": "zz"}})
    with pytest.raises(ManifestError) as cycle:
        resolve_environment(doc, "a")
    assert cycle.value.reason == "environment_cycle"
    assert "a -> b -> a" in cycle.value.message
    with pytest.raises(ManifestError) as unknown:
        resolve_environment(doc, "c")
    assert unknown.value.reason == "unknown_environment"
    with pytest.raises(ManifestError):
        resolve_environment(manifest(), "ai")

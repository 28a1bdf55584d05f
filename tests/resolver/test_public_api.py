"""The core's public surface is deliberate: changing it must change this test too."""

from __future__ import annotations

import resolver


def test_public_surface_is_pinned():
    assert sorted(resolver.__all__) == [
        "Code",
        "Diagnostic",
        "FragmentCheck",
        "Limits",
        "LocalMerge",
        "ManifestError",
        "ParsedYaml",
        "Severity",
        "check_file",
        "did_you_mean",
        "normalize_manifest",
        "parse_yaml",
        "project_name",
        "resolve_environment",
        "resolve_local_imports",
        "resolve_namespace",
        "services_schema",
        "sort_diagnostics",
        "template_context",
        "validate_fragment",
    ]
    for name in resolver.__all__:
        assert getattr(resolver, name) is not None

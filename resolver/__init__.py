"""Manifold's pure core: the services.yaml model and loader (with positions), the Go-template
subset, composition, plans and renderers, and the `manifold` CLI.

Nothing here does network or database I/O, and nothing imports the outer layers (`app`,
`deploy`, `action`) or their frameworks; import-linter enforces it. Parsing, merging and
planning take data and return data. The only file-system edges are `resolver.files` (the
`validate` command's file reading) and the composition package's local fragment source.
"""

from resolver.diagnostics import Code, Diagnostic, Severity, did_you_mean, sort_diagnostics
from resolver.localimports import LocalMerge, resolve_local_imports
from resolver.normalize import (
    ManifestError,
    normalize_manifest,
    project_name,
    resolve_environment,
    resolve_namespace,
    template_context,
)
from resolver.schema import services_schema
from resolver.validate import FragmentCheck, check_file, validate_fragment
from resolver.yamlload import Limits, ParsedYaml, parse_yaml

__all__ = [
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

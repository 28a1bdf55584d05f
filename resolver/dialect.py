"""Which services.yaml dialect a document is, and the legacy flat codexctl translation.

Dialects: `servicestack` (typed `kind: ServiceStack`, the canonical format), `codexctl-flat`
(no `apiVersion`, top-level `project`, `services`, ...), `unknown`. The flat format is
translated into the typed shape for what maps cleanly (project, versions, environments,
images, infrastructure, services); everything else is reported as not supported and left out.
Pure; positions are carried over to the translated pointers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolver.diagnostics import Diagnostic, Reporter, Severity, did_you_mean, join_pointer
from resolver.model import API_VERSIONS, KIND
from resolver.yamlload import ParsedYaml, Position

SERVICESTACK = "servicestack"
CODEXCTL_FLAT = "codexctl-flat"
UNKNOWN = "unknown"

_FLAT_MAPPED = ("project", "versions", "environments", "images", "infrastructure", "services")
_FLAT_UNIT_UNSUPPORTED = ("overlays", "hooks")
_TYPED_TOP = ("apiVersion", "kind", "metadata", "spec")


@dataclass(slots=True)
class Typed:
    """A document in the typed shape, with positions for its pointers."""

    dialect: str
    document: dict[str, Any] | None
    positions: dict[str, Position] = field(default_factory=dict)
    key_positions: dict[str, Position] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def detect_dialect(value: Any) -> str:
    if not isinstance(value, dict):
        return UNKNOWN
    if any(k in value for k in _TYPED_TOP):
        return SERVICESTACK
    if any(k in value for k in _FLAT_MAPPED):
        return CODEXCTL_FLAT
    return UNKNOWN


def to_typed(parsed: ParsedYaml) -> Typed:
    value = parsed.value
    dialect = detect_dialect(value)

    reporter = Reporter(parsed.path, lambda pointer, key: parsed.position(pointer, key=key))

    def diag(
        reason: str,
        message: str,
        pointer: str,
        hint: str = "",
        *,
        key: bool = True,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        return reporter.make(reason, message, pointer, hint, key=key, severity=severity)

    if value is None:
        return Typed(
            UNKNOWN,
            None,
            diagnostics=[
                diag(
                    "empty_file",
                    "the file has no content",
                    "",
                    "start with `apiVersion: kodex.works/v1alpha1` and `kind: ServiceStack`",
                    key=False,
                )
            ],
        )
    if not isinstance(value, dict):
        return Typed(
            UNKNOWN,
            None,
            diagnostics=[
                diag(
                    "not_a_mapping",
                    f"the top level must be a mapping, not a {type_name(value)}",
                    "",
                    "a services.yaml starts with `apiVersion:`, `kind:`, `metadata:` and `spec:`",
                    key=False,
                )
            ],
        )
    if dialect == UNKNOWN:
        keys = ", ".join(f"`{k}`" for k in sorted(value)) or "nothing"
        first = sorted(value)[0] if value else ""
        return Typed(
            UNKNOWN,
            None,
            diagnostics=[
                diag(
                    "unknown_dialect",
                    "this is not a services.yaml: expected `apiVersion`/`kind`/`spec` "
                    f"(or the flat codexctl keys), found {keys}",
                    join_pointer("", first) if first else "",
                    did_you_mean(first, (*_TYPED_TOP, *_FLAT_MAPPED))
                    or "start with `apiVersion: kodex.works/v1alpha1` and `kind: ServiceStack`",
                )
            ],
        )
    if dialect == SERVICESTACK:
        typed = Typed(SERVICESTACK, value, parsed.positions, parsed.key_positions)
        typed.diagnostics.extend(_check_identity(value, diag))
        return typed
    return _translate_flat(parsed, diag)


def _check_identity(value: dict[str, Any], diag: Any) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    api = value.get("apiVersion")
    if api is not None and api not in API_VERSIONS:
        hint = did_you_mean(str(api), API_VERSIONS) or "use one of " + ", ".join(API_VERSIONS)
        out.append(
            diag(
                "unsupported_api_version",
                f"apiVersion `{api}` is not a ServiceStack version Manifold reads",
                "/apiVersion",
                hint,
                key=False,
            )
        )
    kind = value.get("kind")
    if kind is not None and kind != KIND:
        out.append(
            diag(
                "unsupported_kind",
                f"kind `{kind}` is not supported; expected `{KIND}`",
                "/kind",
                did_you_mean(str(kind), (KIND,)) or f"write `kind: {KIND}`",
                key=False,
            )
        )
    return out


def _translate_flat(parsed: ParsedYaml, diag: Any) -> Typed:
    value: dict[str, Any] = parsed.value
    spec: dict[str, Any] = {}
    doc: dict[str, Any] = {"spec": spec}
    typed = Typed(CODEXCTL_FLAT, doc)
    typed.diagnostics.append(
        diag(
            "legacy_flat_format",
            "this is the legacy flat codexctl format; Manifold reads project, versions, "
            "environments, images, infrastructure and services from it",
            "",
            "convert it to `apiVersion: kodex.works/v1alpha1`, `kind: ServiceStack` with a `spec:`",
            key=False,
            severity=Severity.WARNING,
        )
    )

    def move(src: str, dst: str) -> None:
        for table_src, table_dst in (
            (parsed.positions, typed.positions),
            (parsed.key_positions, typed.key_positions),
        ):
            for pointer, pos in table_src.items():
                if pointer == src or pointer.startswith(src + "/"):
                    table_dst[dst + pointer[len(src) :]] = pos

    for key in sorted(value):
        pointer = join_pointer("", key)
        if key not in _FLAT_MAPPED:
            typed.diagnostics.append(
                diag(
                    "unsupported_flat_key",
                    f"`{key}` is a codexctl setting Manifold does not support; it is ignored",
                    pointer,
                    "move what you need into a typed ServiceStack",
                    severity=Severity.WARNING,
                )
            )
            continue
        move(pointer, "/spec" + pointer)
        spec[key] = value[key]
    if isinstance(spec.get("project"), str):
        doc["metadata"] = {"name": spec["project"]}
        move("/project", "/metadata/name")
    versions = spec.get("versions")
    if isinstance(versions, dict):
        for name, version in list(versions.items()):
            if isinstance(version, str | int | float) and not isinstance(version, bool):
                versions[name] = {"value": str(version)}
                src = join_pointer("/spec/versions", name)
                if src in typed.positions:
                    typed.positions[src + "/value"] = typed.positions[src]
    for section in ("services", "infrastructure"):
        items = spec.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            for extra in _FLAT_UNIT_UNSUPPORTED:
                if extra in item:
                    item.pop(extra)
                    typed.diagnostics.append(
                        diag(
                            "unsupported_flat_key",
                            f"{section} `{item.get('name', index)}`: `{extra}` is not supported by "
                            "Manifold; it is ignored",
                            join_pointer("/" + section, index, extra),
                            "remove it, or express it with environments, `when` and manifests",
                            severity=Severity.WARNING,
                        )
                    )
    return typed


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string"

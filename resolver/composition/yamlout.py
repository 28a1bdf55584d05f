"""The effective services.yaml as YAML that upstream's loader reads.

Block style, two-space indentation with indented lists (upstream's house style), keys in
canonical order — the order of the typed model (`resolver.model`), unknown keys after them,
sorted — and strings quoted whenever a YAML 1.2 reader (yaml.v3) would read them as
something else (`"1.36"`, `"0o17"`, `"1e3"`, `"true"`, `""`, templates starting with `{`).
Multi-line strings use literal blocks. Deterministic: the same report, the same bytes. Pure.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel

from resolver.composition.report import PreviewReport
from resolver.model import ServiceStack
from resolver.yamlload import resolve_plain_scalar


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and value.strip() and not value.startswith(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    resolved = resolve_plain_scalar(value)
    if not isinstance(resolved, str) or resolved != value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _unwrap(arg)]
    return [annotation]


def _pick(annotation: Any, value: Any) -> Any:
    """The member of a union annotation that fits `value`'s shape (None: unknown)."""
    for option in _unwrap(annotation):
        origin = typing.get_origin(option)
        if isinstance(value, dict) and (
            origin is dict or (isinstance(option, type) and issubclass(option, BaseModel))
        ):
            return option
        if isinstance(value, list) and origin is list:
            return option
    return None


def _ordered(value: Any, annotation: Any) -> Any:
    """Keys in the typed model's order (unknown keys sorted after them); map keys sorted."""
    shape = _pick(annotation, value) if annotation is not None else None
    if isinstance(value, list):
        inner = typing.get_args(shape)[0] if shape is not None else None
        return [_ordered(item, inner) for item in value]
    if not isinstance(value, dict):
        return value
    if shape is not None and typing.get_origin(shape) is dict:
        inner = typing.get_args(shape)[1]
        return {k: _ordered(value[k], inner) for k in sorted(value)}
    known: dict[str, Any] = {}
    if isinstance(shape, type) and issubclass(shape, BaseModel):
        known = {info.alias or name: info.annotation for name, info in shape.model_fields.items()}
    keys = [k for k in known if k in value] + sorted(k for k in value if k not in known)
    return {k: _ordered(value[k], known.get(k)) for k in keys}


def dump_yaml(document: Any) -> str:
    text: str = yaml.dump(
        _ordered(document, ServiceStack),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 16,
        indent=2,
    )
    return text


def render_effective_yaml(report: PreviewReport) -> str:
    header = (
        "# Effective services.yaml composed by Manifold.\n"
        f"# project: {report.project}; mode: {report.mode}"
        + (f"; root: {report.root_repository}" if report.root_repository else "")
        + f"\n# {report.manifest_hash}\n"
    )
    if not report.ok:
        header += "# WARNING: the composition has errors; this manifest is not deployable.\n"
    return header + dump_yaml(report.manifest)

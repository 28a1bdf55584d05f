"""Structural checks of a typed document against `resolver.model`: types and unknown keys.

Types come from pydantic (all errors at once); unknown keys from a walk of the same models,
so one definition drives both and the JSON Schema. Unknown keys are kept in the data (upstream
is forward compatible) and reported as warnings with a "did you mean". Pure.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from resolver.diagnostics import Code, Diagnostic, Locate, Severity, did_you_mean, join_pointer
from resolver.dialect import type_name
from resolver.model import ServiceStack

_TYPE_HINTS = {
    "/spec/versions/*": 'write it as `{value: "1.2.3", bumpOn: [paths]}`',
    "/spec/imports/*": "write `- path: other.yaml` (or the path as a string)",
}


def dotted(pointer: str) -> str:
    """`/spec/services/0/name` → `spec.services[0].name` (for messages)."""
    out = ""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        out += f"[{token}]" if token.isdigit() else (f".{token}" if out else token)
    return out or "(document)"


_MAPPING = ("must be a mapping", "write `key: value` lines under it")
#: pydantic error type -> (what the value must be, how to fix it)
_EXPECTATIONS: dict[str, tuple[str, str]] = {
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "list_type": ("must be a list", "write a YAML list (`- item` lines or `[a, b]`)"),
    "string_type": (
        "must be a string",
        "write a string; quote values that contain `{{`, `:` or `#`",
    ),
    "string_too_short": ("must not be empty", "write a non-empty string"),
    "too_short": ("must not be empty", "add at least one entry"),
    "bool_type": ("must be true or false", "write `true` or `false` (unquoted)"),
    "bool_parsing": ("must be true or false", "write `true` or `false` (unquoted)"),
}
_EMPTY_KINDS = frozenset({"string_too_short", "too_short"})


def _wildcard(pointer: str) -> str:
    parts = pointer.split("/")
    return "/".join(parts[:4]) if len(parts) > 3 else pointer  # /spec/versions/<name>


def _field_alias(model: type[BaseModel], name: str) -> str:
    info = model.model_fields[name]
    return info.alias or name


@functools.cache
def _known(model: type[BaseModel]) -> dict[str, Any]:
    return {_field_alias(model, name): info.annotation for name, info in model.model_fields.items()}


@functools.cache
def _known_sorted(model: type[BaseModel]) -> list[str]:
    return sorted(_known(model))


@functools.cache
def _unwrap(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return tuple(a for arg in typing.get_args(annotation) for a in _unwrap(arg))
    return (annotation,)


def _walk(annotation: Any, value: Any, pointer: str) -> Iterator[tuple[str, str, list[str]]]:
    """Yield (pointer of unknown key, key, known keys) for every unknown key under `value`."""
    for option in _unwrap(annotation):
        origin = typing.get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(value, dict):
            known = _known(option)
            for key, item in value.items():
                child = join_pointer(pointer, key)
                if key in known:
                    yield from _walk(known[key], item, child)
                else:
                    yield child, key, _known_sorted(option)
            return
        if origin is list and isinstance(value, list):
            (item_type,) = typing.get_args(option)
            for index, item in enumerate(value):
                yield from _walk(item_type, item, join_pointer(pointer, index))
            return
        if origin is dict and isinstance(value, dict):
            _, item_type = typing.get_args(option)
            for key, item in value.items():
                yield from _walk(item_type, item, join_pointer(pointer, key))
            return


def check_structure(document: dict[str, Any], path: str, locate: Locate) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    try:
        ServiceStack.model_validate(document)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            diagnostics.append(_from_pydantic(error, path, locate))
    for pointer, key, known in _walk(ServiceStack, document, ""):
        line, column = locate(pointer, True)
        hint = did_you_mean(key, known)
        where = dotted(pointer.rsplit("/", 1)[0])
        diagnostics.append(
            Diagnostic(
                code=Code.INVALID_ARGUMENT,
                reason="unknown_key",
                message=f"unknown key `{key}` in `{where}`; it is kept but not used",
                severity=Severity.WARNING,
                path=path,
                line=line,
                column=column,
                pointer=pointer,
                hint=hint or "known keys: " + ", ".join(known),
            )
        )
    return diagnostics


_UNION_TAGS = frozenset({"str", "ImportRef"})


def _is_union_tag(token: str) -> bool:
    """pydantic names the union member in `loc`; it is not part of the document's path."""
    return token in _UNION_TAGS or token.startswith("function-")


def _from_pydantic(error: Any, path: str, locate: Locate) -> Diagnostic:
    loc = [str(p) for p in error["loc"] if not _is_union_tag(str(p))]
    pointer = join_pointer("", *loc)
    kind = error["type"]
    if kind == "missing":
        line, column = locate(pointer.rsplit("/", 1)[0], False)
        return Diagnostic(
            code=Code.INVALID_ARGUMENT,
            reason="missing_key",
            message=f"`{dotted(pointer)}` is required",
            path=path,
            line=line,
            column=column,
            pointer=pointer,
            hint=f"add `{loc[-1]}:` here",
        )
    line, column = locate(pointer, False)
    got = type_name(error.get("input"))
    default = (f"{error['msg'][0].lower()}{error['msg'][1:]}", "")
    detail, generic_hint = _EXPECTATIONS.get(kind, default)
    message = f"`{dotted(pointer)}` {detail} (got a {got})"
    hint = _TYPE_HINTS.get(_wildcard(pointer).rsplit("/", 1)[0] + "/*", "") or generic_hint
    return Diagnostic(
        code=Code.INVALID_ARGUMENT,
        reason="empty_value" if kind in _EMPTY_KINDS else "invalid_type",
        message=message,
        path=path,
        line=line,
        column=column,
        pointer=pointer,
        hint=hint or "see `manifold schema` for the expected shape",
    )

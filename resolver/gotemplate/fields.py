"""Field access: what `.Name` means on each kind of value, with Go's `missingkey` policy.

Owns looking a field up on a mapping (a map key) or a dataclass instance (a struct field;
never a method or a private attribute), and what happens when it is absent: Go's
`missingkey=default` ("no value"), `zero` (the element type's zero value) or `error`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

from .values import MISSING, go_type, is_struct, zero_of_elements

MissingKey = Literal["default", "zero", "error"]
MISSING_KEY_OPTIONS: tuple[MissingKey, ...] = ("default", "zero", "error")


class FieldError(Exception):
    """A field cannot be evaluated on this receiver."""


def lookup_field(receiver: object, name: str) -> tuple[bool, object]:
    """Field `name` of a mapping or dataclass: `(found, value)`. Other types: `(False, None)`."""
    if isinstance(receiver, Mapping):
        try:
            if name in receiver:
                return True, receiver[name]
        except TypeError:
            return False, None
        return False, MISSING
    if is_struct(receiver) and not name.startswith("_"):
        for item in dataclasses.fields(receiver):  # type: ignore[arg-type]
            if item.name == name:
                return True, getattr(receiver, name)
    return False, None


def field_of(receiver: object, name: str, missing_key: MissingKey, has_args: bool) -> object:
    """Go's `evalField` for the values templates see; raises `FieldError`."""
    if receiver is MISSING:
        if missing_key == "error":
            raise FieldError(f'nil data; no entry for key "{name}"')
        return MISSING
    if receiver is None:
        raise FieldError(f"nil pointer evaluating interface {{}}.{name}")
    found, value = lookup_field(receiver, name)
    if found or isinstance(receiver, Mapping):
        if has_args:
            raise FieldError(f"{name} is not a method but has arguments")
        if found:
            return value
        if missing_key == "error":
            raise FieldError(f'map has no entry for key "{name}"')
        if missing_key == "zero":
            assert isinstance(receiver, Mapping)
            return zero_of_elements(receiver)
        return MISSING
    kind = type(receiver).__name__ if is_struct(receiver) else go_type(receiver)
    raise FieldError(f"can't evaluate field {name} in type {kind}")

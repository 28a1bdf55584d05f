"""How Python data looks through Go's eyes.

Owns the mapping between Python values and the Go values a template sees: the
`MISSING` marker (Go's invalid value: a missing map key), Go type names for messages,
Go truthiness, the zero value of a map's element type, Go's map key order, and `%v`
printing exactly as Go's `fmt` prints strings, ints, floats, bools, nil, slices, maps
and structs (dataclasses). Never calls methods of the data it is given.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final


class _Missing:
    """Go's invalid `reflect.Value`: what a missing map key evaluates to."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

NO_VALUE = "<no value>"
NIL = "<nil>"
MAX_PRINT_DEPTH = 64


class FormatBudgetError(Exception):
    """Raised while printing a value that would exceed the output budget or depth."""


def is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


def is_struct(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def go_type(value: object) -> str:
    """The Go type name a value would have, for error messages."""
    if value is MISSING or value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if is_list(value):
        return "[]interface {}"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    return type(value).__name__


def is_true(value: object) -> bool:
    """Go template truthiness: false, 0, nil, and empty strings/lists/maps are false."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) > 0
    return True  # structs and anything opaque are true


def zero_of_elements(mapping: Mapping[Any, Any]) -> object:
    """Go's zero value for a map's element type, inferred from the values present.

    Go's `index` (and `missingkey=zero`) yields the element type's zero value for a
    missing key: "" for `map[string]string`, nil for `map[string]any`. Python dicts carry
    no element type, so a map whose values are all strings counts as `map[string]string`
    (likewise bool, int, float); anything else, or an empty map, as `map[string]any`.
    """
    kinds = {type(v) for v in mapping.values()}
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in (str, bool, int, float):
            return kind()
    return None


def sorted_items(mapping: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    """Map entries in Go's `fmtsort` order (keys ascending; mixed types grouped by type)."""
    try:
        return sorted(mapping.items(), key=lambda kv: kv[0])
    except TypeError:
        return sorted(mapping.items(), key=lambda kv: (type(kv[0]).__name__, repr(kv[0])))


def struct_fields(value: object) -> list[tuple[str, Any]]:
    return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]  # type: ignore[arg-type]


def format_float(value: float, verb: str = "g", precision: int = -1) -> str:
    """Go's `strconv.FormatFloat` for the `e`, `f` and `g` families (shortest when -1)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    lower = verb.lower()
    upper = verb.isupper()
    if lower == "f":
        return f"{value:.{6 if precision < 0 else precision}f}"
    if lower == "e":
        if precision < 0:
            digits, exp = _shortest_digits(value)
            mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
            text = f"{'-' if math.copysign(1, value) < 0 else ''}{mantissa}e{_exponent(exp)}"
        else:
            text = f"{value:.{precision}e}"
        return text.upper() if upper else text
    # %g / %v
    if precision >= 0:
        text = f"{value:.{max(precision, 1)}g}"
        return text.upper() if upper else text
    # Shortest form: Go switches to an exponent below 1e-4 and from 1e+06 up.
    digits, exp = _shortest_digits(value)
    sign = "-" if math.copysign(1, value) < 0 else ""
    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = f"{sign}{mantissa}e{_exponent(exp)}"
    else:
        text = sign + _fixed(digits, exp)
    return text.upper() if upper else text


def _exponent(exp: int) -> str:
    return f"{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-tripping decimal digits of `value` and its decimal exponent."""
    if value == 0:
        return "0", 0
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    exp = len(digit_tuple) + exponent - 1
    return digits, exp


def _fixed(digits: str, exp: int) -> str:
    if exp < 0:
        return "0." + "0" * (-exp - 1) + digits
    if exp + 1 >= len(digits):
        return digits + "0" * (exp + 1 - len(digits))
    return digits[: exp + 1] + "." + digits[exp + 1 :]


class Printer:
    """Go's `fmt` `%v` printing with a size budget, so huge shared data cannot blow memory."""

    __slots__ = ("budget",)

    def __init__(self, budget: int) -> None:
        self.budget = budget

    def format(self, value: object) -> str:
        parts: list[str] = []
        self._write(parts, value, 0)
        return "".join(parts)

    def _emit(self, parts: list[str], text: str) -> None:
        self.budget -= len(text)
        if self.budget < 0:
            raise FormatBudgetError("value is too large to print")
        parts.append(text)

    def _write(self, parts: list[str], value: object, depth: int) -> None:
        if depth > MAX_PRINT_DEPTH:
            raise FormatBudgetError(f"value is nested deeper than {MAX_PRINT_DEPTH} levels")
        if isinstance(value, str):
            self._emit(parts, value)
        elif value is None or value is MISSING:
            self._emit(parts, NIL)
        elif isinstance(value, bool):
            self._emit(parts, "true" if value else "false")
        elif isinstance(value, int):
            self._emit(parts, str(value))
        elif isinstance(value, float):
            self._emit(parts, format_float(value))
        elif isinstance(value, Mapping):
            self._emit(parts, "map[")
            for i, (key, item) in enumerate(sorted_items(value)):
                if i:
                    self._emit(parts, " ")
                self._write(parts, key, depth + 1)
                self._emit(parts, ":")
                self._write(parts, item, depth + 1)
            self._emit(parts, "]")
        elif is_list(value):
            assert isinstance(value, Sequence)
            self._emit(parts, "[")
            for i, item in enumerate(value):
                if i:
                    self._emit(parts, " ")
                self._write(parts, item, depth + 1)
            self._emit(parts, "]")
        elif is_struct(value):
            self._emit(parts, "{")
            for i, (_, item) in enumerate(struct_fields(value)):
                if i:
                    self._emit(parts, " ")
                self._write(parts, item, depth + 1)
            self._emit(parts, "}")
        else:
            self._emit(parts, str(value))

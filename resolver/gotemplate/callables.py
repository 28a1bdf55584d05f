"""What a template function is: its Go-style signature and how arguments are checked.

Owns `FuncSpec` (name, parameter types, variadic tail, implementation), the per-call
`CallContext` (environment and size budget), `FuncError` for failures inside a function,
and `coerce`, which checks an argument against a parameter type the way Go's
`text/template` does before calling a Go function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from .values import MISSING, go_type, is_list


class Param(Enum):
    ANY = "interface {}"
    STRING = "string"
    BOOL = "bool"
    INT = "int"
    STRINGS = "[]string"


class FuncError(Exception):
    """A function refused its input; the executor reports it as `error calling NAME: ...`."""


class ArgTypeError(Exception):
    """An argument does not fit the parameter type."""


@dataclass(frozen=True, slots=True)
class CallContext:
    """Per-execution inputs a function may read: the caller's environment and size budget."""

    env: Mapping[str, str]
    max_output: int


Impl = Callable[..., object]


@dataclass(frozen=True, slots=True)
class FuncSpec:
    """A function's Go signature. `impl(ctx, *args)` receives already-coerced arguments."""

    name: str
    params: tuple[Param, ...]
    impl: Impl
    variadic: Param | None = None

    def param(self, index: int) -> Param:
        if index < len(self.params):
            return self.params[index]
        assert self.variadic is not None
        return self.variadic

    def arity_error(self, given: int) -> str | None:
        fixed = len(self.params)
        if self.variadic is not None:
            if given < fixed:
                return f"wrong number of args for {self.name}: want at least {fixed} got {given}"
            return None
        if given != fixed:
            return f"wrong number of args for {self.name}: want {fixed} got {given}"
        return None


def coerce(value: object, param: Param) -> object:
    """Check `value` against `param`; MISSING becomes nil for `interface {}` parameters."""
    if param is Param.ANY:
        return None if value is MISSING else value
    if value is MISSING:
        raise ArgTypeError(f"invalid value; expected {param.value}")
    if param is Param.STRING:
        ok = isinstance(value, str)
    elif param is Param.BOOL:
        ok = isinstance(value, bool)
    elif param is Param.INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = is_list(value) and all(isinstance(item, str) for item in value)  # type: ignore[attr-defined]
    if not ok:
        raise ArgTypeError(f"wrong type for value; expected {param.value}; got {go_type(value)}")
    return value

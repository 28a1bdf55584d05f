"""Upstream's template functions and the function table of each dialect.

Owns the functions codex-k8s/kodex add to Go's built-ins, with upstream's exact
argument orders and emptiness rules:

- `default VALUE FALLBACK` - FALLBACK when VALUE is empty (nil, blank string, false, 0,
  empty list/map), as `libs/go/manifesttpl` does.
- `envOr KEY FALLBACK` - KEY from the caller's environment unless unset or blank.
- `ternary COND A B` - COND must be a bool.
- `join LIST SEP` - `strings.Join` order: the list first.
- `trimPrefix PREFIX VALUE` in the `kodex` dialect (manifesttpl and the real ServiceStack
  files); `trimPrefix VALUE PREFIX` (plain `strings.TrimPrefix`) in the `codexctl` dialect
  used by the flat services.yaml format.
- `toLower`, `slug`, `truncSHA`, `indent SPACES VALUE` from `servicescfg.Renderer`.

`now` (wall clock) and `include` (partials) are deliberately absent: the core does no
I/O and has no partials. Never reads `os.environ`; the environment is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from .builtins import BUILTINS
from .callables import CallContext, FuncError, FuncSpec, Param
from .values import MISSING, is_list, is_struct

Dialect = Literal["kodex", "codexctl"]
DIALECTS: tuple[Dialect, ...] = ("kodex", "codexctl")

# Go's unicode.IsSpace for Latin-1; beyond it Python's isspace agrees with Go.
_LATIN1_SPACE = frozenset("\t\n\v\f\r \x85\xa0")
_SHA_LENGTH = 12

UNSUPPORTED: dict[str, str] = {
    "include": "partial templates are not supported",
    "now": "the wall clock is not available to templates (results must be deterministic)",
    "call": "function values are not supported",
}


def _is_go_space(char: str) -> bool:
    return char in _LATIN1_SPACE if ord(char) < 0x100 else char.isspace()


def go_trim_space(text: str) -> str:
    """Go's `strings.TrimSpace`."""
    start, end = 0, len(text)
    while start < end and _is_go_space(text[start]):
        start += 1
    while end > start and _is_go_space(text[end - 1]):
        end -= 1
    return text[start:end]


def go_to_lower(text: str) -> str:
    """Go's `strings.ToLower` (rune by rune; U+0130 maps to a plain `i`)."""
    return text.replace("\u0130", "i").lower()


def is_empty(value: object) -> bool:
    """manifesttpl's `isEmpty`."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, str):
        return go_trim_space(value) == ""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value == 0
    if is_list(value) or isinstance(value, Mapping):
        return len(value) == 0  # type: ignore[arg-type]
    return False if is_struct(value) else not value


def _default(_: CallContext, value: object, fallback: object) -> object:
    return fallback if is_empty(value) else value


def _env_or(ctx: CallContext, key: str, fallback: str) -> str:
    name = go_trim_space(key)
    if not name:
        return fallback
    value = ctx.env.get(name)
    if isinstance(value, str) and go_trim_space(value):
        return value
    return fallback


def _ternary(_: CallContext, condition: bool, left: object, right: object) -> object:
    return left if condition else right


def _join(ctx: CallContext, items: list[str], separator: str) -> str:
    size = sum(len(item) for item in items) + len(separator) * max(len(items) - 1, 0)
    if size > ctx.max_output:
        raise FuncError(f"result would be {size} characters, over the {ctx.max_output} limit")
    return separator.join(items)


def _trim_prefix_first(_: CallContext, prefix: str, value: str) -> str:
    return value.removeprefix(prefix)


def _trim_prefix_value_first(_: CallContext, value: str, prefix: str) -> str:
    return value.removeprefix(prefix)


def _to_lower(_: CallContext, value: str) -> str:
    return go_to_lower(value)


def _slug(_: CallContext, value: str) -> str:
    return go_to_lower(go_trim_space(value)).replace(" ", "-").replace("_", "-")


def _trunc_sha(_: CallContext, value: str) -> str:
    data = value.encode("utf-8", "surrogatepass")
    if len(data) <= _SHA_LENGTH:
        return value
    return data[:_SHA_LENGTH].decode("utf-8", "replace")


def _indent(ctx: CallContext, spaces: int, value: str) -> str:
    if value == "":
        return ""
    if spaces < 0:
        raise FuncError("strings: negative Repeat count")
    lines = value.rstrip("\n").split("\n")
    size = len(value) + spaces * len(lines)
    if size > ctx.max_output:
        raise FuncError(f"result would be {size} characters, over the {ctx.max_output} limit")
    prefix = " " * spaces
    return "\n".join(prefix + line for line in lines)


A, S = Param.ANY, Param.STRING
_COMMON = (
    FuncSpec("default", (A, A), _default),
    FuncSpec("envOr", (S, S), _env_or),
    FuncSpec("ternary", (Param.BOOL, A, A), _ternary),
    FuncSpec("join", (Param.STRINGS, S), _join),
    FuncSpec("toLower", (S,), _to_lower),
    FuncSpec("slug", (S,), _slug),
    FuncSpec("truncSHA", (S,), _trunc_sha),
    FuncSpec("indent", (Param.INT, S), _indent),
)


def _table(*specs: FuncSpec) -> Mapping[str, FuncSpec]:
    table = dict(BUILTINS)
    table.update((spec.name, spec) for spec in (*_COMMON, *specs))
    return table


FUNCTIONS: dict[Dialect, Mapping[str, FuncSpec]] = {
    "kodex": _table(FuncSpec("trimPrefix", (S, S), _trim_prefix_first)),
    "codexctl": _table(FuncSpec("trimPrefix", (S, S), _trim_prefix_value_first)),
}

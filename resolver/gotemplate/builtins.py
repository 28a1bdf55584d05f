"""Go `text/template`'s predefined functions.

Owns `eq ne lt le gt ge not index slice len print printf println html js urlquery`
with Go's comparison rules (basic kinds only, int vs float is an error, `eq` takes
several right-hand operands) and Go's error texts. `and` and `or` are listed here for
their signature; the executor evaluates them itself because they short-circuit.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote_plus

from .callables import CallContext, FuncError, FuncSpec, Param
from .gofmt import sprint, sprintln
from .printf import sprintf
from .values import MISSING, NO_VALUE, go_type, is_list, is_true, zero_of_elements

_BASIC = {bool: "bool", int: "int", float: "float", str: "string"}


def _kind(value: object) -> str:
    if value is None or value is MISSING:
        return "invalid"
    return _BASIC.get(type(value), "other")


def _equal(left: object, right: object) -> bool:
    k1, k2 = _kind(left), _kind(right)
    if k1 != k2:
        if k1 != "invalid" and k2 != "invalid":
            raise FuncError(
                f"incompatible types for comparison: {go_type(left)} and {go_type(right)}"
            )
        return False
    if k1 == "invalid":
        return True
    if k1 == "other" and (is_list(left) or isinstance(left, Mapping)):
        raise FuncError(f"non-comparable type {go_type(left)}")
    return left == right


def _eq(_: CallContext, left: object, *rights: object) -> bool:
    if not rights:
        raise FuncError("missing argument for comparison")
    return any(_equal(left, right) for right in rights)


def _ne(_: CallContext, left: object, right: object) -> bool:
    return not _equal(left, right)


def _less(left: object, right: object) -> bool:
    k1, k2 = _kind(left), _kind(right)
    for kind, value in ((k1, left), (k2, right)):
        if kind in ("invalid", "other", "bool"):
            raise FuncError(f"invalid type for comparison: {go_type(value)}")
    if k1 != k2:
        raise FuncError(f"incompatible types for comparison: {go_type(left)} and {go_type(right)}")
    return bool(left < right)  # type: ignore[operator]


def _lt(_: CallContext, left: object, right: object) -> bool:
    return _less(left, right)


def _le(_: CallContext, left: object, right: object) -> bool:
    return _less(left, right) or _equal(left, right)


def _gt(_: CallContext, left: object, right: object) -> bool:
    return not (_less(left, right) or _equal(left, right))


def _ge(_: CallContext, left: object, right: object) -> bool:
    return not _less(left, right)


def _not(_: CallContext, value: object) -> bool:
    return not is_true(value)


def _int_index(index: object, what: str) -> int:
    if index is None:
        raise FuncError(f"cannot index {what} with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise FuncError(f"cannot index {what} with type {go_type(index)}")
    return index


def _index(_: CallContext, item: object, *indexes: object) -> object:
    if item is None:
        raise FuncError("index of untyped nil")
    for index in indexes:
        if item is None:
            raise FuncError("index of nil pointer")
        if isinstance(item, str) or is_list(item):
            position = _int_index(index, "slice/array")
            if isinstance(item, str):
                data = item.encode("utf-8", "surrogatepass")
                if not 0 <= position < len(data):
                    raise FuncError(f"index out of range: {position}")
                item = data[position]  # a byte, as in Go
            else:
                assert isinstance(item, list | tuple)
                if not 0 <= position < len(item):
                    raise FuncError(f"index out of range: {position}")
                item = item[position]
        elif isinstance(item, Mapping):
            item = _map_index(item, index)
        else:
            raise FuncError(f"can't index item of type {go_type(item)}")
    return item


def _map_index(mapping: Mapping[object, object], key: object) -> object:
    string_keyed = all(isinstance(k, str) for k in mapping)
    if string_keyed and not isinstance(key, str):
        if key is None:
            raise FuncError("value is nil; should be of type string")
        raise FuncError(f"value has type {go_type(key)}; should be string")
    try:
        if key in mapping:
            return mapping[key]
    except TypeError as exc:
        raise FuncError(f"value of type {go_type(key)} cannot be a map key") from exc
    return zero_of_elements(mapping)


def _slice(_: CallContext, item: object, *indexes: object) -> object:
    if item is None:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3 or (isinstance(item, str) and len(indexes) > 2):
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        data: bytes | list[object] | tuple[object, ...] = item.encode("utf-8", "surrogatepass")
    elif isinstance(item, list | tuple):
        data = item
    else:
        raise FuncError(f"can't slice item of type {go_type(item)}")
    bounds = [_int_index(i, "slice") for i in indexes[:2]]
    low = bounds[0] if bounds else 0
    high = bounds[1] if len(bounds) > 1 else len(data)
    if not 0 <= low <= len(data) or not 0 <= high <= len(data):
        raise FuncError(f"index out of range: {low if not 0 <= low <= len(data) else high}")
    if low > high:
        raise FuncError(f"invalid slice index: {low} > {high}")
    part = data[low:high]
    if isinstance(part, bytes):
        return part.decode("utf-8", "replace")
    return list(part)


def _len(_: CallContext, item: object) -> int:
    if item is None:
        raise FuncError("len of nil pointer")
    if isinstance(item, str):
        return len(item.encode("utf-8", "surrogatepass"))
    if is_list(item) or isinstance(item, Mapping):
        return len(item)  # type: ignore[arg-type]
    raise FuncError(f"len of type {go_type(item)}")


def _print(ctx: CallContext, *args: object) -> str:
    return sprint(args, ctx.max_output)


def _printf(ctx: CallContext, fmt: str, *args: object) -> str:
    return sprintf(fmt, args, ctx.max_output)


def _println(ctx: CallContext, *args: object) -> str:
    return sprintln(args, ctx.max_output)


def _escape_input(ctx: CallContext, args: tuple[object, ...]) -> str:
    """Go's `evalArgs`: one string as is, anything else printed (nil as `<no value>`)."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint([NO_VALUE if a is None else a for a in args], ctx.max_output)


_HTML_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\ufffd"}
_JS_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def _html(ctx: CallContext, *args: object) -> str:
    return "".join(_HTML_ESCAPES.get(c, c) for c in _escape_input(ctx, args))


def _js_char(char: str) -> str:
    if char in _JS_ESCAPES:
        return _JS_ESCAPES[char]
    code = ord(char)
    if code < 0x20:
        return f"\\u{code:04X}"
    if code < 0x80 or char.isprintable():
        return char
    return f"\\u{code:04X}"


def _js(ctx: CallContext, *args: object) -> str:
    return "".join(_js_char(c) for c in _escape_input(ctx, args))


def _urlquery(ctx: CallContext, *args: object) -> str:
    return quote_plus(_escape_input(ctx, args), safe="")


def _short_circuit(_: CallContext, *args: object) -> object:  # pragma: no cover - executor's job
    raise FuncError("and/or are evaluated by the executor")


A = Param.ANY
BUILTINS: dict[str, FuncSpec] = {
    spec.name: spec
    for spec in (
        FuncSpec("and", (A,), _short_circuit, variadic=A),
        FuncSpec("or", (A,), _short_circuit, variadic=A),
        FuncSpec("not", (A,), _not),
        FuncSpec("eq", (A,), _eq, variadic=A),
        FuncSpec("ne", (A, A), _ne),
        FuncSpec("lt", (A, A), _lt),
        FuncSpec("le", (A, A), _le),
        FuncSpec("gt", (A, A), _gt),
        FuncSpec("ge", (A, A), _ge),
        FuncSpec("index", (A,), _index, variadic=A),
        FuncSpec("slice", (A,), _slice, variadic=A),
        FuncSpec("len", (A,), _len),
        FuncSpec("print", (), _print, variadic=A),
        FuncSpec("printf", (Param.STRING,), _printf, variadic=A),
        FuncSpec("println", (), _println, variadic=A),
        FuncSpec("html", (), _html, variadic=A),
        FuncSpec("js", (), _js, variadic=A),
        FuncSpec("urlquery", (), _urlquery, variadic=A),
    )
}

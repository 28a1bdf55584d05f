"""Go's `fmt.Sprintf` for the verbs templates use.

Owns reproducing Go's output for `%v %s %d %q %t %x %X %o %O %b %c %U %e %E %f %F %g %G %%`,
flags `+-# 0`, width, precision, `*` and `[n]` argument indexes, verbs applied element by
element inside slices and maps, and Go's in-band error strings (`%!d(string=x)`,
`%!d(MISSING)`, `%!(EXTRA ...)`, `%!(NOVERB)`). The result is built under a size budget
so no format string can exhaust memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn

from .gofmt import quote, quote_rune
from .values import (
    MAX_PRINT_DEPTH,
    MISSING,
    FormatBudgetError,
    Printer,
    format_float,
    go_type,
    is_list,
    sorted_items,
)

_MAX_WIDTH = 1_000_000  # Go's fmt rejects widths and precisions beyond this
_CONTAINER_VERBS = frozenset("vsqdxXobcUeEfFgGt")


class _BadVerb(Exception):
    """The verb does not apply to the operand's type."""


def _raise_bad() -> NoReturn:
    raise _BadVerb


class _Spec:
    __slots__ = ("minus", "plus", "precision", "sharp", "space", "width", "zero")

    def __init__(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.width = -1
        self.precision = -1


def sprintf(fmt: str, args: Sequence[object], budget: int) -> str:
    """Go's `fmt.Sprintf` for the verbs templates use."""
    return _Formatter(fmt, args, budget).run()


class _Formatter:
    def __init__(self, fmt: str, args: Sequence[object], budget: int) -> None:
        self.fmt = fmt
        self.args = args
        self.budget = budget
        self.printer = Printer(budget)
        self.out: list[str] = []
        self.size = 0
        self.produced = 0
        self.arg_num = 0
        self.reordered = False

    def write(self, text: str) -> None:
        self.size += len(text)
        if self.size > self.budget:
            raise FormatBudgetError("printf result is too large")
        self.out.append(text)

    def run(self) -> str:
        fmt = self.fmt
        end = len(fmt)
        i = 0
        while i < end:
            start = i
            while i < end and fmt[i] != "%":
                i += 1
            if i > start:
                self.write(fmt[start:i])
            if i >= end:
                break
            i += 1  # skip %
            spec = _Spec()
            while i < end and fmt[i] in "#0+- ":
                flag = fmt[i]
                spec.sharp |= flag == "#"
                spec.zero |= flag == "0"
                spec.plus |= flag == "+"
                spec.minus |= flag == "-"
                spec.space |= flag == " "
                i += 1
            i = self._arg_index(i)
            if i < end and fmt[i] == "*":
                i += 1
                spec.width = self._int_arg()
                if spec.width == -2:
                    self.write("%!(BADWIDTH)")
                    spec.width = -1
                elif spec.width < 0:
                    spec.minus = True
                    spec.width = -spec.width
            else:
                width, i = _parse_num(fmt, i)
                if width is None:
                    self.write("%!(NOVERB)")
                    break
                spec.width = width
            if i < end and fmt[i] == ".":
                i += 1
                i = self._arg_index(i)
                if i < end and fmt[i] == "*":
                    i += 1
                    spec.precision = self._int_arg()
                    if spec.precision < 0:
                        spec.precision = -1
                        self.write("%!(BADPREC)")
                else:
                    precision, i = _parse_num(fmt, i)
                    if precision is None:
                        self.write("%!(NOVERB)")
                        break
                    spec.precision = max(precision, 0)
            i = self._arg_index(i)
            if i >= end:
                self.write("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if verb == "%":
                self.write("%")
            elif self.arg_num >= len(self.args):
                self.write(f"%!{verb}(MISSING)")
            else:
                arg = self.args[self.arg_num]
                self.arg_num += 1
                self.write(self._convert(verb, spec, arg))
        if not self.reordered and self.arg_num < len(self.args):
            extra = ", ".join(
                "<nil>" if a is None or a is MISSING else f"{go_type(a)}={self.printer.format(a)}"
                for a in self.args[self.arg_num :]
            )
            self.write(f"%!(EXTRA {extra})")
        return "".join(self.out)

    def _arg_index(self, i: int) -> int:
        fmt = self.fmt
        if i >= len(fmt) or fmt[i] != "[":
            return i
        close = fmt.find("]", i)
        self.reordered = True
        if close < 0 or not fmt[i + 1 : close].isdigit():
            self.arg_num = len(self.args) + 1  # forces MISSING-style reporting
            return len(fmt) if close < 0 else close + 1
        self.arg_num = int(fmt[i + 1 : close]) - 1
        return close + 1

    def _int_arg(self) -> int:
        """Next argument as a `*` width/precision; -2 when it is not a usable int."""
        if self.arg_num >= len(self.args):
            return -2
        arg = self.args[self.arg_num]
        self.arg_num += 1
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) <= _MAX_WIDTH:
            return arg
        return -2

    def _convert(self, verb: str, spec: _Spec, arg: object, depth: int = 0) -> str:
        """One operand, padded; slices and maps apply the verb (and width) per element."""
        if depth > MAX_PRINT_DEPTH:
            raise FormatBudgetError(f"value is nested deeper than {MAX_PRINT_DEPTH} levels")
        if verb in _CONTAINER_VERBS and not (verb == "v" and spec.sharp):
            if is_list(arg):
                assert isinstance(arg, Sequence)
                items = (self._convert(verb, spec, item, depth + 1) for item in arg)
                return "[" + " ".join(items) + "]"
            if isinstance(arg, Mapping):
                pairs = (
                    self._convert(verb, spec, key, depth + 1)
                    + ":"
                    + self._convert(verb, spec, item, depth + 1)
                    for key, item in sorted_items(arg)
                )
                return "map[" + " ".join(pairs) + "]"
        if depth and arg is None:
            text = "<nil>"  # a nil element prints as <nil> whatever the verb
        else:
            try:
                text = self._scalar(verb, spec, arg)
            except _BadVerb:
                if arg is None or arg is MISSING:
                    return self._count(f"%!{verb}(<nil>)")
                inner = self._pad(spec, self._scalar("v", spec, arg), "v", arg)
                return self._count(f"%!{verb}({go_type(arg)}={inner})")
        return self._count(self._pad(spec, text, verb, arg))

    def _count(self, text: str) -> str:
        self.produced += len(text)
        if self.produced > self.budget:
            raise FormatBudgetError("printf result is too large")
        return text

    def _scalar(self, verb: str, spec: _Spec, arg: object) -> str:
        if isinstance(arg, bool):
            if verb in "tv":
                return "true" if arg else "false"
            raise _BadVerb
        if isinstance(arg, str):
            return self._string(verb, spec, arg)
        if isinstance(arg, int | float):
            return self._number(verb, spec, arg)
        if arg is None or arg is MISSING:
            if verb == "v":
                return "<nil>"
            raise _BadVerb
        if verb in "sv":
            return self.printer.format(arg)
        raise _BadVerb

    def _string(self, verb: str, spec: _Spec, arg: str) -> str:
        if verb in "sv":
            if verb == "v" and spec.sharp:
                return quote(arg)
            return arg if spec.precision < 0 else arg[: spec.precision]
        if verb == "q":
            text = arg if spec.precision < 0 else arg[: spec.precision]
            if spec.sharp and "`" not in text and all(c.isprintable() for c in text):
                return "`" + text + "`"
            return quote(text)
        if verb in "xX":
            data = arg.encode("utf-8", "replace")
            if spec.precision >= 0:
                data = data[: spec.precision]
            code = "02x" if verb == "x" else "02X"
            prefix = ("0" + verb) if spec.sharp and data else ""
            if spec.space:
                return " ".join(prefix + format(b, code) for b in data)
            return prefix + "".join(format(b, code) for b in data)
        raise _BadVerb

    def _number(self, verb: str, spec: _Spec, arg: int | float) -> str:
        if isinstance(arg, float):
            if verb not in "veEfFgGxX":
                return _raise_bad()
            if verb in "xX":
                text = _hex_float(arg)
                text = text.upper() if verb == "X" else text
            elif verb == "v":
                text = format_float(arg, "g", spec.precision)
            else:
                precision = spec.precision
                if precision < 0 and verb in "eEfF":
                    precision = 6
                text = format_float(arg, verb, precision)
            if text[0] not in "+-":
                if spec.plus:
                    text = "+" + text
                elif spec.space:
                    text = " " + text
            return text
        if verb == "c":
            return chr(arg) if 0 <= arg <= 0x10FFFF and not 0xD800 <= arg <= 0xDFFF else "\ufffd"
        if verb == "q":
            return quote_rune(arg)
        if verb == "U":
            if arg < 0:
                return _raise_bad()
            text = f"U+{arg:04X}"
            if spec.sharp and 0 <= arg <= 0x10FFFF and chr(arg).isprintable():
                text += f" '{chr(arg)}'"
            return text
        bases = {"d": 10, "v": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}
        if verb not in bases:
            return _raise_bad()
        magnitude = abs(arg)
        digits = {10: "d", 2: "b", 8: "o", 16: "x" if verb != "X" else "X"}
        body = format(magnitude, digits[bases[verb]])
        if spec.precision >= 0:
            body = body.rjust(spec.precision, "0") if spec.precision else body.lstrip("0")
        prefix = ""
        if verb == "O":
            prefix = "0o"
        elif spec.sharp:
            prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "")
            if verb == "o" and body.startswith("0"):
                prefix = ""
        sign = "-" if arg < 0 else "+" if spec.plus else " " if spec.space else ""
        return sign + prefix + body

    def _pad(self, spec: _Spec, text: str, verb: str, arg: object) -> str:
        if spec.width < 0 or len(text) >= spec.width:
            return text
        if spec.width > _MAX_WIDTH:
            return text
        fill = spec.width - len(text)
        if spec.minus:
            return text + " " * fill
        if not spec.zero:
            return " " * fill + text
        numeric = isinstance(arg, int | float) and not isinstance(arg, bool)
        if numeric and isinstance(arg, int) and spec.precision >= 0 and verb not in "cqU":
            return " " * fill + text  # Go ignores the 0 flag when an int has a precision
        if numeric and text[:1] in ("-", "+", " "):
            return text[0] + "0" * fill + text[1:]
        return "0" * fill + text


def _hex_float(value: float) -> str:
    """Go's `%x` for a float64 (shortest hexadecimal mantissa, two-digit exponent)."""
    if value != value or value in (float("inf"), float("-inf")):
        return format_float(value)
    sign = "-" if str(value).startswith("-") else ""
    if value == 0:
        return f"{sign}0x0p+00"
    mantissa, _, exponent = abs(value).hex().partition("p")
    whole, _, fraction = mantissa[2:].partition(".")
    fraction = fraction.rstrip("0")
    exp = int(exponent)
    body = whole + ("." + fraction if fraction else "")
    return f"{sign}0x{body}p{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _parse_num(fmt: str, i: int) -> tuple[int | None, int]:
    """A decimal width/precision at `i`: (value or -1 when absent, next index); None if huge."""
    start = i
    while i < len(fmt) and fmt[i].isascii() and fmt[i].isdigit():
        i += 1
    if i == start:
        return -1, i
    value = int(fmt[start:i]) if i - start <= 8 else _MAX_WIDTH + 1
    if value > _MAX_WIDTH:
        return None, i
    return value, i

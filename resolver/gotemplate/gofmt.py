"""Go's `fmt.Sprint`, `fmt.Sprintln` and `strconv.Quote`.

Owns printing operands the way Go's `Sprint` family does (spaces only between two
non-string operands for `Sprint`, always for `Sprintln`) and Go's string and rune
quoting. `Sprintf` lives in `printf`. Every result is built under a size budget.
"""

from __future__ import annotations

from collections.abc import Sequence

from .values import Printer


def quote(text: str) -> str:
    """Go's `strconv.Quote`."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char.isprintable() and not 0xD800 <= code <= 0xDFFF:
            out.append(char)
        elif char in _CONTROL_ESCAPES:
            out.append(_CONTROL_ESCAPES[char])
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_CONTROL_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def quote_rune(code: int) -> str:
    if not 0 <= code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    char = chr(code)
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + quote(char)[1:-1] + "'"


def sprint(args: Sequence[object], budget: int) -> str:
    """Go's `fmt.Sprint`: a space between operands when neither side is a string."""
    printer = Printer(budget)
    parts: list[str] = []
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            parts.append(" ")
        parts.append(printer.format(arg))
    return "".join(parts)


def sprintln(args: Sequence[object], budget: int) -> str:
    """Go's `fmt.Sprintln`: operands separated by spaces, then a newline."""
    printer = Printer(budget)
    return " ".join(printer.format(arg) for arg in args) + "\n"

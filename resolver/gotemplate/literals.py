"""Go literal syntax: quoted strings, raw strings, character constants and numbers.

Owns turning the source text of a literal token into its value with Go's rules
(`strconv.Unquote` escapes, `0x`/`0o`/`0b`/legacy-octal integers, underscores, hex
floats) and the int-versus-float choice Go's template engine makes for an untyped
constant. Raises `ValueError` with a readable reason; the parser adds the position.
"""

from __future__ import annotations

import re

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_LEGACY_OCTAL = re.compile(r"0[0-7_]+")
_DECIMAL_INT = re.compile(r"[0-9](?:_?[0-9])*")
_FLOAT = re.compile(
    r"(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)


def _unescape(body: str, quote: str) -> str:
    """Decode the inside of a Go interpreted literal delimited by `quote`."""
    out = bytearray()
    i = 0
    end = len(body)
    while i < end:
        char = body[i]
        if char == quote:
            raise ValueError(f"unescaped {quote} inside literal")
        if char != "\\":
            out += char.encode("utf-8", "surrogatepass")
            i += 1
            continue
        if i + 1 >= end:
            raise ValueError("literal ends in a backslash")
        esc = body[i + 1]
        i += 2
        if esc in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[esc].encode()
        elif esc == quote:
            out += quote.encode()
        elif esc in _HEX_WIDTH:
            width = _HEX_WIDTH[esc]
            digits = body[i : i + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError(f"bad \\{esc} escape: want {width} hex digits")
            i += width
            value = int(digits, 16)
            if esc == "x":
                out.append(value)  # a raw byte, as in Go
            else:
                if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                    raise ValueError(f"escape \\{esc}{digits} is not a valid Unicode code point")
                out += chr(value).encode()
        elif esc in "01234567":
            digits = body[i - 1 : i + 2]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise ValueError("bad octal escape: want 3 octal digits")
            value = int(digits, 8)
            if value > 255:
                raise ValueError(f"octal escape \\{digits} is out of range")
            i += 2
            out.append(value)
        else:
            raise ValueError(f"unknown escape sequence \\{esc}")
    return out.decode("utf-8", "replace")


def unquote_string(text: str) -> str:
    """The value of a `"..."` or `` `...` `` literal (Go `strconv.Unquote`)."""
    if len(text) >= 2 and text[0] == text[-1] == "`":
        # Go discards carriage returns inside raw strings.
        return text[1:-1].replace("\r", "")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _unescape(text[1:-1], '"')
    raise ValueError("malformed string literal")


def unquote_char(text: str) -> int:
    """The code point of a `'x'` character constant."""
    if len(text) < 3 or text[0] != "'" or text[-1] != "'":
        raise ValueError("malformed character constant")
    body = text[1:-1]
    if len(body) == 4 and body[0] == "\\" and body[1] in "x01234567":
        # \x and octal escapes denote a byte value, which is the rune itself here.
        _unescape(body, "'")
        return int(body[2:], 16) if body[1] == "x" else int(body[1:], 8)
    decoded = _unescape(body, "'")
    if len(decoded) != 1:
        raise ValueError(f"malformed character constant: {text}")
    return ord(decoded)


def _parse_int(text: str) -> int | None:
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in "+-" else text
    try:
        if body[:2].lower() in ("0x", "0o", "0b"):
            return sign * int(body, 0)
        if _LEGACY_OCTAL.fullmatch(body):
            return sign * int(body[1:].lstrip("_") or "0", 8)
        if _DECIMAL_INT.fullmatch(body):
            return sign * int(body)
    except ValueError:
        return None
    return None


def _parse_float(text: str) -> float | None:
    body = text[1:] if text[:1] in "+-" else text
    negative = text.startswith("-")
    try:
        if body[:2].lower() == "0x":
            if "p" not in body.lower():
                return None  # Go: a hexadecimal mantissa requires a 'p' exponent
            value = float.fromhex(body.replace("_", ""))
        elif body and any(c.isdigit() for c in body) and _FLOAT.fullmatch(body):
            value = float(body)
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return -value if negative else value


def parse_number(text: str) -> int | float:
    """The value Go's template engine gives an untyped numeric constant.

    Integers (decimal, `0x`, `0o`, `0b`, legacy `0` octal, with underscores) stay ints;
    text with a `.`, an exponent or a hex-float `p` exponent becomes a float. Integers
    must fit Go's `int` (64-bit).
    """
    if text.endswith("i"):
        raise ValueError(f"complex number {text} is not supported")
    is_hex = text.lstrip("+-")[:2].lower() == "0x"
    looks_float = any(c in text for c in ".pP") or (not is_hex and any(c in text for c in "eE"))
    if not looks_float:
        value = _parse_int(text)
        if value is not None:
            if not INT64_MIN <= value <= INT64_MAX:
                raise ValueError(f"{text} overflows int")
            return value
    number = _parse_float(text)
    if number is None:
        raise ValueError(f"illegal number syntax: {text!r}")
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"{text} overflows float64")
    return number

"""Tokeniser for Go `text/template` source.

Owns splitting template text into tokens exactly as Go's `text/template/parse` lexer
does: text runs, `{{`/`}}` delimiters with the `{{- ` / ` -}}` whitespace trimming,
`{{/* */}}` comments, and the words inside actions (fields, variables, literals,
keywords, `:=`, `=`, `|`, parentheses). Tokens are produced lazily so lexical errors are
reported in source order relative to parse errors. Knows nothing about meaning.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from enum import Enum
from typing import NamedTuple

from .errors import Locator

LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
SPACE_CHARS = " \t\r\n"
TERMINATORS = frozenset(".,|:)(") | frozenset(SPACE_CHARS)


class Kind(Enum):
    TEXT = "text"
    LEFT_DELIM = "{{"
    RIGHT_DELIM = "}}"
    SPACE = "space"
    IDENTIFIER = "identifier"
    FIELD = "field"
    VARIABLE = "variable"
    DOT = "."
    STRING = "string"
    RAW_STRING = "raw string"
    CHAR_CONSTANT = "character constant"
    NUMBER = "number"
    BOOL = "bool"
    NIL = "nil"
    ASSIGN = "="
    DECLARE = ":="
    PIPE = "|"
    LEFT_PAREN = "("
    RIGHT_PAREN = ")"
    CHAR = "char"
    EOF = "EOF"
    # keywords
    IF = "if"
    ELSE = "else"
    END = "end"
    RANGE = "range"
    WITH = "with"
    BREAK = "break"
    CONTINUE = "continue"
    DEFINE = "define"
    TEMPLATE = "template"
    BLOCK = "block"


KEYWORDS: dict[str, Kind] = {
    "if": Kind.IF,
    "else": Kind.ELSE,
    "end": Kind.END,
    "range": Kind.RANGE,
    "with": Kind.WITH,
    "break": Kind.BREAK,
    "continue": Kind.CONTINUE,
    "define": Kind.DEFINE,
    "template": Kind.TEMPLATE,
    "block": Kind.BLOCK,
    "nil": Kind.NIL,
}


class Token(NamedTuple):
    kind: Kind
    value: str
    offset: int


# A sub-scanner yields tokens and returns the offset where it stopped.
_Scan = Generator[Token, None, int]


def is_alphanumeric(char: str) -> bool:
    """Go's `isAlphaNumeric`: underscore, Unicode letter or Unicode decimal digit."""
    return char == "_" or char.isalpha() or char.isdecimal()


def describe_char(char: str) -> str:
    """Go's `%#U` rendering of a rune, e.g. `U+0041 'A'`."""
    code = f"U+{ord(char):04X}"
    return f"{code} {char!r}" if char.isprintable() else code


def _has_left_trim(text: str, pos: int) -> bool:
    return text.startswith("-", pos) and pos + 1 < len(text) and text[pos + 1] in SPACE_CHARS


def _at_right_delim(text: str, pos: int) -> tuple[bool, bool]:
    """Whether `pos` sits on a closing delimiter, and whether that one trims (` -}}`)."""
    if (
        pos + 1 < len(text)
        and text[pos] in SPACE_CHARS
        and text[pos + 1] == "-"
        and text.startswith(RIGHT_DELIM, pos + 2)
    ):
        return True, True
    return text.startswith(RIGHT_DELIM, pos), False


def _skip_spaces(text: str, pos: int) -> int:
    end = len(text)
    while pos < end and text[pos] in SPACE_CHARS:
        pos += 1
    return pos


class Lexer:
    """Produces the tokens of one template text; raise sites carry the failing offset."""

    def __init__(self, text: str, locator: Locator) -> None:
        self.text = text
        self.locator = locator

    def tokens(self) -> Iterator[Token]:
        text = self.text
        end = len(text)
        pos = 0
        while True:
            start = text.find(LEFT_DELIM, pos)
            if start < 0:
                if pos < end:
                    yield Token(Kind.TEXT, text[pos:], pos)
                yield Token(Kind.EOF, "", end)
                return
            trim = _has_left_trim(text, start + 2)
            text_end = start
            if trim:
                text_end = pos + len(text[pos:start].rstrip(SPACE_CHARS))
            if text_end > pos:
                yield Token(Kind.TEXT, text[pos:text_end], pos)
            inner = start + 2 + (2 if trim else 0)
            if text.startswith("/*", inner):
                pos = self._comment(start, inner + 2)
                continue
            yield Token(Kind.LEFT_DELIM, LEFT_DELIM, start)
            pos = yield from self._inside_action(start, inner)

    def _comment(self, start: int, pos: int) -> int:
        text = self.text
        close = text.find("*/", pos)
        if close < 0:
            raise self.locator.error("unclosed comment (missing */}})", start)
        pos = close + 2
        delim, trim = _at_right_delim(text, pos)
        if not delim:
            raise self.locator.error("comment ends before closing delimiter (want */}})", start)
        pos += 4 if trim else 2
        return _skip_spaces(text, pos) if trim else pos

    def _inside_action(self, start: int, pos: int) -> _Scan:
        text = self.text
        end = len(text)
        parens = 0
        error = self.locator.error
        while True:
            delim, trim = _at_right_delim(text, pos)
            if delim:
                if parens:
                    raise error("unclosed left paren", pos)
                if trim:
                    pos += 2
                yield Token(Kind.RIGHT_DELIM, RIGHT_DELIM, pos)
                pos += 2
                return _skip_spaces(text, pos) if trim else pos
            if pos >= end:
                raise error("unclosed action (missing }})", start)
            char = text[pos]
            if char in SPACE_CHARS:
                first = pos
                pos = _skip_spaces(text, pos)
                # " -}}" closes the action: leave its space for the delimiter check.
                if (
                    text.startswith("-", pos)
                    and text.startswith(RIGHT_DELIM, pos + 1)
                    and text[pos - 1] in SPACE_CHARS
                ):
                    pos -= 1
                    if pos == first:
                        continue
                yield Token(Kind.SPACE, text[first:pos], first)
            elif char == "=":
                yield Token(Kind.ASSIGN, "=", pos)
                pos += 1
            elif char == ":":
                if not text.startswith(":=", pos):
                    raise error("expected :=", pos)
                yield Token(Kind.DECLARE, ":=", pos)
                pos += 2
            elif char == "|":
                yield Token(Kind.PIPE, "|", pos)
                pos += 1
            elif char == '"':
                pos = yield from self._quote(pos)
            elif char == "`":
                close = text.find("`", pos + 1)
                if close < 0:
                    raise error("unterminated raw quoted string", pos)
                yield Token(Kind.RAW_STRING, text[pos : close + 1], pos)
                pos = close + 1
            elif char == "$":
                pos = yield from self._field_or_variable(pos, Kind.VARIABLE)
            elif char == "'":
                pos = yield from self._char_constant(pos)
            elif char == "." and pos + 1 < end and not ("0" <= text[pos + 1] <= "9"):
                pos = yield from self._field_or_variable(pos, Kind.FIELD)
            elif char in "+-." or "0" <= char <= "9":
                pos = yield from self._number(pos)
            elif is_alphanumeric(char):
                pos = yield from self._identifier(pos)
            elif char == "(":
                parens += 1
                yield Token(Kind.LEFT_PAREN, "(", pos)
                pos += 1
            elif char == ")":
                parens -= 1
                if parens < 0:
                    raise error("unexpected right paren", pos)
                yield Token(Kind.RIGHT_PAREN, ")", pos)
                pos += 1
            elif char.isascii() and char.isprintable():
                yield Token(Kind.CHAR, char, pos)
                pos += 1
            else:
                raise error(f"unrecognized character in action: {describe_char(char)}", pos)

    def _at_terminator(self, pos: int) -> bool:
        text = self.text
        if pos >= len(text):
            return True
        return text[pos] in TERMINATORS or text.startswith(RIGHT_DELIM, pos)

    def _scan_word(self, pos: int) -> int:
        text = self.text
        end = len(text)
        while pos < end and is_alphanumeric(text[pos]):
            pos += 1
        return pos

    def _bad_character(self, pos: int) -> Exception:
        return self.locator.error(f"bad character {describe_char(self.text[pos])}", pos)

    def _field_or_variable(self, start: int, kind: Kind) -> _Scan:
        pos = start + 1
        if self._at_terminator(pos):
            yield Token(
                Kind.VARIABLE if kind is Kind.VARIABLE else Kind.DOT, self.text[start], start
            )
            return pos
        pos = self._scan_word(pos)
        if not self._at_terminator(pos):
            raise self._bad_character(pos)
        yield Token(kind, self.text[start:pos], start)
        return pos

    def _identifier(self, start: int) -> _Scan:
        pos = self._scan_word(start)
        if not self._at_terminator(pos):
            raise self._bad_character(pos)
        word = self.text[start:pos]
        if word in ("true", "false"):
            yield Token(Kind.BOOL, word, start)
        else:
            yield Token(KEYWORDS.get(word, Kind.IDENTIFIER), word, start)
        return pos

    def _quote(self, start: int) -> _Scan:
        return (yield from self._quoted(start, Kind.STRING, "quoted string"))

    def _char_constant(self, start: int) -> _Scan:
        return (yield from self._quoted(start, Kind.CHAR_CONSTANT, "character constant"))

    def _quoted(self, start: int, kind: Kind, what: str) -> _Scan:
        """A `"..."` or `'...'` literal: backslash escapes, no newline, must be closed."""
        text = self.text
        end = len(text)
        quote = text[start]
        pos = start + 1
        while True:
            if pos >= end or text[pos] == "\n":
                raise self.locator.error(f"unterminated {what}", start)
            char = text[pos]
            if char == "\\":
                if pos + 1 >= end or text[pos + 1] == "\n":
                    raise self.locator.error(f"unterminated {what}", start)
                pos += 2
                continue
            pos += 1
            if char == quote:
                break
        yield Token(kind, text[start:pos], start)
        return pos

    def _number(self, start: int) -> _Scan:
        pos = self._scan_number(start)
        if pos < 0:
            bad = -pos
            raise self.locator.error(f"bad number syntax: {self.text[start:bad]!r}", start)
        if pos < len(self.text) and self.text[pos] in "+-":
            # Go would try a complex literal here (1+2i); those are not supported.
            raise self.locator.error(f"bad number syntax: {self.text[start : pos + 1]!r}", start)
        yield Token(Kind.NUMBER, self.text[start:pos], start)
        return pos

    def _scan_number(self, pos: int) -> int:
        """Go's `scanNumber`; returns the end offset, or minus it when the syntax is bad."""
        text = self.text
        end = len(text)

        def accept(chars: str) -> bool:
            nonlocal pos
            if pos < end and text[pos] in chars:
                pos += 1
                return True
            return False

        def accept_run(chars: str) -> None:
            nonlocal pos
            while pos < end and text[pos] in chars:
                pos += 1

        accept("+-")
        digits = "0123456789_"
        if accept("0"):
            if accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif accept("oO"):
                digits = "01234567_"
            elif accept("bB"):
                digits = "01_"
        accept_run(digits)
        if accept("."):
            accept_run(digits)
        if len(digits) == 11 and accept("eE"):
            accept("+-")
            accept_run("0123456789_")
        if len(digits) == 23 and accept("pP"):
            accept("+-")
            accept_run("0123456789_")
        accept("i")
        if pos < end and is_alphanumeric(text[pos]):
            return -(pos + 1)
        return pos

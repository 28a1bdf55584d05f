"""Token stream for the parser: lookahead, backup, located errors and the nesting guard.

Owns pulling tokens lazily from the lexer (so lexical errors surface in source order),
the few tokens of lookahead/backup Go's parser needs, how a token is described in an
"unexpected ..." message, and the depth counter that bounds nesting. No grammar.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .errors import Locator, TemplateError
from .lexer import Kind, Lexer, Token
from .limits import Limits


def describe(token: Token) -> str:
    """How a token reads in an error message."""
    if token.kind is Kind.EOF:
        return "end of input"
    if token.kind is Kind.RIGHT_DELIM:
        return '"}}"'
    if token.kind.value == token.value and token.value.isalpha():
        return f"<{token.value}>"
    text = token.value if len(token.value) <= 20 else token.value[:20] + "..."
    return json.dumps(text, ensure_ascii=False)


class TokenStream:
    """The tokens of one template text, with positions for errors."""

    def __init__(self, text: str, name: str, limits: Limits) -> None:
        self.locator = Locator(text, name)
        self.limits = limits
        if len(text) > limits.max_template_size:
            raise self.locator.error(
                f"template is {len(text)} characters, over the {limits.max_template_size} limit",
                0,
            )
        self._tokens: Iterator[Token] = Lexer(text, self.locator).tokens()
        self._buffer: list[Token] = []
        self._index = 0
        self._depth = 0

    def _next(self) -> Token:
        if self._index == len(self._buffer):
            if self._buffer and self._buffer[-1].kind is Kind.EOF:
                return self._buffer[-1]
            self._buffer.append(next(self._tokens))
        token = self._buffer[self._index]
        self._index += 1
        return token

    def _backup(self, count: int = 1) -> None:
        self._index -= count

    def _peek(self) -> Token:
        token = self._next()
        self._backup()
        return token

    def _next_non_space(self) -> Token:
        token = self._next()
        while token.kind is Kind.SPACE:
            token = self._next()
        return token

    def _peek_non_space(self) -> Token:
        token = self._next_non_space()
        self._backup()
        return token

    def _error(self, message: str, offset: int) -> TemplateError:
        return self.locator.error(message, offset)

    def _unexpected(self, token: Token, context: str) -> TemplateError:
        return self._error(f"unexpected {describe(token)} in {context}", token.offset)

    def _expect(self, kind: Kind, context: str) -> Token:
        token = self._next_non_space()
        if token.kind is not kind:
            raise self._unexpected(token, context)
        return token

    def _enter(self, offset: int) -> None:
        self._depth += 1
        if self._depth > self.limits.max_depth:
            raise self._error(
                f"template nesting is deeper than {self.limits.max_depth} levels", offset
            )

    def _leave(self) -> None:
        self._depth -= 1

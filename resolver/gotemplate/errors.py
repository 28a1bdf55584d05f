"""The one exception the template engine raises, and how offsets become line/column.

Owns `TemplateError` (parse and execution failures alike, always located) and the
offset-to-position arithmetic. Every failure inside the engine surfaces as a
`TemplateError`; no other exception type may escape the package.
"""

from __future__ import annotations

import bisect


class TemplateError(Exception):
    """A template that cannot be parsed or executed.

    `line` and `column` are 1-based and count characters within the template text;
    `offset` is the 0-based character offset of the same place. `name` is the template
    name given to `parse`.
    """

    def __init__(
        self,
        message: str,
        *,
        name: str = "template",
        line: int = 1,
        column: int = 1,
        offset: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.line = line
        self.column = column
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.name}:{self.line}:{self.column}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"TemplateError({self.message!r}, name={self.name!r}, "
            f"line={self.line}, column={self.column})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only construction needs help to survive pickling (e.g. multiprocessing).
        return (_rebuild, (self.message, self.name, self.line, self.column, self.offset))


def _rebuild(message: str, name: str, line: int, column: int, offset: int) -> TemplateError:
    return TemplateError(message, name=name, line=line, column=column, offset=offset)


class Locator:
    """Turns character offsets of one template text into 1-based line/column pairs."""

    __slots__ = ("_line_starts", "name", "text")

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self._line_starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def error(self, message: str, offset: int) -> TemplateError:
        line, column = self.position(offset)
        return TemplateError(message, name=self.name, line=line, column=column, offset=offset)

"""Terminal rendering of diagnostics: `path:line:col: severity[code/reason] message`, then a
code frame (the offending line with a caret) and the hint. Pure: text in, text out."""

from __future__ import annotations

from collections.abc import Iterable

from resolver.diagnostics import Diagnostic

_MAX_FRAME_WIDTH = 160


def code_frame(text: str, line: int, column: int) -> str:
    """The line `line` of `text` with a caret under `column` (1-based); "" when unknown."""
    if line <= 0 or not text:
        return ""
    lines = text.splitlines()
    if line > len(lines):
        return ""
    source = lines[line - 1].expandtabs(1)
    col = max(column, 1)
    start = 0
    if len(source) > _MAX_FRAME_WIDTH:  # keep the caret in view on very long lines
        start = max(0, col - _MAX_FRAME_WIDTH // 2)
        source = source[start : start + _MAX_FRAME_WIDTH]
    gutter = f"{line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (col - 1 - start) + "^"
    return f"{gutter}{source}\n{caret}"


def render_diagnostic(diagnostic: Diagnostic, text: str = "") -> str:
    where = diagnostic.location() or "(input)"
    head = (
        f"{where}: {diagnostic.severity.value}[{diagnostic.code.value}/{diagnostic.reason}] "
        f"{diagnostic.message}"
    )
    parts = [head]
    frame = code_frame(text, diagnostic.line, diagnostic.column)
    if frame:
        parts.append(frame)
    if diagnostic.chain:
        parts.append("  imported via: " + " -> ".join(diagnostic.chain))
    if diagnostic.hint:
        parts.append(f"  hint: {diagnostic.hint}")
    return "\n".join(parts)


def render_diagnostics(diagnostics: Iterable[Diagnostic], text: str = "") -> str:
    return "\n\n".join(render_diagnostic(d, text) for d in diagnostics)

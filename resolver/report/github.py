"""GitHub Actions rendering of a validation run: workflow commands (annotations), the Markdown
job summary, and the `name<<delimiter` records of `$GITHUB_OUTPUT`.

Escaping follows GitHub's own toolkit (`@actions/core`, `command.ts`): a command's data escapes
`%`, CR and LF; its properties additionally `:` and `,`. So no message, path or hint can end a
command early or start a new one, whatever the validated file contains.

Pure: data in, text out. Writing to stdout or to the runner's files is the caller's job
(`action/`, `manifold validate --format github`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from resolver.diagnostics import Diagnostic
from resolver.report.validation import ValidationRun

__all__ = [
    "MAX_SUMMARY_CELL_CHARS",
    "MAX_SUMMARY_ROWS",
    "annotation_message",
    "annotation_title",
    "escape_data",
    "escape_markdown_cell",
    "escape_property",
    "render_output_record",
    "render_step_summary",
    "render_workflow_command",
    "render_workflow_commands",
    "workflow_command",
]

# GitHub caps a step summary at 1 MiB: bound the table so a file with thousands of problems
# still gets a readable summary (every problem is still annotated and in the SARIF file).
MAX_SUMMARY_ROWS = 200
MAX_SUMMARY_CELL_CHARS = 500


def escape_data(value: str) -> str:
    """Escape a workflow command's data (the part after the second `::`)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command property value (`key=value` before the second `::`)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: Mapping[str, str | int], message: str) -> str:
    """`::command k=v,k=v::message`, dropping empty properties as the toolkit does."""
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value not in ("", 0, None)
    )
    head = f"::{command} {props}" if props else f"::{command}"
    return f"{head}::{escape_data(message)}"


def annotation_title(diagnostic: Diagnostic) -> str:
    """`services.yaml: invalid_argument/unknown_key` (the repository alias first when known)."""
    where = ":".join(p for p in (diagnostic.repository, diagnostic.path) if p) or "manifold"
    return f"{where}: {diagnostic.code.value}/{diagnostic.reason}"


def annotation_message(diagnostic: Diagnostic) -> str:
    """The message, then the import chain and the hint on lines of their own."""
    lines = [diagnostic.message]
    if diagnostic.chain:
        lines.append("imported via: " + " -> ".join(diagnostic.chain))
    if diagnostic.hint:
        lines.append(f"hint: {diagnostic.hint}")
    return "\n".join(lines)


def render_workflow_command(diagnostic: Diagnostic) -> str:
    """One `::error` / `::warning` annotation for a diagnostic.

    `file` is only given for a file of this repository (no `repository` alias): a path in a
    sibling repository would point the annotation at the wrong file, so it is named in the
    title instead. `line`/`col` are omitted when unknown (0).
    """
    command = "error" if diagnostic.is_error else "warning"
    properties: dict[str, str | int] = {}
    if diagnostic.path and not diagnostic.repository:
        properties["file"] = diagnostic.path
        properties["line"] = diagnostic.line
        if diagnostic.line:
            properties["col"] = diagnostic.column
    properties["title"] = annotation_title(diagnostic)
    return workflow_command(command, properties, annotation_message(diagnostic))


def _run_diagnostics(run: ValidationRun) -> list[Diagnostic]:
    return [d for result in run.files for d in result.diagnostics]


def render_workflow_commands(run: ValidationRun, extra: Iterable[Diagnostic] = ()) -> str:
    """Every diagnostic of the run (then `extra`, e.g. composition problems) as one command
    per line, in report order; "" when there is nothing to say."""
    lines = [render_workflow_command(d) for d in (*_run_diagnostics(run), *extra)]
    return "".join(line + "\n" for line in lines)


# --- Markdown job summary -------------------------------------------------------------------

_MARKDOWN_TEXT_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "~": "\\~",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
    }
)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_markdown_cell(text: str, *, limit: int = MAX_SUMMARY_CELL_CHARS) -> str:
    """Text safe inside one GFM table cell.

    Balanced backticks stay code spans (messages name keys like `dependsOn`); inside them only
    `|` needs escaping. Everything else is literal: Markdown punctuation and HTML are escaped
    (a key named `[x](https://…)` must not become a link), newlines become `<br>`.
    """
    text = _truncate(text.replace("\r\n", "\n").replace("\r", "\n"), limit)
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unbalanced backtick: no code spans at all
        return text.translate(_MARKDOWN_TEXT_ESCAPES).replace("`", "\\`").replace("\n", "<br>")
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            code = part.replace("\n", " ")
            if code.strip():
                out.append("`" + code.replace("|", "\\|") + "`")
            else:  # `` or ` `: not a code span worth keeping, show the backticks
                out.append("\\`" + code + "\\`")
        else:
            out.append(part.translate(_MARKDOWN_TEXT_ESCAPES).replace("\n", "<br>"))
    return "".join(out)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _code_cell(text: str) -> str:
    """A cell showing `text` as code (as plain text when it contains a backtick itself)."""
    return escape_markdown_cell(text if "`" in text or not text else f"`{text}`")


def _location(diagnostic: Diagnostic) -> str:
    return _code_cell(diagnostic.location() or "(input)")


def _problem_row(diagnostic: Diagnostic) -> str:
    severity = "❌ error" if diagnostic.is_error else "⚠️ warning"
    message = diagnostic.message
    if diagnostic.chain:
        message += "\nimported via: " + " -> ".join(diagnostic.chain)
    cells = [
        severity,
        _location(diagnostic),
        _code_cell(f"{diagnostic.code.value}/{diagnostic.reason}"),
        escape_markdown_cell(message),
        escape_markdown_cell(diagnostic.hint),
    ]
    return "| " + " | ".join(cells) + " |"


def render_step_summary(
    run: ValidationRun,
    composition_markdown: str | None = None,
    *,
    composition_ok: bool = True,
    extra: Iterable[Diagnostic] = (),
) -> str:
    """The job summary: verdict, counts, a table of problems, then the composition section.

    `extra` are problems found beyond the files themselves (the composition's), counted and
    listed with the rest; `composition_ok` folds the composition's verdict into the heading.
    """
    problems = [*_run_diagnostics(run), *extra]
    errors = sum(1 for d in problems if d.is_error)
    warnings = len(problems) - errors
    valid = run.valid and composition_ok and errors == 0
    files = _plural(len(run.files), "file")
    heading = "✅ Manifold: valid" if valid else "❌ Manifold: invalid"
    lines = [
        f"## {heading}",
        "",
        f"Checked {files}: **{_plural(errors, 'error')}**, **{_plural(warnings, 'warning')}**.",
        "",
    ]
    if run.files:
        lines += ["| File | Verdict | Dialect | Errors | Warnings |", "|---|---|---|---:|---:|"]
        for result in run.files:
            verdict = "valid" if result.valid else "**invalid**"
            cells = [
                _code_cell(result.path),
                verdict,
                escape_markdown_cell(result.dialect),
                str(result.errors),
                str(result.warnings),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if problems:
        lines += [
            "### Problems",
            "",
            "| Severity | Location | Reason | Message | Hint |",
            "|---|---|---|---|---|",
        ]
        lines += [_problem_row(d) for d in problems[:MAX_SUMMARY_ROWS]]
        if len(problems) > MAX_SUMMARY_ROWS:
            lines += [
                "",
                f"Showing {MAX_SUMMARY_ROWS} of {len(problems)} problems; every problem is "
                "annotated in the log (and in the SARIF file when one is written).",
            ]
        lines.append("")
    if composition_markdown is not None:
        lines += ["### Composition", "", composition_markdown.rstrip("\n"), ""]
    return "\n".join(lines)


# --- $GITHUB_OUTPUT ---------------------------------------------------------------------------


def render_output_record(name: str, value: str, delimiter: str) -> str:
    """One output in the multi-line-safe file-command syntax:
    `name<<DELIMITER`, the value, `DELIMITER`.

    The caller draws a fresh random delimiter (the toolkit uses `ghadelimiter_<uuid4>`);
    like the toolkit, refuse a name or value that contains it rather than emit a record
    that ends early.
    """
    if delimiter in name or delimiter in value:
        raise ValueError("the output delimiter occurs in the output's name or value")
    if not name or "\n" in name or "\r" in name or "<<" in name or "=" in name:
        raise ValueError(f"invalid output name {name!r}")
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"

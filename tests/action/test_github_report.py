"""Workflow commands, job summary and output records (resolver.report.github): pure tests."""

from __future__ import annotations

import pytest

from resolver.diagnostics import Code, Diagnostic, Severity
from resolver.report.github import (
    MAX_SUMMARY_ROWS,
    escape_data,
    escape_markdown_cell,
    escape_property,
    render_output_record,
    render_step_summary,
    render_workflow_command,
    render_workflow_commands,
    workflow_command,
)
from resolver.report.validation import FileResult, ValidationRun
from tests.action.conftest import parse_output_file

UNKNOWN_KEY = Diagnostic(
    code=Code.INVALID_ARGUMENT,
    reason="unknown_key",
    message="unknown key `dependson` in spec.services[0]",
    severity=Severity.WARNING,
    path="services.yaml",
    line=12,
    column=5,
    pointer="/spec/services/0/dependson",
    hint="did you mean `dependsOn`?",
)
BAD_TEMPLATE = Diagnostic(
    code=Code.INVALID_ARGUMENT,
    reason="template_syntax",
    message="template error: unexpected EOF",
    path="deploy/services.yaml",
    line=3,
    column=14,
    pointer="/spec/services/0/when",
)
WHOLE_FILE = Diagnostic(
    code=Code.INVALID_ARGUMENT,
    reason="binary_file",
    message="the file is not UTF-8 text",
    path="services.yaml",
)


def _run(*diagnostics: Diagnostic) -> ValidationRun:
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    return ValidationRun(
        tuple(FileResult(path, "typed", tuple(ds)) for path, ds in by_path.items())
    )


# --- escaping, as @actions/core command.ts does ------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v", "k: v", "k%3A v"),
        ("a,b", "a,b", "a%2Cb"),
        ("%0A", "%250A", "%250A"),  # already-escaped text is escaped again, not decoded
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping_matches_the_toolkit(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_workflow_command_drops_empty_properties() -> None:
    assert workflow_command("error", {}, "boom") == "::error::boom"
    assert (
        workflow_command("error", {"file": "", "line": 0, "title": "t"}, "x")
        == "::error title=t::x"
    )


def test_a_warning_with_its_hint() -> None:
    assert render_workflow_command(UNKNOWN_KEY) == (
        "::warning file=services.yaml,line=12,col=5,"
        "title=services.yaml%3A invalid_argument/unknown_key"
        "::unknown key `dependson` in spec.services[0]%0Ahint: did you mean `dependsOn`?"
    )


def test_an_error_without_a_hint() -> None:
    assert render_workflow_command(BAD_TEMPLATE) == (
        "::error file=deploy/services.yaml,line=3,col=14,"
        "title=deploy/services.yaml%3A invalid_argument/template_syntax"
        "::template error: unexpected EOF"
    )


def test_line_and_column_are_omitted_when_unknown() -> None:
    assert render_workflow_command(WHOLE_FILE) == (
        "::error file=services.yaml,title=services.yaml%3A invalid_argument/binary_file"
        "::the file is not UTF-8 text"
    )


def test_hostile_text_cannot_break_out_of_the_command() -> None:
    hostile = Diagnostic(
        code=Code.INVALID_ARGUMENT,
        reason="unknown_key",
        message="unknown key `x\n::error file=evil.py::pwned` (100% bad, a:b)",
        severity=Severity.WARNING,
        path="dir,with:odd%chars/services.yaml",
        line=1,
        column=1,
        hint="remove it\r\nnow",
    )
    line = render_workflow_command(hostile)
    assert "\n" not in line and "\r" not in line
    assert line == (
        "::warning file=dir%2Cwith%3Aodd%25chars/services.yaml,line=1,col=1,"
        "title=dir%2Cwith%3Aodd%25chars/services.yaml%3A invalid_argument/unknown_key"
        "::unknown key `x%0A::error file=evil.py::pwned` (100%25 bad, a:b)"
        "%0Ahint: remove it%0D%0Anow"
    )


def test_other_repositories_are_named_in_the_title_not_as_file() -> None:
    sibling = Diagnostic(
        code=Code.CONFLICT,
        reason="sibling_conflict",
        message="`services.api.image` differs",
        repository="orders",
        path="services.yaml",
        line=4,
        column=3,
        chain=("root", "orders"),
    )
    assert render_workflow_command(sibling) == (
        "::error title=orders%3Aservices.yaml%3A conflict/sibling_conflict"
        "::`services.api.image` differs%0Aimported via: root -> orders"
    )


def test_commands_for_a_run_one_per_line_in_report_order() -> None:
    run = _run(UNKNOWN_KEY, WHOLE_FILE, BAD_TEMPLATE)
    text = render_workflow_commands(run, extra=[BAD_TEMPLATE])
    lines = text.splitlines()
    assert len(lines) == 4 and text.endswith("\n")
    assert [line.split(" ", 1)[0] for line in lines] == [
        "::warning",
        "::error",
        "::error",
        "::error",
    ]
    assert render_workflow_commands(_run()) == ""


# --- Markdown summary --------------------------------------------------------------------------


def test_markdown_cell_escaping() -> None:
    assert escape_markdown_cell("a | b\nc") == "a \\| b<br>c"
    assert escape_markdown_cell("did you mean `a|b`?") == "did you mean `a\\|b`?"
    assert escape_markdown_cell("[click](https://evil)") == "\\[click\\](https://evil)"
    assert escape_markdown_cell("<img src=x> & *b* _i_") == (
        "&lt;img src=x&gt; &amp; \\*b\\* \\_i\\_"
    )
    assert escape_markdown_cell("odd ` tick") == "odd \\` tick"
    assert (
        escape_markdown_cell("x" * 600).endswith("…")
        and len(escape_markdown_cell("x" * 600)) == 500
    )


def test_summary_of_a_valid_run() -> None:
    run = ValidationRun((FileResult("services.yaml", "typed", ()),))
    assert render_step_summary(run) == (
        "## ✅ Manifold: valid\n"
        "\n"
        "Checked 1 file: **0 errors**, **0 warnings**.\n"
        "\n"
        "| File | Verdict | Dialect | Errors | Warnings |\n"
        "|---|---|---|---:|---:|\n"
        "| `services.yaml` | valid | typed | 0 | 0 |\n"
    )


def test_summary_of_an_invalid_run_with_composition() -> None:
    run = _run(UNKNOWN_KEY, BAD_TEMPLATE)
    summary = render_step_summary(run, "## Composition graph\n\n```mermaid\ngraph TD\n```\n")
    assert summary.startswith(
        "## ❌ Manifold: invalid\n\nChecked 2 files: **1 error**, **1 warning**."
    )
    assert "| `services.yaml` | valid | typed | 0 | 1 |" in summary
    assert "| `deploy/services.yaml` | **invalid** | typed | 1 | 0 |" in summary
    assert (
        "| ⚠️ warning | `services.yaml:12:5` | `invalid_argument/unknown_key` | "
        "unknown key `dependson` in spec.services\\[0\\] | did you mean `dependsOn`? |"
    ) in summary
    assert (
        "| ❌ error | `deploy/services.yaml:3:14` | `invalid_argument/template_syntax` | "
        "template error: unexpected EOF |  |"
    ) in summary
    assert summary.endswith(
        "### Composition\n\n## Composition graph\n\n```mermaid\ngraph TD\n```\n"
    )


def test_summary_counts_composition_problems_and_verdict() -> None:
    run = ValidationRun((FileResult("services.yaml", "typed", ()),))
    conflict = Diagnostic(
        code=Code.CONFLICT, reason="sibling_conflict", message="differs", repository="orders"
    )
    summary = render_step_summary(run, "graph", composition_ok=False, extra=[conflict])
    assert summary.startswith(
        "## ❌ Manifold: invalid\n\nChecked 1 file: **1 error**, **0 warnings**."
    )
    assert "| ❌ error | `orders` | `conflict/sibling_conflict` | differs |  |" in summary
    assert render_step_summary(run, "graph", composition_ok=False).startswith("## ❌")


def test_summary_table_is_bounded() -> None:
    many = [
        Diagnostic(
            code=Code.INVALID_ARGUMENT,
            reason="unknown_key",
            message=f"unknown key k{i}",
            severity=Severity.WARNING,
            path="services.yaml",
            line=i + 1,
            column=1,
        )
        for i in range(MAX_SUMMARY_ROWS + 5)
    ]
    summary = render_step_summary(_run(*many))
    assert summary.count("| ⚠️ warning |") == MAX_SUMMARY_ROWS
    assert f"Showing {MAX_SUMMARY_ROWS} of {MAX_SUMMARY_ROWS + 5} problems" in summary


# --- $GITHUB_OUTPUT records --------------------------------------------------------------------


def test_output_records_round_trip_through_the_runner_format() -> None:
    values = {"valid": "false", "errors": "2", "text": "line 1\nline 2\n\n%0A:,"}
    text = "".join(
        render_output_record(name, value, f"ghadelimiter_{i}")
        for i, (name, value) in enumerate(values.items())
    )
    assert text.startswith("valid<<ghadelimiter_0\nfalse\nghadelimiter_0\nerrors<<")
    assert parse_output_file(text) == values


@pytest.mark.parametrize(
    ("name", "value"), [("a", "x ghadelimiter_1 y"), ("a\nb", "v"), ("", "v"), ("a=b", "v")]
)
def test_output_records_refuse_what_would_break_them(name: str, value: str) -> None:
    with pytest.raises(ValueError):
        render_output_record(name, value, "ghadelimiter_1")

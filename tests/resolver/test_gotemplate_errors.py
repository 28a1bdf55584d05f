"""Malformed and failing templates: always a located `TemplateError`, never anything else."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from resolver.gotemplate import Limits, TemplateError, parse, render

DATA: dict[str, Any] = {"Env": "ai", "strs": ["a"], "Vars": {"A": "x"}, "n": None, "num": 5}

# (template, message fragment, line, column); columns are 1-based characters.
PARSE_ERRORS = [
    ("{{ .Env", "unclosed action", 1, 1),
    ("a\n  {{ if .x }}", "unclosed {{if}}: missing {{end}}", 2, 6),
    ("{{ if .x }}a{{ else }}b", "unclosed {{if}}", 1, 4),
    ("{{ range .x }}", "unclosed {{range}}", 1, 4),
    ("{{ end }}", "unexpected {{end}}", 1, 4),
    ("{{ if .Env }}\n\n   {{ end }}{{ end }}", "unexpected {{end}}", 3, 16),
    ("{{ else }}", "unexpected {{else}}", 1, 4),
    ("{{ if true }}{{ else }}{{ else }}{{ end }}", "found a second {{else}}", 1, 27),
    ("x {{ nosuch 1 }}", 'function "nosuch" not defined', 1, 6),
    ("{{ tolower .Env }}", 'did you mean "toLower"?', 1, 4),
    ('{{ envor "a" "b" }}', 'did you mean "envOr"?', 1, 4),
    ('{{ ternery true "a" "b" }}', 'did you mean "ternary"?', 1, 4),
    ('{{ .Env | "x" }}', "non executable command in pipeline stage 2", 1, 11),
    ('{{ 1 | printf "%d" | 2 }}', "non executable command in pipeline stage 3", 1, 22),
    ('{{ "abc }}', "unterminated quoted string", 1, 4),
    ("{{ `abc }}", "unterminated raw quoted string", 1, 4),
    ("{{ 'ab' }}", "malformed character constant", 1, 4),
    ("{{ 'a }}", "unterminated character constant", 1, 4),
    ('{{ "\\q" }}', "unknown escape sequence", 1, 4),
    ("{{ ( .Env }}", "unclosed left paren", 1, 11),
    ("{{ .Env ) }}", "unexpected right paren", 1, 9),
    ("{{ (1 }}", "unclosed left paren", 1, 7),
    ("{{ $x }}", 'undefined variable "$x"', 1, 4),
    ("{{ $undefiend := 1 }}{{ $undefined }}", 'did you mean "$undefiend"?', 1, 25),
    ("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}", 'undefined variable "$y"', 1, 39),
    ('{{ define "x" }}{{ end }}', "{{define}} is not supported", 1, 4),
    ('{{ template "x" }}', "{{template}} is not supported", 1, 4),
    ('{{ block "x" . }}{{ end }}', "{{block}} is not supported", 1, 4),
    ('{{ include "x" . }}', 'function "include" is not supported', 1, 4),
    ("{{ now }}", 'function "now" is not supported', 1, 4),
    ("{{ break }}", "{{break}} outside {{range}}", 1, 4),
    ("{{ continue }}", "{{continue}} outside {{range}}", 1, 4),
    ("{{ range .x }}{{ else }}{{ break }}{{ end }}", "{{break}} outside {{range}}", 1, 28),
    ("{{/* x", "unclosed comment", 1, 1),
    ("{{/* x */ .Env }}", "comment ends before closing delimiter", 1, 1),
    ("{{ 9999999999999999999999 }}", "overflows int", 1, 4),
    ("{{ 0x }}", "illegal number syntax", 1, 4),
    ("{{ 1i }}", "complex number 1i is not supported", 1, 4),
    ("{{ 1x }}", "bad number syntax", 1, 4),
    ("{{ @ }}", 'unexpected "@" in command', 1, 4),
    ("{{ .a@ }}", "bad character U+0040 '@'", 1, 6),
    ("{{ \x00 }}", "unrecognized character in action: U+0000", 1, 4),
    ("{{ if }}{{ end }}", "missing value for if", 1, 7),
    ("{{ range }}{{ end }}", "missing value for range", 1, 10),
    ("{{ with }}{{ end }}", "missing value for with", 1, 9),
    ("{{ }}", "missing value for command", 1, 4),
    ("{{- }}", "missing value for command", 1, 5),
    ("{{ $x := }}", "missing value for command", 1, 10),
    ("{{ := 1 }}", 'unexpected ":=" in command', 1, 4),
    ("{{ : }}", "expected :=", 1, 4),
    ("{{ $a, $b := .strs }}", "too many declarations in command", 1, 6),
    ("{{ range $a, $b, $c := .strs }}{{ end }}", "too many declarations in range", 1, 16),
    ("{{ with 1 }}{{ else if 1 }}{{ end }}", "{{else if}} cannot continue a {{with}}", 1, 21),
    ("{{ range .strs }}{{ else with 1 }}{{ end }}", "{{else with}} is not allowed", 1, 26),
    ('{{ "a".b }}', 'unexpected . after term "a"', 1, 4),
    ("{{ .Env -}} {{ ", "unclosed action", 1, 13),
]


@pytest.mark.parametrize(("text", "fragment", "line", "column"), PARSE_ERRORS)
def test_parse_errors_are_located(text: str, fragment: str, line: int, column: int) -> None:
    with pytest.raises(TemplateError) as info:
        parse(text)
    error = info.value
    assert fragment in error.message
    assert (error.line, error.column) == (line, column)
    assert str(error) == f"template:{line}:{column}: {error.message}"


EXEC_ERRORS = [
    ("{{ .Env 1 }}", "Env is not a method but has arguments", 1, 4),
    ('{{ "a" . }}', 'can\'t give argument to non-function "a"', 1, 8),
    ("{{ index .num 1 }}", "error calling index: can't index item of type int", 1, 4),
    ("{{ index .strs 5 }}", "error calling index: index out of range: 5", 1, 4),
    ('{{ index .strs "a" }}', "cannot index slice/array with type string", 1, 4),
    ("{{ index .Vars 1 }}", "value has type int; should be string", 1, 4),
    ("{{ index nil 1 }}", "index of untyped nil", 1, 4),
    ("{{ eq }}", "wrong number of args for eq: want at least 1 got 0", 1, 4),
    ("{{ eq 1 }}", "missing argument for comparison", 1, 4),
    ("{{ ne 1 }}", "wrong number of args for ne: want 2 got 1", 1, 4),
    ("{{ not }}", "wrong number of args for not: want 1 got 0", 1, 4),
    ("{{ printf }}", "wrong number of args for printf: want at least 1 got 0", 1, 4),
    ('{{ envOr "X" }}', "wrong number of args for envOr: want 2 got 1", 1, 4),
    ('{{ ternary true "a" }}', "wrong number of args for ternary: want 3 got 2", 1, 4),
    ('{{ "x" | toLower "y" }}', "wrong number of args for toLower: want 1 got 2", 1, 10),
    ('{{ ternary 1 "a" "b" }}', "expected bool; got int (argument 1 of ternary)", 1, 12),
    ('{{ ternary "true" "a" "b" }}', "expected bool; got string", 1, 12),
    ('{{ envOr 1 "x" }}', "expected string; got int (argument 1 of envOr)", 1, 10),
    ("{{ toLower nil }}", "cannot assign nil to string", 1, 12),
    ("{{ toLower .Missing }}", "invalid value; expected string", 1, 12),
    ('{{ indent "4" "a" }}', "expected int; got string", 1, 11),
    ("{{ nil }}", "nil is not a command", 1, 4),
    ("{{ .n.x }}", "nil pointer evaluating interface {}.x", 1, 4),
    ("{{ .Env.x }}", "can't evaluate field x in type string", 1, 4),
    ("line1\nline2 {{ .Env.Foo }}", "can't evaluate field Foo in type string", 2, 10),
    ("{{ print (.Env.Foo) }}", "can't evaluate field Foo in type string", 1, 11),
    ("{{ len 3 }}", "error calling len: len of type int", 1, 4),
    ("{{ len .Missing }}", "error calling len: len of nil", 1, 4),
    ('{{ lt 1 "a" }}', "incompatible types for comparison", 1, 4),
    ("{{ lt 1 2.0 }}", "incompatible types for comparison", 1, 4),
    ("{{ lt true false }}", "invalid type for comparison", 1, 4),
    ('{{ eq 1 "a" }}', "error calling eq: incompatible types for comparison", 1, 4),
    ("{{ eq .strs .strs }}", "non-comparable type", 1, 4),
    ("{{ range .Env }}{{ end }}", "range can't iterate over string", 1, 4),
    (
        "{{ range $i, $v := 3 }}{{ end }}",
        "can't use 3 to iterate over more than one variable",
        1,
        4,
    ),
    ("{{ $x = 1 }}", "undefined variable: $x", 1, 4),
    ("{{ (nil).x }}", "nil is not a command", 1, 5),
    ('{{ indent -1 "a" }}', "error calling indent: strings: negative Repeat count", 1, 4),
    ("{{ slice .strs 2 1 }}", "error calling slice", 1, 4),
    ("{{ join .strs 1 }}", "expected string; got int", 1, 15),
    ("{{ if true }}\n  {{ index .num 1 }}\n{{ end }}", "can't index item of type int", 2, 6),
]


@pytest.mark.parametrize(("text", "fragment", "line", "column"), EXEC_ERRORS)
def test_execution_errors_carry_the_failing_position(
    text: str, fragment: str, line: int, column: int
) -> None:
    template = parse(text)  # parses fine: these fail only when executed, as in Go
    with pytest.raises(TemplateError) as info:
        template.execute(DATA)
    error = info.value
    assert fragment in error.message
    assert (error.line, error.column) == (line, column)


def test_untaken_branches_do_not_fail() -> None:
    assert render("{{ if false }}{{ index .num 1 }}{{ end }}ok", DATA) == "ok"


def test_template_name_appears_in_errors() -> None:
    with pytest.raises(TemplateError) as info:
        parse("{{ nosuch }}", "deploy/app.yaml.tpl")
    assert str(info.value).startswith("deploy/app.yaml.tpl:1:4: ")
    assert info.value.name == "deploy/app.yaml.tpl"
    assert info.value.offset == 3


def test_template_error_survives_pickling() -> None:
    with pytest.raises(TemplateError) as info:
        parse("x\n{{ .a ) }}")
    clone = pickle.loads(pickle.dumps(info.value))
    assert (clone.message, clone.line, clone.column, clone.offset) == (
        info.value.message,
        info.value.line,
        info.value.column,
        info.value.offset,
    )


def test_bad_options_are_template_errors() -> None:
    with pytest.raises(TemplateError, match="unknown dialect"):
        parse("x", dialect="helm")  # type: ignore[arg-type]
    with pytest.raises(TemplateError, match="unknown missing_key"):
        parse("x", missing_key="invalid")  # type: ignore[arg-type]
    with pytest.raises(TemplateError, match="must be a string"):
        parse(b"x")  # type: ignore[arg-type]


# -- resource limits ----------------------------------------------------------------------


def test_deep_nesting_is_rejected_not_a_recursion_error() -> None:
    with pytest.raises(TemplateError, match="nesting is deeper than 100 levels"):
        parse("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}")
    with pytest.raises(TemplateError, match="nesting is deeper than 100 levels"):
        parse("{{ if true }}" * 5000 + "{{ end }}" * 5000)


def test_nesting_at_the_limit_works() -> None:
    depth = 99
    assert render("{{ " + "(print " * depth + "1" + ")" * depth + " }}", {}) == "1"
    assert render("{{ if true }}" * depth + "x" + "{{ end }}" * depth, {}) == "x"
    assert render("{{ range 1 }}" * depth + "x" + "{{ end }}" * depth, {}) == "x"


def test_long_else_if_chains_are_not_nesting() -> None:
    text = "{{ if false }}" + "{{ else if false }}" * 3_000 + "{{ else }}done{{ end }}"
    assert render(text, {}) == "done"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{{ range 100000000 }}{{ end }}", "range iterations exceeded the 100000 limit"),
        ("{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}", "range iterations exceeded"),
        ("{{ range 100000 }}xxxxxxxxxxxxxxxxxxxx{{ end }}", "output exceeds the 1048576"),
        (
            '{{ $x := "ab" }}{{ range 64 }}{{ $x = printf "%s%s" $x $x }}{{ end }}',
            "printf result is too large",
        ),
        ('{{ $x := "ab" }}{{ range 64 }}{{ $x = print $x $x }}{{ end }}', "too large"),
        ('{{ indent 100000000 "a" }}', "over the 1048576 limit"),
    ],
)
def test_execution_is_bounded(text: str, fragment: str) -> None:
    with pytest.raises(TemplateError, match=fragment):
        render(text, {})


def test_custom_limits() -> None:
    limits = Limits(max_output=5, max_range_iterations=3, max_steps=50)
    with pytest.raises(TemplateError, match="output exceeds the 5-character limit"):
        parse("123456", limits=limits).execute({})
    with pytest.raises(TemplateError, match="range iterations exceeded the 3 limit"):
        parse("{{ range 4 }}{{ end }}", limits=limits).execute({})
    with pytest.raises(TemplateError, match="exceeded 50 evaluation steps"):
        parse("{{ range 3 }}" + "{{ $x := 1 }}" * 30 + "{{ end }}", limits=limits).execute({})
    with pytest.raises(TemplateError, match="over the 10 limit"):
        parse("x" * 11, limits=Limits(max_template_size=10))
    assert parse("{{ range 4 }}{{ end }}").execute({}, limits=Limits()) == ""


def test_self_referencing_and_exploding_data_cannot_hang_printing() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TemplateError, match="nested deeper"):
        render("{{ . }}", {"l": loop})
    with pytest.raises(TemplateError, match="nested deeper"):
        render("{{ print .l }}", {"l": loop})
    with pytest.raises(TemplateError, match="nested deeper"):
        render('{{ printf "%v" .l }}', {"l": loop})
    laughs: Any = "lol"
    for _ in range(12):
        laughs = [laughs] * 10
    with pytest.raises(TemplateError, match="too large"):
        render("{{ .x }}", {"x": laughs})
    with pytest.raises(TemplateError, match="too large"):
        render('{{ printf "%s" .x }}', {"x": laughs})

"""Hostile input: arbitrary text never raises anything but `TemplateError`, and terminates."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver.gotemplate import Limits, TemplateError, parse, render_when

DATA: dict[str, Any] = {
    "a": "x",
    "b": [1, "two", None, 2.5, True],
    "c": {"d": "e", "n": None},
    "n": None,
    "z": 0,
}
ENV = {"X": "1"}
SMALL = Limits(max_output=10_000, max_range_iterations=500, max_steps=20_000, max_depth=40)

# Pieces that make the lexer and parser take every branch, glued in random order.
PIECES = [
    "{{",
    "}}",
    "{{-",
    "-}}",
    "{{- ",
    " -}}",
    " ",
    "\n",
    "\t",
    ".",
    "a",
    "b",
    "c",
    "d",
    "n",
    "$",
    "$x",
    "$i",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ",",
    '"',
    "`",
    "'",
    "\\",
    "/*",
    "*/",
    "-",
    "+",
    "1",
    "0x",
    "1e3",
    "2.5",
    "'a'",
    "if",
    "else",
    "end",
    "range",
    "with",
    "break",
    "continue",
    "define",
    "nil",
    "true",
    "false",
    "print",
    "printf",
    '"%d %s %v"',
    "len",
    "index",
    "slice",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "default",
    "envOr",
    "ternary",
    "join",
    "trimPrefix",
    "toLower",
    "indent",
    "html",
    "js",
    "urlquery",
    "é",
    "\x00",
    "#",
    "@",
    "{",
    "}",
]


def _check(text: str) -> None:
    try:
        template = parse(text, limits=SMALL)
    except TemplateError as error:
        assert not error.message.startswith("internal error"), error.message
        assert error.line >= 1 and error.column >= 1
        assert 0 <= error.offset <= len(text)
        return
    try:
        out = template.execute(DATA, ENV)
    except TemplateError as error:
        assert not error.message.startswith("internal error"), error.message
        assert 0 <= error.offset <= len(text)
        return
    assert isinstance(out, str)
    assert len(out) <= SMALL.max_output


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_token_soup_only_raises_template_error(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_only_raises_template_error(text: str) -> None:
    _check(text)
    _check("{{" + text + "}}")
    _check("{{ " + text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "{{ if .a }}",
                "{{ else }}",
                "{{ end }}",
                "{{ range .b }}",
                "{{ range 3 }}",
                "{{ with .c }}",
                "{{ break }}",
                "{{ continue }}",
                "{{ $x := . }}",
                "{{ $x = 1 }}",
                "{{ . }}",
                "{{ .d }}",
                "{{ $x }}",
                "text",
                "{{- /* c */ -}}",
                "{{ else if .z }}",
                '{{ printf "%v" $ }}',
                "{{ index .b 9 }}",
                "{{ (.c).n.q }}",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_random_control_structures_only_raise_template_error(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_render_when_only_raises_template_error(text: str) -> None:
    try:
        result = render_when(text, DATA, ENV)
    except TemplateError:
        return
    assert isinstance(result, bool)

"""The Go-template evaluator: public surface, upstream idioms and Go semantics.

Expected outputs in the tables below were checked against Go's own `text/template`
(with upstream's function map) when they were written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import resolver.gotemplate as gotemplate
from resolver.gotemplate import (
    Limits,
    Template,
    TemplateError,
    contains_template,
    parse,
    parse_bool,
    render,
    render_when,
)

DATA: dict[str, Any] = {
    "Env": "ai",
    "Project": "proj",
    "Namespace": "proj-dev-3",
    "Slot": 3,
    "Vars": {"A": "x", "EMPTY": "", "SP": "  "},
    "Versions": {"kubectl": "v1.32.2", "alpine-git": "2.45"},
    "list": [1, "two", None, 3.5, True, {"k": "v"}, ["n"]],
    "strs": ["a", "b", "c"],
    "nums": [3, 1, 2],
    "empty": [],
    "emptymap": {},
    "mixed": {"b": 1, "a": "s", "c": None},
    "nested": {"a": {"b": {"c": "deep"}}},
    "nil": None,
    "f": 2.0,
    "big": 1234567.0,
    "small": 0.00001,
    "t": True,
    "fl": False,
    "zero": 0,
    "neg": -5,
    "s": "héllo wörld",
}
ENV = {
    "X": "1",
    "BLANK": " ",
    "E": "",
    "KODEX_ENV": "AI",
    "KODEX_INTERNAL_REGISTRY_HOST": "reg:5000",
}


def run(text: str, data: Any = None, env: dict[str, str] | None = None, **kw: Any) -> str:
    return parse(text, **kw).execute(DATA if data is None else data, ENV if env is None else env)


def test_public_surface_is_pinned() -> None:
    assert sorted(gotemplate.__all__) == sorted(
        [
            "DEFAULT_LIMITS",
            "Dialect",
            "Limits",
            "MissingKey",
            "Template",
            "TemplateError",
            "contains_template",
            "parse",
            "parse_bool",
            "render",
            "render_when",
        ]
    )
    for name in gotemplate.__all__:
        assert hasattr(gotemplate, name)


# -- upstream idioms ---------------------------------------------------------------------

UPSTREAM_IDIOMS = [
    ('{{ ternary (eq .Env "ai") "build" "skip" }}', "build"),
    ('{{ ternary (eq .Env "ai") "hot-reload" "restart" }}', "hot-reload"),
    (
        '{{ envOr "KODEX_INTERNAL_REGISTRY_HOST" "127.0.0.1:5000" }}'
        '/x:{{ index .Versions "alpine-git" }}',
        "reg:5000/x:2.45",
    ),
    ('{{ envOr "NOT_SET" "127.0.0.1:5000" }}', "127.0.0.1:5000"),
    ('{{ trimPrefix "v" (index .Versions "kubectl") }}', "1.32.2"),
    ('{{ and (ne .Env "ai") (eq (envOr "X" "true") "true") }}', "false"),
    ('{{ eq (envOr "KODEX_OAUTH2_PROXY_ENABLED" "true") "true" }}', "true"),
    ("{{ .Project }}-dev-{{ .Slot }}", "proj-dev-3"),
    ('{{ toLower (envOr "KODEX_ENV" "") }}', "ai"),
    ('{{ default .Vars.EMPTY "fallback" }}', "fallback"),
    # Go rejects a []interface{} here; Python lists of strings are accepted as []string.
    ('{{ join .strs ", " }}', "a, b, c"),
]


@pytest.mark.parametrize(("text", "expected"), UPSTREAM_IDIOMS)
def test_upstream_idioms(text: str, expected: str) -> None:
    assert run(text) == expected


def test_render_is_parse_then_execute() -> None:
    assert render("{{ .Env }}", {"Env": "prod"}) == "prod"
    assert render('{{ envOr "K" "d" }}', {}, {"K": "v"}) == "v"


def test_env_none_means_empty_environment() -> None:
    assert parse('{{ envOr "HOME" "none" }}').execute({}) == "none"


# -- text, actions, literals, printing ----------------------------------------------------

PRINTING = [
    ("plain text", "plain text"),
    ("{{ .Env }}", "ai"),
    ("{{ .Missing }}", "<no value>"),
    ("{{ .Missing.Deeper }}", "<no value>"),
    ("{{ .nil }}", "<no value>"),
    ("{{ .Vars.A }}|{{ .Vars.NOPE }}", "x|<no value>"),
    ('{{ index .Vars "NOPE" }}|{{ index .mixed "nope" }}', "|<no value>"),
    ("{{ .list }}", "[1 two <nil> 3.5 true map[k:v] [n]]"),
    ("{{ .mixed }}", "map[a:s b:1 c:<nil>]"),
    (
        "{{ .f }} {{ .big }} {{ .small }} {{ .neg }} {{ .zero }} {{ .t }} {{ .fl }}",
        "2 1.234567e+06 1e-05 -5 0 true false",
    ),
    (
        "{{ 1.0 }} {{ 1e6 }} {{ 1e21 }} {{ 0.1 }} {{ 0x1F }} {{ 017 }} {{ 0b11 }} {{ 1_000 }}",
        "1 1e+06 1e+21 0.1 31 15 3 1000",
    ),
    (
        "{{ 'a' }} {{ '\\n' }} {{ 3.0e-5 }} {{ 100000.0 }} {{ 123456789.0 }}",
        "97 10 3e-05 100000 1.23456789e+08",
    ),
    ('{{ "a\\tb\\u00e9" }}|{{ `raw\\n` }}', "a\tbé|raw\\n"),
    ("{{ true }} {{ false }}", "true false"),
    ("{{ print nil }}", "<nil>"),
    ('{{ printf "%v|%s|%d" nil nil nil }}', "<nil>|%!s(<nil>)|%!d(<nil>)"),
    ('{{ printf "%v" .Missing }}|{{ print .Missing }}', "<nil>|<nil>"),
    ('{{ println 1 "a" 2 }}', "1 a 2\n"),
    ('{{ print 1 2 "x" 3 "y" "z" 4.5 true }}', "1 2x3yz4.5 true"),
    ("{{ . }}", None),  # a whole map: checked separately
]


@pytest.mark.parametrize(("text", "expected"), [p for p in PRINTING if p[1] is not None])
def test_printing_matches_go(text: str, expected: str) -> None:
    assert run(text) == expected


def test_printing_dot_prints_a_sorted_map() -> None:
    assert run("{{ . }}", {"b": [1, None], "a": {"y": True, "x": 1.5}}) == (
        "map[a:map[x:1.5 y:true] b:[1 <nil>]]"
    )


def test_struct_data_behaves_like_a_go_struct() -> None:
    @dataclass
    class Context:
        Env: str
        Vars: dict[str, str]

    ctx = Context(Env="ai", Vars={"A": "x"})
    assert (
        run("{{ .Env }} {{ .Vars.A }} {{ .Vars.B }} {{ . }}", ctx)
        == "ai x <no value> {ai map[A:x]}"
    )
    with pytest.raises(TemplateError, match="can't evaluate field Nope in type Context"):
        run("{{ .Nope }}", ctx)


def test_python_methods_are_never_reachable() -> None:
    with pytest.raises(TemplateError, match="can't evaluate field upper in type string"):
        run("{{ .Env.upper }}")
    assert run("{{ .keys }}", {"a": 1}) == "<no value>"


# -- whitespace trimming and comments -----------------------------------------------------

TRIMMING = [
    ("a  {{- 1 -}}  b", "a1b"),
    ("a {{- 1}}  b {{2 -}} c", "a1  b 2c"),
    ("a {{-1}} b", "a -1 b"),  # no space after '-': a negative number, not a trim marker
    ("a {{ -1 }} b", "a -1 b"),
    ("a {{- -1 -}} b", "a-1b"),
    ('x{{ "y" -}}\n  \n z', "xyz"),
    ("  \n{{- if true -}}\n  a  \n{{- end -}}\n  ", "a"),
    ("line1\n{{- /* a comment */ -}}\nline2", "line1line2"),
    ("x{{/* */}}y", "xy"),
    ("x{{- /* */}}  y", "x  y"),
    ("a{{/* multi\nline */}}b", "ab"),
    ("a\t\r\n{{- 1 }}", "a1"),
]


@pytest.mark.parametrize(("text", "expected"), TRIMMING)
def test_trimming_and_comments_match_go(text: str, expected: str) -> None:
    assert run(text) == expected


def test_flat_dialect_preamble_in_yaml_comments() -> None:
    text = (
        '# {{- $mount := envOr "MOUNT" "/workspace" -}}\n'
        '# {{- $base := envOr "BASE" (printf "%s/codex/envs" $mount) -}}\n'
        '# {{- $rel := trimPrefix $base (printf "%s/" $mount) -}}\n'
        "\n"
        "root: {{ $rel }}\n"
    )
    # As in Go, each "# " is trimmed away by the next "{{-" and each newline by "-}}", so
    # the first real line ends up glued to the "#"s (upstream's flat file relies on
    # reading `project` from the raw YAML for this reason).
    assert render(text, {}, dialect="codexctl") == "###root: codex/envs\n"


# -- variables and scoping ----------------------------------------------------------------

SCOPING = [
    ("{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}", "12"),
    ("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", "21"),
    ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"),
    ("{{ $x := 1 }}{{ range .strs }}{{ $x = . }}{{ end }}{{ $x }}", "c"),
    ("{{ if $x := .Env }}{{ $x }}{{ else }}{{ $x }}{{ end }}", "ai"),
    ("{{ if false }}{{ else if $y := .Slot }}{{ $y }}{{ end }}", "3"),
    ("{{ $ }}", None),
    ("{{ $.Env }}|{{ range .strs }}{{ $.Env }}{{ end }}", "ai|aiaiai"),
    ("{{ with $v := .Vars }}{{ $v.A }}{{ .A }}{{ end }}", "xx"),
    ("{{ $x := .Missing }}{{ $x }}{{ $x.y }}", "<no value><no value>"),
    ("{{ $x := print 1 2 }}{{ $x }}", "1 2"),
    ("{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = .nums }}{{ end }}{{ $i }}{{ $v }}", "22"),
]


@pytest.mark.parametrize(("text", "expected"), [s for s in SCOPING if s[1] is not None])
def test_variables_and_scoping(text: str, expected: str) -> None:
    assert run(text) == expected


def test_declarations_print_nothing() -> None:
    assert run("a{{ $x := 5 }}b{{ $x = 6 }}c") == "abc"


def test_variable_declared_in_a_block_is_gone_after_end() -> None:
    with pytest.raises(TemplateError, match='undefined variable "\\$y"') as info:
        parse("{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}")
    assert (info.value.line, info.value.column) == (1, 39)


# -- if / with / range --------------------------------------------------------------------

CONTROL = [
    ("{{ if .list }}yes{{ end }}{{ if .empty }}no{{ else }}empty{{ end }}", "yesempty"),
    ("{{ if .emptymap }}a{{ else if .zero }}b{{ else if .f }}c{{ else }}d{{ end }}", "c"),
    ("{{ if .Missing }}a{{ else }}b{{ end }}", "b"),
    ("{{ if .nil }}a{{ else }}b{{ end }}", "b"),
    ("{{ if eq .Slot 3 }}three{{ else if eq .Slot 4 }}four{{ else }}other{{ end }}", "three"),
    ("{{ with .nested.a }}{{ .b.c }}{{ end }}", "deep"),
    ("{{ with .Missing }}x{{ else }}none{{ end }}", "none"),
    ("{{ with .zero }}x{{ else with .Env }}{{ . }}{{ else }}none{{ end }}", "ai"),  # Go 1.23+
    ("{{ range .strs }}[{{ . }}]{{ end }}", "[a][b][c]"),
    ("{{ range $i, $v := .strs }}{{ $i }}={{ $v }};{{ end }}", "0=a;1=b;2=c;"),
    ("{{ range $v := .strs }}{{ $v }}{{ end }}", "abc"),
    ("{{ range $k, $v := .mixed }}{{ $k }}={{ $v }};{{ end }}", "a=s;b=1;c=<no value>;"),
    ("{{ range .mixed }}{{ . }},{{ end }}", "s,1,<no value>,"),
    ("{{ range .empty }}x{{ else }}empty{{ end }}", "empty"),
    ("{{ range .Missing }}x{{ else }}missing{{ end }}", "missing"),
    ("{{ range .nil }}x{{ else }}nil{{ end }}", "nil"),
    ('{{ range .strs }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', "a"),
    ('{{ range .strs }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', "ac"),
    ("{{ range $i, $e := .nums }}{{ if gt $e 1 }}{{ $i }}{{ end }}{{ end }}", "02"),
    ("{{ range 3 }}{{ . }}{{ end }}", "012"),  # Go 1.22+: range over an int
    ("{{ range 0 }}x{{ else }}none{{ end }}", "none"),
    ("{{ range .strs }}{{ range .}}{{ end }}{{ end }}", None),
]


@pytest.mark.parametrize(("text", "expected"), [c for c in CONTROL if c[1] is not None])
def test_control_structures(text: str, expected: str) -> None:
    assert run(text) == expected


def test_range_over_a_string_is_an_error() -> None:
    with pytest.raises(TemplateError, match="range can't iterate over string"):
        run("{{ range .Env }}x{{ end }}")


# -- built-in functions -------------------------------------------------------------------

BUILTINS = [
    (
        '{{ eq 1 1 }} {{ eq 1 2 }} {{ eq "a" "a" }} {{ eq .Env "x" "y" "ai" }}',
        "true false true true",
    ),
    (
        '{{ eq .Missing "a" }} {{ eq .nil "a" }} {{ eq .Missing nil }} {{ eq nil nil }}',
        "false false true true",
    ),
    ("{{ eq .t true }} {{ ne .t true }} {{ ne 1 2 }}", "true false true"),
    (
        '{{ lt 1 2 }} {{ le 2 2 }} {{ gt 1 2 }} {{ ge 2 1 }} {{ lt "a" "b" }} {{ lt 1.5 2.5 }}',
        "true true false true true true",
    ),
    ('{{ and 1 2 }} {{ and 0 2 }} {{ and "" "x" }} {{ or 0 "" }} {{ or 0 "x" }}', "2 0   x"),
    ('{{ or .Missing "fb" }} {{ and .Missing "x" }} {{ and 1 }} {{ or 0 }}', "fb <no value> 1 0"),
    (
        "{{ not 0 }} {{ not 1 }} {{ not .list }} {{ not .empty }} {{ not .Missing }}",
        "true false false true true",
    ),
    ("{{ and 0 (index .nil 1) }} {{ or 1 (index .nil 1) }}", "0 1"),  # short-circuit
    ('{{ len .list }} {{ len .s }} {{ len .Vars }} {{ len "" }}', "7 13 3 0"),
    (
        "{{ index .list 1 }}|{{ index .list 2 }}|{{ index .list 6 0 }}|{{ index .s 1 }}",
        "two|<no value>|n|195",
    ),
    ('{{ slice .strs 1 }} {{ slice .strs 1 2 }} {{ slice "abcdef" 2 4 }}', "[b c] [b] cd"),
    ('{{ html "<a href=\'x\'>&\\"" }}', "&lt;a href=&#39;x&#39;&gt;&amp;&#34;"),
    ('{{ js "a\'b\\"c<d>&e=f\\\\g\\n" }}', "a\\'b\\\"c\\u003Cd\\u003E\\u0026e\\u003Df\\\\g\\u000A"),
    ('{{ urlquery "a b&c=d/é" }}', "a+b%26c%3Dd%2F%C3%A9"),
    ("{{ html .Missing }}", "&lt;no value&gt;"),
    ('{{ .Env | printf "%s!" }} {{ "x" | printf "%s-%s" "a" }} {{ .Env | len }}', "ai! a-x 2"),
    ('{{ (len .strs) }} {{ (.nested.a).b.c }} {{ (index .nested "a").b }}', "3 deep map[c:deep]"),
    ("{{ .Env | }}", "ai"),  # Go accepts a trailing pipe
]


@pytest.mark.parametrize(("text", "expected"), BUILTINS)
def test_builtins_match_go(text: str, expected: str) -> None:
    assert run(text) == expected


# -- upstream functions and dialects ------------------------------------------------------

FUNCTIONS = [
    (
        '{{ default .Missing "fb" }}|{{ default "" "fb" }}|{{ default "  " "fb" }}|'
        '{{ default "v" "fb" }}|{{ default 0 5 }}|{{ default .empty "e" }}|'
        '{{ default false "no" }}|{{ default .nil "n" }}',
        "fb|fb|fb|v|5|e|no|n",
    ),
    # The piped value becomes the last argument, i.e. the fallback: "fb" is the value here.
    ('{{ .Vars.NOPE | default "fb" }}', "fb"),
    ('{{ "" | default "fb" }}|{{ "v" | default .Vars.NOPE }}', "fb|v"),
    (
        '{{ envOr "X" "d" }}|{{ envOr "NOPE" "d" }}|{{ envOr "BLANK" "d" }}|'
        '{{ envOr "E" "d" }}|{{ envOr " X " "d" }}|{{ envOr "" "d" }}',
        "1|d|d|d|1|d",
    ),
    ("{{ ternary true 1 2 }} {{ ternary false .list .nil }}", "1 <no value>"),
    ('{{ toLower "ABC" }} {{ trimPrefix "x" "abc" }} {{ trimPrefix "a" "abc" }}', "abc abc bc"),
    (
        '{{ slug " My_Project Name " }} {{ truncSHA "0123456789abcdef" }} {{ truncSHA "abc" }}',
        "my-project-name 0123456789ab abc",
    ),
    ('{{ indent 4 "a\\nb\\n" }}|{{ indent 2 "" }}', "    a\n    b|"),
]


@pytest.mark.parametrize(("text", "expected"), FUNCTIONS)
def test_upstream_functions(text: str, expected: str) -> None:
    assert run(text) == expected


def test_trim_prefix_argument_order_depends_on_dialect() -> None:
    text = '{{ trimPrefix "v1.2" "v" }}|{{ trimPrefix "v" "v1.2" }}'
    assert render(text, {}) == "v|1.2"  # kodex: prefix first
    assert render(text, {}, dialect="codexctl") == "1.2|v"  # codexctl: strings.TrimPrefix


def test_env_or_only_reads_the_given_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANIFOLD_TEST_ONLY_IN_OS", "from-os")
    assert render('{{ envOr "MANIFOLD_TEST_ONLY_IN_OS" "d" }}', {}) == "d"


def test_join_rejects_non_strings() -> None:
    with pytest.raises(TemplateError, match=r"expected \[\]string; got \[\]interface \{\}"):
        run('{{ join .list "," }}')


# -- missingkey ---------------------------------------------------------------------------


def test_missing_key_options() -> None:
    data = {"s": {"a": "x"}, "m": {"a": 1, "b": "y"}}
    assert parse("{{ .s.z }}|{{ .m.z }}").execute(data) == "<no value>|<no value>"
    assert parse("{{ .s.z }}|{{ .m.z }}", missing_key="zero").execute(data) == "|<no value>"
    with pytest.raises(TemplateError, match='map has no entry for key "z"') as info:
        parse("ab{{ .s.z }}", missing_key="error").execute(data)
    assert (info.value.line, info.value.column) == (1, 6)


def test_index_of_missing_key_is_the_element_zero_value() -> None:
    # Go's index yields the zero value of the map's element type: "" for map[string]string.
    assert run('[{{ index .Versions "nope" }}]') == "[]"
    assert run('[{{ index .mixed "nope" }}]') == "[<no value>]"


# -- when / bool / contains ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["0", "f", "F", "FALSE", "false", "False"])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["", "yes", "tRuE", " true", "2", "on"])
def test_parse_bool_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid syntax"):
        parse_bool(text)


WHEN = [
    ("", True),
    ("   ", True),
    ('{{ and (ne .Env "ai") true }}', False),
    ('{{ ternary (eq .Env "ai") "false" "true" }}', False),
    ('{{ ternary (eq .Env "ai") "true" "false" }}', True),
    ("  true\n", True),
    ("TRUE", True),
    ("tRuE", True),  # upstream lower-cases before ParseBool
    ("0", False),
    ('{{ if eq .Env "ai" }}{{ end }}', True),  # renders empty: true
]


@pytest.mark.parametrize(("expr", "expected"), WHEN)
def test_render_when(expr: str, expected: bool) -> None:
    assert render_when(expr, DATA, ENV) is expected


def test_render_when_rejects_non_bool_and_says_what_it_got() -> None:
    with pytest.raises(TemplateError, match="got 'ai'"):
        render_when("{{ .Env }}", DATA)


def test_contains_template() -> None:
    assert contains_template("a{{ .x }}")
    assert contains_template("{{")
    assert not contains_template("plain } { text")


# -- caching ------------------------------------------------------------------------------


def test_parse_is_cached_and_templates_are_reusable() -> None:
    first = parse("{{ .Env }}-{{ .Slot }}")
    assert parse("{{ .Env }}-{{ .Slot }}") is first
    assert isinstance(first, Template)
    assert first.execute({"Env": "a", "Slot": 1}) == "a-1"
    assert first.execute({"Env": "b", "Slot": 2}) == "b-2"
    assert parse("{{ .Env }}", limits=Limits(max_output=10)) is not parse("{{ .Env }}")


def test_large_templates_are_not_pinned_in_the_cache() -> None:
    big = "x" * 100_000 + "{{ .Env }}"
    assert parse(big) is not parse(big)
    assert parse(big).execute({"Env": "e"}).endswith("xe")


def test_execute_does_not_mutate_data() -> None:
    data = {"strs": ["a"], "m": {"k": "v"}}
    snapshot = repr(data)
    run("{{ $x := .strs }}{{ range .m }}{{ $x = . }}{{ end }}{{ $x }}", data)
    assert repr(data) == snapshot

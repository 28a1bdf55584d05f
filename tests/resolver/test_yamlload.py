"""The YAML loader: values and positions as yaml.v3 reads them, and hostile input diagnosed."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from resolver.yamlload import Limits, parse_yaml, resolve_plain_scalar


def reasons(parsed):
    return [d.reason for d in parsed.diagnostics]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("-3", -3),
        ("0x1f", 31),
        ("0o17", 15),
        ("0755", 0o755),  # Go's ParseInt base 0
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("", None),
        # yaml.v3 reading into `any`: YAML 1.1 booleans and timestamps stay strings
        ("yes", "yes"),
        ("on", "on"),
        ("2024-01-02", "2024-01-02"),
        ("1.2.3", "1.2.3"),
        (".", "."),
    ],
)
def test_plain_scalars_resolve_like_yaml_v3(raw, expected):
    assert resolve_plain_scalar(raw) == expected
    assert type(resolve_plain_scalar(raw)) is type(expected)


def test_values_and_positions():
    text = b"a:\n  b: 1\n  c: [x, 'y']\nd: \"{{ .Env }}\"\n"
    parsed = parse_yaml(text, "f.yaml")
    assert parsed.ok
    assert parsed.value == {"a": {"b": 1, "c": ["x", "y"]}, "d": "{{ .Env }}"}
    assert parsed.positions["/a/b"] == (2, 6)
    assert parsed.key_positions["/a/b"] == (2, 3)
    assert parsed.positions["/a/c/1"] == (3, 10)  # the opening quote
    assert parsed.positions["/d"] == (4, 4)
    # an unknown pointer falls back to its nearest known ancestor
    assert parsed.position("/a/c/1/zzz") == (3, 10)


def test_pointer_tokens_are_escaped():
    parsed = parse_yaml(b"a/b:\n  c~d: 1\n", "f.yaml")
    assert parsed.positions["/a~1b/c~0d"] == (2, 8)


def test_quoted_scalars_stay_strings():
    parsed = parse_yaml(b"a: '1'\nb: \"true\"\nc: !!str 3\nd: !!int '4'\n", "f.yaml")
    assert parsed.value == {"a": "1", "b": "true", "c": "3", "d": 4}


def test_merge_keys_fill_missing_keys_only():
    parsed = parse_yaml(b"base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert parsed.value["d"] == {"x": 1, "y": 3}


def test_alias_copies_are_independent():
    parsed = parse_yaml(b"a: &x [1]\nb: *x\n", "f.yaml")
    parsed.value["a"].append(2)
    assert parsed.value["b"] == [1]


def test_multiple_documents_deep_merge_in_order():
    parsed = parse_yaml(b"a: {x: 1, y: 1}\n---\na: {y: 2}\n", "f.yaml")
    assert parsed.value == {"a": {"x": 1, "y": 2}}


def test_duplicate_keys_are_reported_at_the_second_key():
    parsed = parse_yaml(b"a: 1\nb: 2\na: 3\n", "d.yaml")
    (diag,) = parsed.diagnostics
    assert (diag.reason, diag.line, diag.column, diag.pointer) == ("duplicate_key", 3, 1, "/a")
    assert "line 1" in diag.hint


def test_billion_laughs_is_rejected_fast():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        refs = ",".join([f"*{prev}"] * 9)
        levels.append(f"{name}: &{name} [{refs}]")
    started = time.perf_counter()
    parsed = parse_yaml("\n".join(levels).encode(), "bomb.yaml")
    elapsed = time.perf_counter() - started
    assert reasons(parsed) == ["document_too_large"]
    assert parsed.value is None
    assert elapsed < 5  # generous: the point is "no expansion", measured in bench/


@pytest.mark.parametrize(
    "text",
    [
        b"a: " + b"[" * 100 + b"]" * 100,
        b"- " * 200_000 + b"x",
        b"a: " + b"[" * 100_000,  # libyaml's own flow-depth guard answers first here
    ],
)
def test_deep_nesting_is_bounded(text):
    parsed = parse_yaml(text, "deep.yaml", Limits(max_depth=64))
    (diag,) = parsed.diagnostics
    assert diag.reason in ("nesting_too_deep", "yaml_syntax")
    assert "nesting" in diag.message


def test_size_limit():
    parsed = parse_yaml(b"a: 1\n" * 10, "big.yaml", Limits(max_bytes=20))
    assert reasons(parsed) == ["file_too_large"]
    assert "limit of 20 bytes" in parsed.diagnostics[0].message


def test_binary_and_encoding():
    binary = parse_yaml(b"a: 1\nb: \x00\x01", "bin.yaml")
    assert reasons(binary) == ["binary_content"]
    assert (binary.diagnostics[0].line, binary.diagnostics[0].column) == (2, 4)
    latin = parse_yaml("a: 1\nname: caf\xe9\n".encode("latin-1"), "latin.yaml")
    assert reasons(latin) == ["invalid_encoding"]
    assert (latin.diagnostics[0].line, latin.diagnostics[0].column) == (2, 10)


def test_bom_is_accepted():
    assert parse_yaml(b"\xef\xbb\xbfa: 1\n", "bom.yaml").value == {"a": 1}


def test_recursive_and_undefined_aliases():
    assert reasons(parse_yaml(b"a: &x [*x]\n", "r.yaml")) == ["undefined_alias"]
    assert reasons(parse_yaml(b"a: *nope\n", "u.yaml")) == ["undefined_alias"]


def test_complex_keys_are_rejected():
    parsed = parse_yaml(b"? [a]\n: 1\nq: x\n", "k.yaml")
    assert reasons(parsed) == ["complex_key"]
    assert parsed.value["q"] == "x"


def test_syntax_error_has_a_location():
    parsed = parse_yaml(b"a: 1\nb: [unclosed\nc: 2\n", "s.yaml")
    (diag,) = parsed.diagnostics
    assert diag.reason == "yaml_syntax"
    assert diag.line >= 2


def test_unquoted_template_is_a_syntax_error_with_a_hint():
    parsed = parse_yaml(b"a: {{ .Env }}\n", "t.yaml")
    (diag,) = parsed.diagnostics
    assert (diag.reason, diag.line, diag.column) == ("unquoted_template", 1, 4)
    assert "quote" in diag.hint


def test_agrees_with_pyyaml_on_upstream_files(upstream):
    for path in sorted(upstream.glob("*/services.yaml")):
        data = path.read_bytes()
        parsed = parse_yaml(data, path.name)
        assert parsed.ok, parsed.diagnostics
        if b"apiVersion" in data:  # the flat file has YAML 1.1 scalars PyYAML reads differently
            assert parsed.value == yaml.load(data, Loader=yaml.CSafeLoader)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):
    parsed = parse_yaml(data, "fuzz.yaml")
    for diag in parsed.diagnostics:
        assert diag.path == "fuzz.yaml"
        assert diag.message


_yaml_text = st.lists(
    st.sampled_from(
        [
            "a:",
            " b:",
            "  - x",
            "- y",
            "&a z",
            "*a",
            "<<: *a",
            "{",
            "}",
            "[",
            "]",
            "'q",
            '"',
            "? k",
            ": v",
            "!!int x",
            "!custom y",
            "---",
            "...",
            "\t",
            "#c",
            "key: {{ .Env }}",
            "",
        ]
    ),
    max_size=40,
).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(_yaml_text)
def test_arbitrary_yaml_never_raises(text):
    parsed = parse_yaml(text.encode(), "fuzz.yaml")
    assert parsed.value is None or isinstance(parsed.value, dict | list | str | int | float | bool)

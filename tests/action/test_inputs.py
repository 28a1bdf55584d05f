"""Reading the Action's inputs from INPUT_* variables and flags (action.inputs)."""

from __future__ import annotations

import pytest

from action.inputs import ActionInputs, UsageError, parse_boolean, read_inputs, split_patterns


def test_defaults() -> None:
    assert read_inputs([], {}) == ActionInputs(patterns=("services.yaml",))


def test_from_the_environment() -> None:
    env = {
        "INPUT_PATH": "services.yaml\n  deploy/**/services.yaml  \n\n# a comment\nmy dir/x.yaml\n",
        "INPUT_STRICT": "true",
        "INPUT_WORKSPACE": " workspace.yaml ",
        "INPUT_SARIF_FILE": "out/manifold.sarif",
    }
    assert read_inputs([], env) == ActionInputs(
        patterns=("services.yaml", "deploy/**/services.yaml", "my dir/x.yaml"),
        strict=True,
        workspace="workspace.yaml",
        sarif_file="out/manifold.sarif",
    )


def test_the_hyphenated_name_a_javascript_action_sees() -> None:
    assert read_inputs([], {"INPUT_SARIF-FILE": "a.sarif"}).sarif_file == "a.sarif"
    both = {"INPUT_SARIF-FILE": "a.sarif", "INPUT_SARIF_FILE": "b.sarif"}
    assert read_inputs([], both).sarif_file == "b.sarif"


def test_flags_win() -> None:
    env = {
        "INPUT_PATH": "a.yaml",
        "INPUT_STRICT": "true",
        "INPUT_WORKSPACE": "w.yaml",
        "INPUT_SARIF_FILE": "s.sarif",
    }
    inputs = read_inputs(
        [
            "--path",
            "b.yaml",
            "--path",
            "c.yaml\nd.yaml",
            "--strict=false",
            "--workspace",
            "",
            "--sarif-file",
            "t.sarif",
        ],
        env,
    )
    assert inputs == ActionInputs(
        patterns=("b.yaml", "c.yaml", "d.yaml"), strict=False, workspace="", sarif_file="t.sarif"
    )
    assert read_inputs(["--strict"], {}).strict is True


def test_blank_path_means_the_default() -> None:
    assert read_inputs([], {"INPUT_PATH": "  \n# only a comment\n"}).patterns == ("services.yaml",)


@pytest.mark.parametrize("value", ["true", "True", "TRUE"])
def test_true(value: str) -> None:
    assert parse_boolean("strict", value) is True


@pytest.mark.parametrize("value", ["", "false", "False", "FALSE", " false "])
def test_false(value: str) -> None:
    assert parse_boolean("strict", value) is False


@pytest.mark.parametrize("value", ["yes", "1", "on", "tRue", "no"])
def test_not_a_boolean(value: str) -> None:
    with pytest.raises(UsageError, match="input `strict` must be true or false"):
        parse_boolean("strict", value)


def test_unknown_flag_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unrecognized arguments"):
        read_inputs(["--nope"], {})


def test_split_patterns_keeps_inner_spaces() -> None:
    assert split_patterns("a b/services.yaml\r\n c.yaml") == ["a b/services.yaml", "c.yaml"]

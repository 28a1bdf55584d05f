"""The Action's inputs: read from `INPUT_*` environment variables (what a JavaScript or Docker
action sees, and what `action.yml` sets through `env:`) and from the same names as flags.
Flags win over the environment.

Rules (also in docs/action.md):
- `path`: one pattern per line (a YAML block scalar in the workflow); blank lines and lines
  starting with `#` are skipped, surrounding whitespace is trimmed, spaces inside a line are
  part of the path. Empty means `services.yaml`. `--path` may be repeated.
- `strict`: a YAML 1.2 core-schema boolean, exactly as `core.getBooleanInput` accepts it
  (`true | True | TRUE | false | False | FALSE`); empty means false; anything else is a
  usage error. `--strict` alone means true.
- `workspace`, `sarif-file`: a path, or empty for none.
- Each input is read from `INPUT_<NAME>` with `-` as `_` (`INPUT_SARIF_FILE`), else with the
  hyphen kept (`INPUT_SARIF-FILE`, what the runner sets for a JavaScript or Docker action).

Pure: takes argv and an environment mapping, returns `ActionInputs` or raises `UsageError`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

DEFAULT_PATH = "services.yaml"
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")


class UsageError(Exception):
    """The Action was called wrongly (a bad input, nothing matched): exit code 2."""


@dataclass(frozen=True, slots=True)
class ActionInputs:
    patterns: tuple[str, ...]
    strict: bool = False
    workspace: str = ""
    sarif_file: str = ""


def split_patterns(value: str) -> list[str]:
    """The patterns of a multi-line `path` input, one per non-blank, non-comment line."""
    patterns = []
    for line in value.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            patterns.append(stripped)
    return patterns


def parse_boolean(name: str, value: str) -> bool:
    """A boolean input the way `@actions/core` `getBooleanInput` reads it."""
    value = value.strip()
    if value == "" or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise UsageError(
        f"input `{name}` must be true or false (YAML 1.2 core schema: true | True | TRUE | "
        f"false | False | FALSE), got {value!r}"
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m action",
        description="Validate services.yaml files and report the GitHub Actions way. "
        "Each flag overrides the INPUT_* environment variable of the same name.",
    )
    parser.add_argument(
        "--path",
        action="append",
        metavar="PATTERN",
        help="file, directory or glob; repeat or separate by newlines (INPUT_PATH; "
        f"default {DEFAULT_PATH})",
    )
    parser.add_argument(
        "--strict",
        nargs="?",
        const="true",
        metavar="BOOL",
        help="treat warnings (unknown keys, ...) as errors (INPUT_STRICT)",
    )
    parser.add_argument(
        "--workspace",
        metavar="FILE",
        help="a workspace file: compose this repository with sibling checkouts (INPUT_WORKSPACE)",
    )
    parser.add_argument(
        "--sarif-file",
        metavar="FILE",
        help="write a SARIF 2.1.0 log here (INPUT_SARIF_FILE)",
    )
    return parser


def _env(env: Mapping[str, str], name: str) -> str:
    """`INPUT_SARIF_FILE`, else `INPUT_SARIF-FILE`: the runner itself only upper-cases an
    input's name (and turns spaces into `_`), so a JavaScript or Docker action really sees
    the hyphenated form; `action.yml` sets the underscore form through `env:`."""
    value = env.get(f"INPUT_{name}")
    if value is None:
        value = env.get(f"INPUT_{name.replace('_', '-')}", "")
    return value


def read_inputs(argv: Sequence[str], env: Mapping[str, str]) -> ActionInputs:
    """The inputs from the flags, falling back to `INPUT_*` variables, then to defaults."""
    args = build_parser().parse_args(list(argv))
    if args.path is not None:
        patterns = [p for value in args.path for p in split_patterns(value)]
    else:
        patterns = split_patterns(_env(env, "PATH"))
    strict_text = args.strict if args.strict is not None else _env(env, "STRICT")
    workspace = args.workspace if args.workspace is not None else _env(env, "WORKSPACE")
    sarif_file = args.sarif_file if args.sarif_file is not None else _env(env, "SARIF_FILE")
    return ActionInputs(
        patterns=tuple(patterns or [DEFAULT_PATH]),
        strict=parse_boolean("strict", strict_text),
        workspace=workspace.strip(),
        sarif_file=sarif_file.strip(),
    )

"""`python -m action`: validate the inputs' files with the resolver and report the GitHub way.

What it writes, where:
- stdout: one workflow command (`::error` / `::warning`) per problem, then a one-line verdict;
  a usage error is a single `::error::` line.
- `$GITHUB_STEP_SUMMARY` (appended): the Markdown job summary. Outside a runner (no
  `GITHUB_ACTIONS`, no summary file) the summary is printed instead.
- `$GITHUB_OUTPUT` (appended): `valid`, `errors`, `warnings`, `manifest-hash`.
- the `sarif-file` input, when given: a SARIF 2.1.0 log.

Relative paths (patterns, workspace, sarif-file) resolve against `$GITHUB_WORKSPACE`, else
the current directory. Exit codes: 0 valid, 1 invalid, 2 usage error, 3 internal error (a bug:
bad input must never crash the resolver).
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TextIO

from action.compose import CompositionOutcome, compose_workspace
from action.inputs import ActionInputs, UsageError, read_inputs
from action.runner_files import append_outputs, append_summary
from resolver.files import NoFilesMatched, validate_paths
from resolver.report.github import (
    render_step_summary,
    render_workflow_commands,
    workflow_command,
)
from resolver.report.sarif import render_sarif

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

_ACTION_PATH = re.compile(r"[/\\]_actions[/\\]([^/\\]+)[/\\]([^/\\]+)[/\\]")


def tool_version() -> str:
    try:
        return version("manifold")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def information_uri(env: Mapping[str, str]) -> str | None:
    """The Action's repository URL, for SARIF's `informationUri`, when the runner tells us.

    Composite steps see an empty `GITHUB_ACTION_REPOSITORY`, so fall back to the action's
    checkout path, which the runner lays out as `.../_actions/<owner>/<repo>/<ref>`.
    """
    server = env.get("GITHUB_SERVER_URL", "").rstrip("/") or "https://github.com"
    repository = env.get("GITHUB_ACTION_REPOSITORY", "")
    if not repository:
        match = _ACTION_PATH.search(env.get("GITHUB_ACTION_PATH", ""))
        if match:
            repository = f"{match.group(1)}/{match.group(2)}"
    return f"{server}/{repository}" if repository else None


def workspace_root(env: Mapping[str, str]) -> Path:
    workspace = env.get("GITHUB_WORKSPACE", "")
    return Path(workspace).absolute() if workspace else Path.cwd()


def _resolve(root: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else root / path


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def run_action(inputs: ActionInputs, env: Mapping[str, str], out: TextIO) -> int:
    root = workspace_root(env)
    try:
        run = validate_paths(inputs.patterns, strict=inputs.strict, root=root)
    except NoFilesMatched as exc:
        raise UsageError(f"{exc} (in {root})") from exc
    composition: CompositionOutcome | None = None
    if inputs.workspace:
        composition = compose_workspace(
            _resolve(root, inputs.workspace),
            root=root,
            strict=inputs.strict,
            already_reported=[d for result in run.files for d in result.diagnostics],
        )
    extra = composition.diagnostics if composition else ()

    errors = run.errors + sum(1 for d in extra if d.is_error)
    warnings = run.warnings + sum(1 for d in extra if not d.is_error)
    valid = run.valid and errors == 0 and (composition is None or composition.ok)

    out.write(render_workflow_commands(run, extra))
    verdict = "valid" if valid else "invalid"
    out.write(
        f"Manifold: {_plural(len(run.files), 'file')} checked, {verdict}: "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}\n"
    )

    summary = render_step_summary(
        run,
        composition.markdown if composition else None,
        composition_ok=composition.ok if composition else True,
        extra=extra,
    )
    if env.get("GITHUB_STEP_SUMMARY"):
        append_summary(Path(env["GITHUB_STEP_SUMMARY"]), summary)
    elif env.get("GITHUB_ACTIONS") != "true":
        out.write("\n" + summary)

    if env.get("GITHUB_OUTPUT"):
        append_outputs(
            Path(env["GITHUB_OUTPUT"]),
            {
                "valid": "true" if valid else "false",
                "errors": str(errors),
                "warnings": str(warnings),
                "manifest-hash": composition.manifest_hash if composition else "",
            },
        )

    if inputs.sarif_file:
        log = render_sarif(
            run, tool_version=tool_version(), information_uri=information_uri(env), extra=extra
        )
        target = _resolve(root, inputs.sarif_file)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            message = f"cannot write the SARIF file `{target}`: {exc.strerror or exc}"
            raise UsageError(message) from exc
    return EXIT_VALID if valid else EXIT_INVALID


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    argv = sys.argv[1:] if argv is None else argv
    env = os.environ if env is None else env
    out = sys.stdout if out is None else out
    try:
        return run_action(read_inputs(argv, env), env, out)
    except UsageError as exc:
        out.write(workflow_command("error", {}, f"manifold: {exc}") + "\n")
        return EXIT_USAGE
    except Exception as exc:  # a bug: say so in the log and annotations, keep the traceback
        traceback.print_exc()
        out.write(workflow_command("error", {}, f"manifold: internal error: {exc!r}") + "\n")
        return EXIT_INTERNAL

"""The runner's file commands: append outputs to `$GITHUB_OUTPUT` and Markdown to
`$GITHUB_STEP_SUMMARY`.

Outputs always use the multi-line-safe `name<<ghadelimiter_<uuid4>` form, as `@actions/core`
does, so a value can never end its record early. The files are appended to (never truncated):
other steps of the job write to the same files.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from resolver.report.github import render_output_record


def new_delimiter() -> str:
    return f"ghadelimiter_{uuid.uuid4()}"


def append_outputs(
    path: Path, outputs: Mapping[str, str], *, delimiter: Callable[[], str] = new_delimiter
) -> None:
    records = "".join(render_output_record(k, v, delimiter()) for k, v in outputs.items())
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(records)


def append_summary(path: Path, markdown: str) -> None:
    with path.open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(markdown if markdown.endswith("\n") else markdown + "\n")

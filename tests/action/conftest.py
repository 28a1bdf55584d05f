"""Shared fixtures of the Action's tests: the official SARIF 2.1.0 schema and a runner-like
way to call `python -m action`.

The schema comes from the npm registry, pinned: `@microsoft/sarif-multitool-linux` (the
SARIF TC's reference SDK) ships `sarif-2.1.0.json`. It lives in the shared fixture cache
(`tests/fakes/fixtures.py`, filled by `scripts/fetch-fixtures.sh`); while that script does
not list it yet, it is fetched here the same way (`npm pack`, sha512 integrity checked, only
that one file kept) into the same place.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.fixtures import FixtureMissing, cache_dir, fixture_path, require

REPO_ROOT = Path(__file__).resolve().parents[2]

SARIF_SCHEMA_PACKAGE = "@microsoft/sarif-multitool-linux@5.7.0"
# what `npm view @microsoft/sarif-multitool-linux@5.7.0 dist.integrity` prints
SARIF_SCHEMA_INTEGRITY = (
    "sha512-NxUbpq6ISCWoTQ/NfOYEwEDKq1Heka/rMoJ5R5LMydcAZQX/"
    "X7g5mWHcgxDub+0M07LC96tZ5LZHvF1Qy3gjTA=="
)
SARIF_SCHEMA_FILE = "sarif-2.1.0.json"


def _fetch_sarif_schema() -> None:
    """`npm pack` the pinned package, check its integrity, keep the schema file only."""
    npm = shutil.which("npm")
    if npm is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", SARIF_SCHEMA_PACKAGE, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            return
        tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if f"sha512-{digest}" != SARIF_SCHEMA_INTEGRITY:
            pytest.fail(f"integrity mismatch for {SARIF_SCHEMA_PACKAGE}", pytrace=False)
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(f"package/{SARIF_SCHEMA_FILE}")
            if member is None:
                return
            data = member.read()
    target = cache_dir() / SARIF_SCHEMA_PACKAGE / SARIF_SCHEMA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


def sarif_schema_path() -> Path:
    try:
        return fixture_path(SARIF_SCHEMA_PACKAGE, SARIF_SCHEMA_FILE)
    except FixtureMissing:
        if os.environ.get("MANIFOLD_TEST_OFFLINE") != "1":
            _fetch_sarif_schema()
    return require(SARIF_SCHEMA_PACKAGE, SARIF_SCHEMA_FILE)


@pytest.fixture(scope="session")
def sarif_validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(sarif_schema_path().read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@dataclass
class ActionRun:
    """What a runner sees of one `python -m action` step."""

    exit_code: int
    stdout: str
    stderr: str
    output_file: str
    summary: str
    workspace: Path

    def outputs(self) -> dict[str, str]:
        return parse_output_file(self.output_file)

    def commands(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::")]


def parse_output_file(text: str) -> dict[str, str]:
    """Read `$GITHUB_OUTPUT` the way the runner does (`name=value` and `name<<DELIM`)."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value_lines = []
            while lines[index] != delimiter:
                value_lines.append(lines[index])
                index += 1
            index += 1
            outputs[name] = "\n".join(value_lines)
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


@pytest.fixture
def run_action(tmp_path: Path) -> Callable[..., ActionRun]:
    """Run `python -m action` as a composite step would: inputs as INPUT_* variables, the
    runner's files in a temporary directory, the repository checkout as GITHUB_WORKSPACE."""
    workspace = tmp_path / "work"
    workspace.mkdir()
    runner = tmp_path / "runner"
    runner.mkdir()

    def run(
        inputs: Mapping[str, str] | None = None,
        *,
        args: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> ActionRun:
        output_file = runner / "output"
        summary_file = runner / "summary.md"
        output_file.write_text("", encoding="utf-8")
        summary_file.write_text("", encoding="utf-8")
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("INPUT_", "GITHUB_"))
        }
        environment.update(
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary_file),
                "RUNNER_TEMP": str(runner),
            }
        )
        for name, value in (inputs or {}).items():
            environment[f"INPUT_{name.upper().replace('-', '_')}"] = value
        environment.update(env or {})
        done = subprocess.run(
            # exactly how action.yml runs it: -P keeps the checkout (the step's working
            # directory) off sys.path, so a repository's own `action/` cannot shadow ours
            [sys.executable, "-P", "-m", "action", *(args or [])],
            cwd=cwd or workspace,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return ActionRun(
            exit_code=done.returncode,
            stdout=done.stdout,
            stderr=done.stderr,
            output_file=output_file.read_text(encoding="utf-8"),
            summary=summary_file.read_text(encoding="utf-8"),
            workspace=workspace,
        )

    return run

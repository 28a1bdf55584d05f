"""`action.yml` and `.pre-commit-hooks.yaml`: inputs reach scripts only through `env:`, the
steps call what exists in this repository, and the composite steps really run (their
`run:` scripts executed in bash as a runner would, the `uses:` steps stood in for).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.action.conftest import REPO_ROOT, parse_output_file

ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
MAIN_INPUTS = ("path", "strict", "workspace", "sarif-file")


def _step(step_id: str) -> dict[str, Any]:
    (step,) = [s for s in STEPS if s.get("id") == step_id]
    return step


def test_metadata() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {*MAIN_INPUTS, "python-version"}
    assert ACTION["inputs"]["path"]["default"] == "services.yaml"
    assert ACTION["inputs"]["strict"]["default"] == "false"
    assert set(ACTION["outputs"]) == {"valid", "errors", "warnings", "manifest-hash"}
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
        assert spec.get("required") is False, name


def test_no_expression_inside_any_run_script() -> None:
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step.get("shell") == "bash", step.get("name")  # composite steps need one


def test_every_input_is_passed_via_env_or_with() -> None:
    used: dict[str, list[str]] = {}
    for step in STEPS:
        for section in ("env", "with"):
            for key, value in (step.get(section) or {}).items():
                for expression in EXPRESSION.findall(str(value)):
                    if expression.startswith("inputs."):
                        used.setdefault(expression.removeprefix("inputs."), []).append(
                            f"{section}:{key}"
                        )
    assert set(used) == set(ACTION["inputs"])
    validate = _step("validate")
    for name in MAIN_INPUTS:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert validate["env"][variable] == f"${{{{ inputs.{name} }}}}"
        assert used[name] == [f"env:{variable}"]
    assert used["python-version"] == ["with:python-version"]


def test_outputs_come_from_the_validate_step() -> None:
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.validate.outputs.{name} }}}}"
        assert spec.get("description")


def test_steps_reference_only_earlier_steps() -> None:
    seen: set[str] = set()
    for step in STEPS:
        text = yaml.safe_dump({k: v for k, v in step.items() if k in ("env", "with")})
        for expression in EXPRESSION.findall(text):
            if expression.startswith("steps."):
                assert expression.split(".")[1] in seen, expression
        if "id" in step:
            seen.add(step["id"])


def test_steps_call_what_exists_in_the_repository() -> None:
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert uses == ["actions/setup-python@v5", "actions/cache@v4"]
    install = next(s for s in STEPS if "pip install" in s.get("run", ""))
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    # what pip installs from the action's checkout: this project, with the `action` package
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "manifold"' in pyproject and '"action*"' in pyproject
    assert (REPO_ROOT / "action" / "__init__.py").is_file()
    assert (REPO_ROOT / "action" / "__main__.py").is_file()
    assert importlib.util.find_spec("action.__main__") is not None
    assert _step("validate")["run"].strip() == '"$MANIFOLD_PYTHON" -P -m action'
    assert "$GITHUB_ACTION_PATH/pyproject.toml" in _step("prepare")["run"]


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "manifold-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "manifold validate"
    pattern = re.compile(hook["files"])
    for path in ("services.yaml", "services.yml", "deploy/services.yaml", "a/b/services.yml"):
        assert pattern.search(path), path
    for path in ("myservices.yaml", "services.yaml.tpl", "services.json", "services.yaml/x"):
        assert not pattern.search(path), path
    assert 'manifold = "resolver.cli:main"' in (REPO_ROOT / "pyproject.toml").read_text()


PRE_COMMIT_HOOK_KEYS = {  # the manifest keys pre-commit documents
    "id",
    "name",
    "entry",
    "language",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "always_run",
    "fail_fast",
    "verbose",
    "pass_filenames",
    "require_serial",
    "description",
    "language_version",
    "minimum_pre_commit_version",
    "args",
    "stages",
}


def test_pre_commit_manifest_schema() -> None:
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert set(hook) <= PRE_COMMIT_HOOK_KEYS
    assert {"id", "name", "entry", "language"} <= set(hook)
    try:  # pre-commit's own manifest schema, when pre-commit is installed
        from pre_commit.clientlib import load_manifest
    except ImportError:
        return
    load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))


def test_pre_commit_entry_runs(tmp_path: Path) -> None:
    """What pre-commit runs: `manifold validate <changed files>` in the repository root."""
    manifold = Path(sys.executable).with_name("manifold")
    good = tmp_path / "services.yaml"
    good.write_text(
        "apiVersion: codex-k8s.io/v1alpha1\nkind: ServiceStack\nmetadata:\n  name: demo\n"
        "spec:\n  environments:\n    dev: {}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "deploy" / "services.yml"
    bad.parent.mkdir()
    bad.write_text("metadata:\n  name: a\n  name: b\n", encoding="utf-8")
    entry = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "entry: manifold validate" in entry
    ok = subprocess.run(
        [str(manifold), "validate", "services.yaml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    failing = subprocess.run(
        [str(manifold), "validate", "services.yaml", "deploy/services.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "duplicate_key" in failing.stdout


# --- the composite steps, executed --------------------------------------------------------------


def _evaluate(value: str, context: dict[str, Any]) -> str:
    def resolve(match: re.Match[str]) -> str:
        node: Any = context
        for part in match.group(1).split("."):
            assert isinstance(node, dict) and part in node, f"unknown expression {match.group(0)}"
            node = node[part]
        return str(node)

    return EXPRESSION.sub(resolve, value)


def _copy_project(target: Path) -> None:
    """The action's checkout as the runner lays it out (only what pip needs)."""
    for name in ("pyproject.toml", "README.md", "action.yml"):
        if (REPO_ROOT / name).exists():
            shutil.copy2(REPO_ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for package in ("resolver", "app", "deploy", "action"):
        shutil.copytree(REPO_ROOT / package, target / package, ignore=ignore)


@pytest.mark.slow
def test_composite_steps_run(tmp_path: Path) -> None:
    action_path = tmp_path / "_actions" / "acme" / "manifold" / "v1"
    action_path.mkdir(parents=True)
    _copy_project(action_path)
    workspace = tmp_path / "work"
    workspace.mkdir()
    (workspace / "services.yaml").write_text(
        "apiVersion: codex-k8s.io/v1alpha1\nkind: ServiceStack\nmetadata:\n  name: demo\n"
        "spec:\n  environments:\n    dev: {}\n  services:\n    - name: api\n"
        "      dependson: [db]\n",
        encoding="utf-8",
    )
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    base_python = getattr(sys, "_base_executable", sys.executable)
    context: dict[str, Any] = {
        "inputs": {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()},
        "steps": {},
        "runner": {"os": "Linux", "temp": str(runner_temp)},
        "github": {"action_path": str(action_path), "workspace": str(workspace)},
    }
    context["inputs"]["sarif-file"] = "manifold.sarif"
    stand_ins: dict[str, Callable[[], dict[str, str]]] = {
        "actions/setup-python@v5": lambda: {
            "python-path": base_python,
            "python-version": "{}.{}.{}".format(*sys.version_info[:3]),
        },
        "actions/cache@v4": lambda: {"cache-hit": "false"},
    }
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    base_env.pop("VIRTUAL_ENV", None)
    summary = runner_temp / "summary.md"
    for step in STEPS:
        with_values = {k: _evaluate(str(v), context) for k, v in (step.get("with") or {}).items()}
        if "uses" in step:
            assert all(with_values.values()) or step["uses"] != "actions/cache@v4", with_values
            outputs = stand_ins[step["uses"]]()
        else:
            output_file = runner_temp / f"output-{len(context['steps'])}"
            output_file.write_text("", encoding="utf-8")
            env = {
                **base_env,
                "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(action_path),
                "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(runner_temp),
                **{k: _evaluate(str(v), context) for k, v in (step.get("env") or {}).items()},
            }
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert done.returncode == 0, (step.get("name"), done.stdout, done.stderr)
            outputs = parse_output_file(output_file.read_text(encoding="utf-8"))
            if step.get("id") == "validate":
                assert done.stdout.startswith(
                    "::warning file=services.yaml,line=10,col=7,"
                    "title=services.yaml%3A invalid_argument/unknown_key::"
                )
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": outputs}

    prepared = context["steps"]["prepare"]["outputs"]
    assert set(prepared) == {"python", "pip-cache", "key"}
    assert prepared["python"].startswith(str(runner_temp))
    assert re.fullmatch(r"[0-9a-f]{64}", prepared["key"])
    final = {name: _evaluate(spec["value"], context) for name, spec in ACTION["outputs"].items()}
    assert final == {"valid": "true", "errors": "0", "warnings": "1", "manifest-hash": ""}
    assert summary.read_text(encoding="utf-8").startswith("## ✅ Manifold: valid")
    assert (workspace / "manifold.sarif").is_file()

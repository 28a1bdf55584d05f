"""`python -m action` end to end, run the way a runner runs the composite step: inputs as
INPUT_* variables, temporary GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_WORKSPACE, the real
validator. Messages come from the validator, so lines are asserted literally up to the
message and the stable parts of the message (key names, hints) are checked separately.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.action.conftest import ActionRun, parse_output_file

RunAction = Callable[..., ActionRun]

VALID = """\
apiVersion: codex-k8s.io/v1alpha1
kind: ServiceStack
metadata:
  name: demo
spec:
  environments:
    dev: {}
  services:
    - name: api
      manifests:
        - path: deploy/api.yaml.tpl
"""

UNKNOWN_KEY = """\
apiVersion: codex-k8s.io/v1alpha1
kind: ServiceStack
metadata:
  name: demo
spec:
  environments:
    dev: {}
  services:
    - name: api
      dependson: [db]
"""

BROKEN_TEMPLATE = """\
apiVersion: codex-k8s.io/v1alpha1
kind: ServiceStack
metadata:
  name: demo
spec:
  environments:
    dev:
      namespaceTemplate: '{{ .Project }-dev'
"""

DUPLICATE_KEY = """\
apiVersion: codex-k8s.io/v1alpha1
kind: ServiceStack
metadata:
  name: demo
  name: other
spec:
  environments:
    dev: {}
"""

HOSTILE_KEY = """\
apiVersion: codex-k8s.io/v1alpha1
kind: ServiceStack
metadata:
  name: demo
spec:
  environments:
    dev: {}
  "100%,a:b\\n::error::pwned": 1
"""

UNKNOWN_KEY_WARNING = (
    "::warning file=services.yaml,line=10,col=7,"
    "title=services.yaml%3A invalid_argument/unknown_key::"
)


def write(root: Path, relative: str, content: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def outputs(valid: bool, errors: int, warnings: int, manifest_hash: str = "") -> dict[str, str]:
    return {
        "valid": "true" if valid else "false",
        "errors": str(errors),
        "warnings": str(warnings),
        "manifest-hash": manifest_hash,
    }


def test_valid_file(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", VALID)
    result = run_action()
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Manifold: 1 file checked, valid: 0 errors, 0 warnings\n"
    assert result.outputs() == outputs(True, 0, 0)
    assert result.summary == (
        "## ✅ Manifold: valid\n"
        "\n"
        "Checked 1 file: **0 errors**, **0 warnings**.\n"
        "\n"
        "| File | Verdict | Dialect | Errors | Warnings |\n"
        "|---|---|---|---:|---:|\n"
        "| `services.yaml` | valid | servicestack | 0 | 0 |\n"
    )
    assert result.stderr == ""


def test_outputs_use_fresh_heredoc_delimiters_and_append(
    run_action: RunAction, tmp_path: Path
) -> None:
    write(tmp_path / "work", "services.yaml", VALID)
    result = run_action()
    headers = [line for line in result.output_file.splitlines() if "<<" in line]
    assert [h.split("<<")[0] for h in headers] == ["valid", "errors", "warnings", "manifest-hash"]
    delimiters = [h.split("<<")[1] for h in headers]
    assert all(
        d.startswith("ghadelimiter_") and len(d) == len("ghadelimiter_") + 36 for d in delimiters
    )
    assert len(set(delimiters)) == 4


def test_unknown_key_is_a_warning_with_did_you_mean(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", UNKNOWN_KEY)
    result = run_action()
    assert result.exit_code == 0
    (command,) = result.commands()
    assert command.startswith(UNKNOWN_KEY_WARNING)
    assert "`dependson`" in command
    assert command.endswith("%0Ahint: did you mean `dependsOn`?")
    assert result.stdout.splitlines()[-1] == (
        "Manifold: 1 file checked, valid: 0 errors, 1 warning"
    )
    assert result.outputs() == outputs(True, 0, 1)
    assert "| ⚠️ warning | `services.yaml:10:7` | `invalid_argument/unknown_key` |" in result.summary
    assert "| did you mean `dependsOn`? |" in result.summary


def test_strict_turns_the_warning_into_an_error(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", UNKNOWN_KEY)
    result = run_action({"strict": "true"})
    assert result.exit_code == 1
    (command,) = result.commands()
    assert command.startswith(UNKNOWN_KEY_WARNING.replace("::warning", "::error"))
    assert result.outputs() == outputs(False, 1, 0)
    assert result.summary.startswith("## ❌ Manifold: invalid\n")
    # the flag wins over the environment
    assert run_action({"strict": "true"}, args=["--strict=false"]).exit_code == 0


def test_broken_template(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", BROKEN_TEMPLATE)
    result = run_action()
    assert result.exit_code == 1
    (command,) = result.commands()
    assert command.startswith(
        "::error file=services.yaml,line=8,col=26,"
        "title=services.yaml%3A invalid_argument/template_syntax::template error"
    )
    assert result.outputs() == outputs(False, 1, 0)


def test_duplicate_key(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", DUPLICATE_KEY)
    result = run_action()
    assert result.exit_code == 1
    (command,) = result.commands()
    assert command.startswith(
        "::error file=services.yaml,line=5,col=3,"
        "title=services.yaml%3A invalid_argument/duplicate_key::"
    )
    assert "`name`" in command and "line 4" in command


def test_binary_file(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", b"\x00\x01\x02\xff\xfebinary\n")
    result = run_action()
    assert result.exit_code == 1
    (command,) = result.commands()
    assert command.startswith(
        "::error file=services.yaml,line=1,col=1,"
        "title=services.yaml%3A invalid_argument/binary_content::"
    )
    assert result.outputs() == outputs(False, 1, 0)
    assert "| `services.yaml` | **invalid** | unknown | 1 | 0 |" in result.summary


def test_two_mebibyte_file(run_action: RunAction, tmp_path: Path) -> None:
    big = "apiVersion: codex-k8s.io/v1alpha1\nkind: ServiceStack\n#" + "x" * (2 << 20) + "\n"
    write(tmp_path / "work", "big/services.yaml", big)
    result = run_action({"path": "big"})
    assert result.exit_code == 1
    (command,) = result.commands()
    # no line or column: the problem is the whole file
    assert command.startswith(
        "::error file=big/services.yaml,"
        "title=big/services.yaml%3A invalid_argument/file_too_large::"
    )
    assert len(result.summary) < 10_000


def test_hostile_text_is_escaped(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "odd,dir:100%/services.yaml", HOSTILE_KEY)
    result = run_action({"path": "odd,dir:100%/services.yaml"})
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("\n") == 2  # one command and the verdict: nothing broke out
    (command,) = result.commands()
    assert command.startswith(
        "::warning file=odd%2Cdir%3A100%25/services.yaml,line=8,col=3,"
        "title=odd%2Cdir%3A100%25/services.yaml%3A invalid_argument/unknown_key::"
    )
    message = command.split("::", 2)[2]
    # the key's `%`, newline and the fake command stay inside this one line, escaped
    assert message.startswith("unknown key `100%25,a:b%0A::error::pwned`")
    assert "\n" not in command and "\r" not in command
    assert "odd,dir:100%/services.yaml" in result.summary


def test_several_patterns_and_globs(run_action: RunAction, tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work, "services.yaml", VALID)
    write(work, "svc/a/services.yaml", UNKNOWN_KEY)
    write(work, "svc/b/services.yml", DUPLICATE_KEY)
    result = run_action({"path": "services.yaml\nsvc/**/services.y*ml\n"})
    assert result.exit_code == 1
    files = [c.split("file=", 1)[1].split(",", 1)[0] for c in result.commands()]
    assert files == ["svc/a/services.yaml", "svc/b/services.yml"]
    assert result.outputs() == outputs(False, 1, 1)
    assert result.stdout.splitlines()[-1] == (
        "Manifold: 3 files checked, invalid: 1 error, 1 warning"
    )


def test_sarif_file(run_action: RunAction, tmp_path: Path, sarif_validator: Any) -> None:
    work = tmp_path / "work"
    write(work, "services.yaml", UNKNOWN_KEY)
    write(work, "bad/services.yaml", DUPLICATE_KEY)
    result = run_action(
        {"path": "services.yaml\nbad", "sarif-file": "reports/manifold.sarif"},
        env={"GITHUB_ACTION_PATH": "/home/runner/work/_actions/acme/manifold/v1"},
    )
    assert result.exit_code == 1
    log = json.loads((work / "reports/manifold.sarif").read_text(encoding="utf-8"))
    errors = list(sarif_validator.iter_errors(log))
    assert not errors, errors[0]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://github.com/acme/manifold"
    assert [r["id"] for r in driver["rules"]] == ["duplicate_key", "unknown_key"]
    summary = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in log["runs"][0]["results"]
    ]
    assert summary == [
        ("unknown_key", "warning", "services.yaml", {"startLine": 10, "startColumn": 7}),
        ("duplicate_key", "error", "bad/services.yaml", {"startLine": 5, "startColumn": 3}),
    ]


def test_sarif_of_hostile_files_validates(
    run_action: RunAction, tmp_path: Path, sarif_validator: Any
) -> None:
    work = tmp_path / "work"
    write(work, "a/services.yaml", b"\x00binary")
    write(work, "b/services.yaml", "#" + "x" * (2 << 20))
    write(work, "c d/services.yaml", HOSTILE_KEY)
    write(work, "e/services.yaml", BROKEN_TEMPLATE)
    sarif = tmp_path / "out.sarif"  # an absolute path
    result = run_action({"path": "*/services.yaml", "sarif-file": str(sarif)})
    assert result.exit_code == 1
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert not list(sarif_validator.iter_errors(log))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["a/services.yaml", "b/services.yaml", "c%20d/services.yaml", "e/services.yaml"]


def test_nothing_matched_is_a_usage_error(run_action: RunAction) -> None:
    result = run_action({"path": "deploy/**/services.yaml"})
    assert result.exit_code == 2
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error::manifold: no file matches `deploy/**/services.yaml`")
    assert result.output_file == "" and result.summary == ""


def test_missing_default_file_is_a_usage_error(run_action: RunAction) -> None:
    result = run_action()
    assert result.exit_code == 2
    assert result.stdout.startswith("::error::manifold: `services.yaml` does not exist")


def test_unusable_path_is_a_usage_error(run_action: RunAction) -> None:
    result = run_action({"path": "a" * 5000})
    assert result.exit_code == 2
    assert result.stdout.startswith("::error::manifold: `aaaa")
    assert "` cannot be read: File name too long (in " in result.stdout


def test_bad_boolean_is_a_usage_error(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", VALID)
    result = run_action({"strict": "yes"})
    assert result.exit_code == 2
    assert result.stdout == (
        "::error::manifold: input `strict` must be true or false (YAML 1.2 core schema: "
        "true | True | TRUE | false | False | FALSE), got 'yes'\n"
    )
    assert result.output_file == ""


def test_unknown_flag_is_a_usage_error(run_action: RunAction) -> None:
    result = run_action(args=["--frobnicate"])
    assert result.exit_code == 2
    assert result.stdout.startswith("::error::manifold: unrecognized arguments: --frobnicate")


def test_missing_workspace_file_is_a_usage_error(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", VALID)
    result = run_action({"workspace": "nope/workspace.yaml"})
    assert result.exit_code == 2
    assert "workspace file" in result.stdout and "nope/workspace.yaml" in result.stdout


def test_unwritable_sarif_path_is_a_usage_error(run_action: RunAction, tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work, "services.yaml", VALID)
    (work / "taken").mkdir()
    result = run_action({"sarif-file": "taken"})
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-1].startswith(
        "::error::manifold: cannot write the SARIF file"
    )


def test_a_repository_action_folder_cannot_shadow_ours(
    run_action: RunAction, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    write(work, "services.yaml", VALID)
    write(work, "action/__init__.py", "")
    write(work, "action/__main__.py", "print('shadowed')\n")
    result = run_action()
    assert result.exit_code == 0
    assert "shadowed" not in result.stdout


def test_existing_runner_files_are_appended_to(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", VALID)
    first = run_action()
    output_file = tmp_path / "earlier-output"
    summary_file = tmp_path / "earlier-summary.md"
    output_file.write_text("earlier=step\n", encoding="utf-8")
    summary_file.write_text("# Earlier step\n", encoding="utf-8")
    env = {"GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file)}
    run_action(env=env)
    parsed = parse_output_file(output_file.read_text(encoding="utf-8"))
    assert parsed == {"earlier": "step", **first.outputs()}
    assert summary_file.read_text(encoding="utf-8") == "# Earlier step\n" + first.summary


def test_local_run_without_runner_files_prints(run_action: RunAction, tmp_path: Path) -> None:
    write(tmp_path / "work", "services.yaml", UNKNOWN_KEY)
    result = run_action(
        env={"GITHUB_ACTIONS": "", "GITHUB_OUTPUT": "", "GITHUB_STEP_SUMMARY": ""},
        args=["--path", str(tmp_path / "work" / "services.yaml")],
    )
    assert result.exit_code == 0
    assert result.output_file == "" and result.summary == ""
    assert result.stdout.startswith(UNKNOWN_KEY_WARNING)
    assert "\n## ✅ Manifold: valid\n" in result.stdout


@pytest.mark.parametrize("relative_to", ["GITHUB_WORKSPACE", "cwd"])
def test_relative_paths_resolve_against_the_workspace(
    run_action: RunAction, tmp_path: Path, relative_to: str
) -> None:
    work = tmp_path / "work"
    write(work, "svc/services.yaml", UNKNOWN_KEY)
    env = {} if relative_to == "GITHUB_WORKSPACE" else {"GITHUB_WORKSPACE": ""}
    result = run_action({"path": "svc", "sarif-file": "out.sarif"}, env=env, cwd=work)
    assert result.exit_code == 0
    assert result.commands()[0].startswith("::warning file=svc/services.yaml,line=10,col=7,")
    assert (work / "out.sarif").is_file()

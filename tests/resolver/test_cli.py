"""`manifold validate` and `manifold schema` as a user runs them: exit codes, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from resolver.cli import main
from tests.resolver.test_validate import BASE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "services.yaml").write_text(BASE)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "services.yaml").write_text(
        BASE.replace("dependsOn: [postgres]", "dependson: [postgres]").replace(
            "path: deploy/api.yaml.tpl", "path: ../../x.yaml"
        )
    )
    return tmp_path


def test_valid_file_exits_zero(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "validate", "services.yaml", "--complete")
    assert code == 0
    assert "services.yaml: ok" in out


def test_invalid_file_exits_one_with_a_code_frame(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "validate", "broken")
    assert code == 1
    line = next(i for i, text in enumerate(BASE.splitlines(), 1) if "deploy/api.yaml.tpl" in text)
    column = len("        - path: ") + 1
    assert f"broken/services.yaml:{line}:{column}: error[invalid_argument/invalid_path]" in out
    assert f"{line:>5} |         - path: ../../x.yaml" in out
    assert "      | " + " " * (column - 1) + "^\n" in out
    assert "hint: did you mean `dependsOn`?" in out


def test_warnings_pass_unless_strict(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    (repo / "warn.yaml").write_text(BASE.replace("dependsOn: [postgres]", "dependson: [postgres]"))
    assert run(capsys, "validate", "warn.yaml")[0] == 0
    assert run(capsys, "validate", "warn.yaml", "--strict")[0] == 1


def test_json_format(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "validate", "services.yaml", "broken", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert [f["path"] for f in data["files"]] == ["services.yaml", "broken/services.yaml"]
    assert [f["valid"] for f in data["files"]] == [True, False]
    assert data["files"][1]["dialect"] == "servicestack"
    diag = data["files"][1]["diagnostics"][0]
    assert set(diag) == {
        "severity",
        "code",
        "reason",
        "message",
        "line",
        "column",
        "pointer",
        "hint",
    }


def test_globs(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "validate", "**/services.yaml", "--format", "json")
    assert len(json.loads(out)["files"]) == 2
    assert code == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "missing.yaml"],
        ["validate", "nothing-*.yaml"],
        ["validate", "services.yaml", "--format", "xml"],
        ["validate"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_two(repo, capsys, monkeypatch, argv):
    monkeypatch.chdir(repo)
    with pytest.raises(SystemExit) as raised:
        code = main(argv)
        raise SystemExit(code)
    assert raised.value.code == 2
    assert capsys.readouterr().err


def test_hostile_files_are_diagnosed_not_crashed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bin.yaml").write_bytes(b"\x7fELF\x00\x01\x02")
    (tmp_path / "big.yaml").write_bytes(b"a: 1\n" * 300_000)
    code, out, _ = run(capsys, "validate", "bin.yaml", "big.yaml", "--format", "json")
    assert code == 1
    reasons = [f["diagnostics"][0]["reason"] for f in json.loads(out)["files"]]
    assert reasons == ["binary_content", "file_too_large"]


def test_schema_is_valid_and_accepts_real_files(capsys, upstream):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("codex-k8s-5c0315bd", "codex-k8s-c9db8ac5", "kodex-9cca0f4c"):
        doc = yaml.safe_load((upstream / name / "services.yaml").read_text())
        assert list(validator.iter_errors(doc)) == []
    bad = yaml.safe_load(BASE)
    bad["spec"]["services"][0]["dependsOn"] = "postgres"
    assert list(validator.iter_errors(bad))


def test_console_script_entry_point(repo):
    result = subprocess.run(
        [sys.executable, "-m", "resolver", "validate", str(repo / "services.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_unreadable_path_names_are_usage_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "x" * 5000]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert main(["validate", ""]) == 2


def test_standard_input(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"spec:\n  services: [x]\n")))
    code, out, _ = run(capsys, "validate", "-", "--format", "json")
    assert code == 1
    (result,) = json.loads(out)["files"]
    assert result["path"] == "<stdin>"
    assert [d["reason"] for d in result["diagnostics"]] == ["invalid_type"]
    assert result["diagnostics"][0]["line"] == 2

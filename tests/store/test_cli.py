"""`manifold db upgrade | downgrade | current`."""

from __future__ import annotations

import argparse
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from app.store.cli import register
from tests.store.conftest import Database


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="manifold")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_the_command_is_declared_as_an_entry_point() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    declared = pyproject["project"]["entry-points"]["manifold.commands"]["db"]
    assert declared == "app.store.cli:register"
    installed = [ep for ep in entry_points(group="manifold.commands") if ep.name == "db"]
    if not installed:
        pytest.skip("installed metadata predates the entry point: run `pip install -e .`")
    assert installed[0].load() is register


def test_upgrade_current_downgrade(
    empty_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MANIFOLD_DATABASE_URL", empty_db.url)
    assert run(["db", "current"]) == 0
    assert "base (empty; head is 0001)" in capsys.readouterr().out
    assert run(["db", "upgrade"]) == 0
    assert "upgraded base -> 0001 (head)" in capsys.readouterr().out
    assert run(["db", "upgrade", "--revision", "head"]) == 0
    assert "already at 0001 (head)" in capsys.readouterr().out
    assert run(["db", "current"]) == 0
    assert "0001 (head)" in capsys.readouterr().out
    assert run(["db", "downgrade", "base"]) == 0
    assert "downgraded 0001 -> base" in capsys.readouterr().out


def test_errors_have_distinct_exit_codes(
    empty_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MANIFOLD_DATABASE_URL", empty_db.url)
    assert run(["db", "upgrade", "--revision", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    monkeypatch.setenv("MANIFOLD_DATABASE_URL", "mysql://localhost/x")
    assert run(["db", "current"]) == 2
    assert "unsupported database URL" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        run(["db"])
    assert info.value.code == 2


def test_an_unreachable_database_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A closed port on loopback: refused at once. The password must not be printed.
    monkeypatch.setenv("MANIFOLD_DATABASE_URL", "postgresql://u:secret@127.0.0.1:9/x")
    assert run(["db", "current"]) == 1
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "secret" not in err

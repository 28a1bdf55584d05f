"""Settings from the environment, start-up errors, `manifold projects`, and `manifold serve` /
`manifold worker` as real processes (signals, graceful shutdown)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.settings import SettingsError, load_settings
from resolver.cli import main
from tests.app.helpers import SECRET
from tests.fakes.github import FakeGitHub
from tests.fakes.webhooks import signed_delivery

ROOT = Path(__file__).resolve().parents[2]
MANIFOLD = [sys.executable, "-c", "import sys; from resolver.cli import main; sys.exit(main())"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MANIFOLD_") and name not in ("MANIFOLD_FIXTURES",):
            monkeypatch.delenv(name)


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MANIFOLD_WEBHOOK_SECRET", " s3cret-old , s3cret-new,, ")
    monkeypatch.setenv("MANIFOLD_GITHUB_API_URL", "https://ghe.example.com/api/v3/")
    monkeypatch.setenv("MANIFOLD_WORKER_CONCURRENCY", "8")
    settings = load_settings()
    assert settings.webhook_secrets == ("s3cret-old", "s3cret-new")
    assert settings.github_api_url == "https://ghe.example.com/api/v3"
    assert settings.worker_concurrency == 8
    assert settings.max_body_bytes == 25 * 1024 * 1024
    assert "s3cret" not in repr(settings)  # secrets stay out of logs

    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\n...\n")
    monkeypatch.setenv("MANIFOLD_GITHUB_PRIVATE_KEY_PATH", str(key))
    assert load_settings().private_key().startswith("-----BEGIN")
    monkeypatch.setenv("MANIFOLD_GITHUB_PRIVATE_KEY", "line1\\nline2")
    monkeypatch.delenv("MANIFOLD_GITHUB_PRIVATE_KEY_PATH")
    assert load_settings().private_key() == "line1\nline2"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MANIFOLD_WORKER_CONCURRENCY", "many"),
        ("MANIFOLD_WORKER_CONCURRENCY", "0"),
        ("MANIFOLD_DATABASE_URL", "mysql://db/manifold"),
        ("MANIFOLD_GITHUB_API_URL", "ftp://github"),
        ("MANIFOLD_MAX_BODY_BYTES", "12"),
    ],
)
def test_invalid_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_startup_errors_exit_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2
    assert "MANIFOLD_WEBHOOK_SECRET is not set" in capsys.readouterr().err
    monkeypatch.setenv("MANIFOLD_WEBHOOK_SECRET", "s")
    assert main(["serve"]) == 2
    assert "MANIFOLD_GITHUB_APP_ID is not set" in capsys.readouterr().err
    monkeypatch.setenv("MANIFOLD_GITHUB_APP_ID", "12")
    assert main(["worker"]) == 2
    err = capsys.readouterr().err
    assert "MANIFOLD_GITHUB_PRIVATE_KEY or MANIFOLD_GITHUB_PRIVATE_KEY_PATH" in err
    monkeypatch.setenv("MANIFOLD_GITHUB_PRIVATE_KEY", "not a key")
    assert main(["serve"]) == 2
    assert "not a PEM private key" in capsys.readouterr().err


def test_projects_commands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MANIFOLD_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["projects", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("list") == (0, "no projects\n", "")
    assert run("create", "shop", "--mode", "off")[0] == 0
    code, _, err = run("create", "shop")
    assert code == 1 and "already exists" in err
    assert run("bind", "shop", "acme/orders-service", "--alias", "orders")[0] == 0
    assert run("bind", "shop", "acme/web", "--role", "mixed", "--docs-root", "docs")[0] == 0
    code, _, err = run("bind", "shop", "acme/other", "--alias", "orders")
    assert code == 1 and "already bound" in err
    code, _, err = run("bind", "shop", "not-a-full-name")
    assert code == 1 and "OWNER/NAME" in err
    code, _, err = run("bind", "shop", "acme/x", "--alias", "Bad Alias")
    assert code == 1 and "must match" in err
    code, _, err = run("bind", "nope", "acme/x")
    assert code == 1 and "no project named 'nope'" in err
    assert run("set-mode", "shop", "enforced")[0] == 0

    code, out, _ = run("show", "shop", "--json")
    shown = json.loads(out)
    assert shown["multi_repo_mode"] == "enforced"
    assert [(r["alias"], r["role"], r["name"]) for r in shown["repositories"]] == [
        ("orders", "service", "orders-service"),
        ("web", "mixed", "web"),
    ]
    code, out, _ = run("show", "shop")
    assert "orders" in out and "acme/orders-service@main" in out
    code, out, _ = run("list")
    assert out.startswith("shop") and "2 repositories" in out and "(virtual root)" in out

    assert run("unbind", "shop", "orders")[0] == 0
    code, _, err = run("unbind", "shop", "orders")
    assert code == 1 and "not bound" in err
    assert [r["alias"] for r in json.loads(run("list", "--json")[1])[0]["repositories"]] == ["web"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_and_worker_processes(fake_github: FakeGitHub, tmp_path: Path) -> None:
    gh = fake_github
    inst = gh.add_installation("acme", installation_id=31)
    gh.add_repo("acme/platform", installation=inst, files={"README.md": "x"})
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MANIFOLD_")},
        "MANIFOLD_WEBHOOK_SECRET": SECRET,
        "MANIFOLD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "MANIFOLD_GITHUB_APP_ID": str(gh.app_id),
        "MANIFOLD_GITHUB_PRIVATE_KEY": gh.private_key_pem,
        "MANIFOLD_GITHUB_API_URL": gh.url,
    }
    server = subprocess.Popen(
        [*MANIFOLD, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/readyz")
        payload = {
            "action": "created",
            "installation": {"id": 31, "account": {"login": "acme", "type": "Organization"}},
            "repositories": [{"id": 1, "name": "platform", "full_name": "acme/platform"}],
        }
        delivery = signed_delivery("installation", payload, SECRET)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/github/webhooks",
            data=delivery.body,
            headers=delivery.headers,
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 202
        # The in-process worker reads the repository's services.yaml on the fake GitHub.
        deadline = time.monotonic() + 15
        while not gh.calls("GET /repos/{owner}/{repo}/contents/{path}"):
            assert time.monotonic() < deadline, "the in-process worker did not run the refresh"
            time.sleep(0.05)
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert "worker" in output and "stopped" in output

    worker = subprocess.Popen(
        [*MANIFOLD, "worker", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/metrics")
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0].decode()
    assert worker.returncode == 0, output

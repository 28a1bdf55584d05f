"""Where the pinned npm fixtures live (fetched by `scripts/fetch-fixtures.sh`).

The cache is outside the repository: `$MANIFOLD_FIXTURES`, else
`~/.cache/manifold-fixtures`, one folder per `<package>@<version>`. A missing file fails the
test with the command to run; only `MANIFOLD_TEST_OFFLINE=1` turns that into a skip, so CI
can never pass by silently not running the spec checks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

OPENAPI_PACKAGE = "@octokit/openapi@23.0.2"
OPENAPI_FILE = "generated/api.github.com.json"
WEBHOOKS_PACKAGE = "@octokit/webhooks-examples@7.6.1"
WEBHOOKS_FILE = "api.github.com/index.json"


class FixtureMissing(RuntimeError):
    """A pinned fixture is not in the cache."""


def cache_dir() -> Path:
    configured = os.environ.get("MANIFOLD_FIXTURES")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "manifold-fixtures"


def fixture_path(package: str, relative: str) -> Path:
    """The cached file, or `FixtureMissing` naming the script that fetches it."""
    path = cache_dir() / package / relative
    if not path.is_file():
        raise FixtureMissing(
            f"{package} is not in the fixture cache ({path} is missing): "
            "run scripts/fetch-fixtures.sh (set MANIFOLD_FIXTURES to use another cache)"
        )
    return path


def require(package: str, relative: str) -> Path:
    """`fixture_path` for tests: fails the test, or skips it under MANIFOLD_TEST_OFFLINE=1."""
    try:
        return fixture_path(package, relative)
    except FixtureMissing as exc:
        missing = str(exc)
    if os.environ.get("MANIFOLD_TEST_OFFLINE") == "1":
        pytest.skip(f"offline run: {missing}")
    pytest.fail(missing, pytrace=False)


def openapi_path() -> Path:
    return require(OPENAPI_PACKAGE, OPENAPI_FILE)


def webhook_examples_path() -> Path:
    return require(WEBHOOKS_PACKAGE, WEBHOOKS_FILE)

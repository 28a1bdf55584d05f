#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs what the tests need (the Debian
# PostgreSQL server, the Python environment), then runs ruff, mypy, import-linter and pytest.
# `.ci/run` and `make test` both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

log "system packages (PostgreSQL server for the store tests, git)"
need_apt=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
command -v git >/dev/null || need_apt+=(git)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

log "python environment (.venv)"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

if [ -x scripts/fetch-fixtures.sh ]; then
  log "pinned test fixtures (npm)"
  scripts/fetch-fixtures.sh
fi

log "ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
log "mypy"
.venv/bin/mypy
log "import-linter"
.venv/bin/lint-imports
log "pytest"
set +e
.venv/bin/pytest -q -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"

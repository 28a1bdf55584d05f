#!/usr/bin/env bash
# The main job on embedded defaults: install Manifold into .venv, validate every bundled
# example, compose the combined example workspace into its effective services.yaml, then
# record the virtual-root example's bindings in the embedded SQLite database, as the App
# would store them. No server, no network, no GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
export PATH="$PWD/.venv/bin:$PATH"
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
export MANIFOLD_DATABASE_URL="sqlite+aiosqlite:///$demo_dir/manifold.db"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step manifold validate examples/a-monorepo 'examples/*/*/services.yaml' 'examples/*/*/deploy/services.yaml'
step manifold preview examples/f-combined --env ai --slot 1
step manifold preview examples/c-hybrid-orchestrator --format yaml --env production
step manifold db upgrade
step manifold projects create shop --mode preview
step manifold projects bind shop shop-org/catalog-service --alias catalog --role service
step manifold projects bind shop shop-org/orders-service --alias orders --role service
step manifold projects bind shop shop-org/storefront --role mixed --services-path deploy/services.yaml
step manifold projects show shop

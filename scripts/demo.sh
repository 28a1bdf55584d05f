#!/usr/bin/env bash
# The main job on embedded defaults: install Manifold into .venv, validate every bundled
# example, and compose the combined example workspace into its effective services.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
export PATH="$PWD/.venv/bin:$PATH"

set -x
manifold validate examples/a-monorepo 'examples/*/*/services.yaml'
manifold preview examples/f-combined --env ai --slot 1

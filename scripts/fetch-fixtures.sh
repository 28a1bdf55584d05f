#!/usr/bin/env bash
# Pinned test fixtures from npm, cached outside the repository.
#
#   ${MANIFOLD_FIXTURES:-$HOME/.cache/manifold-fixtures}/<package>@<version>/<file>
#
# Each package is fetched with `npm pack` (never `npm install`: @octokit/openapi unpacks to
# 404 MB), its tarball checked against the sha512 integrity pinned below (the value
# `npm view <pkg>@<ver> dist.integrity` prints), and only the files the tests read are
# extracted. Idempotent: a package whose stamp file matches is skipped without touching the
# network. tests/fakes/fixtures.py finds the files and names this script when they are missing.
set -euo pipefail

CACHE=${MANIFOLD_FIXTURES:-$HOME/.cache/manifold-fixtures}

# package version sha512-integrity file-in-tarball...
FIXTURES=(
  "@octokit/openapi 23.0.2 sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg== package/generated/api.github.com.json"
  "@octokit/webhooks-examples 7.6.1 sha512-De6U3XB6O3DtCa7bKgCMzTHdeopqqZ6SNivMYJnK65ierKL1AnNIA0tkRYCRS7lwGT792d+Ps1WbfHlso6MynQ== package/api.github.com/index.json"
  "@microsoft/sarif-multitool-linux 5.7.0 sha512-NxUbpq6ISCWoTQ/NfOYEwEDKq1Heka/rMoJ5R5LMydcAZQX/X7g5mWHcgxDub+0M07LC96tZ5LZHvF1Qy3gjTA== package/sarif-2.1.0.json"
)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

sha512_integrity() {
  if command -v openssl >/dev/null; then
    printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
  else
    python3 -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode(), end="")' "$1"
  fi
}

ensure_npm() {
  command -v npm >/dev/null && return 0
  if command -v apt-get >/dev/null; then
    echo "fixtures: installing npm (Debian package) to fetch the fixtures"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  command -v npm >/dev/null || { echo "fixtures: npm is needed to fetch the pinned fixtures" >&2; exit 1; }
}

fetch_one() {
  local pkg=$1 version=$2 integrity=$3
  shift 3
  local dest="$CACHE/$pkg@$version" stamp
  stamp="$dest/.integrity"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$integrity" ]; then
    local missing=0 file
    for file in "$@"; do [ -f "$dest/${file#package/}" ] || missing=1; done
    if [ "$missing" -eq 0 ]; then
      echo "fixtures: $pkg@$version cached in $dest"
      return 0
    fi
  fi
  ensure_npm
  local work="$WORK/$pkg@$version"
  mkdir -p "$work"
  echo "fixtures: fetching $pkg@$version"
  (cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
  local tarball
  tarball=$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)
  [ -n "$tarball" ] || { echo "fixtures: npm pack produced no tarball for $pkg@$version" >&2; exit 1; }
  local actual
  actual=$(sha512_integrity "$tarball")
  if [ "$actual" != "$integrity" ]; then
    echo "fixtures: integrity mismatch for $pkg@$version: expected $integrity, got $actual" >&2
    exit 1
  fi
  mkdir -p "$work/x"
  tar -xzf "$tarball" -C "$work/x" "$@"
  rm -rf "$dest.tmp"
  mkdir -p "$dest.tmp"
  local file
  for file in "$@"; do
    mkdir -p "$dest.tmp/$(dirname "${file#package/}")"
    mv "$work/x/$file" "$dest.tmp/${file#package/}"
  done
  printf '%s' "$integrity" >"$dest.tmp/.integrity"
  # Replace atomically enough: a half-written cache never carries a stamp.
  rm -rf "$dest"
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
  echo "fixtures: $pkg@$version ready in $dest"
}

mkdir -p "$CACHE"
for entry in "${FIXTURES[@]}"; do
  # shellcheck disable=SC2086  # word splitting is the point
  fetch_one $entry
done

"""Shared fixtures: where the upstream corpus and the examples are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UPSTREAM = ROOT.parent / "shared" / "upstream"


@pytest.fixture
def upstream() -> Path:
    """The real upstream services.yaml corpus (../shared/upstream); skipped when absent."""
    if not UPSTREAM.is_dir():
        pytest.skip("../shared/upstream is not present on this machine")
    return UPSTREAM

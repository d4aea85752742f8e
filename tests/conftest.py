"""Shared test helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The team's shared development data, when present beside the repository (skips otherwise)."""
    if not SHARED_DATA.exists():
        pytest.skip("shared development data not present")
    return SHARED_DATA


def in_ci() -> bool:
    return bool(os.environ.get("CI"))

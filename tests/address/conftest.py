"""Fixtures of the address tests: the shared NAACL data (skips when absent), a small synthetic city."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from gridwatch.address.synthetic import make_city, noisy_customers

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _shared() -> Path | None:
    for cand in (
        SHARED_DATA,
        Path(os.environ.get("GRIDWATCH_SHARED_DATA", ""))
        if os.environ.get("GRIDWATCH_SHARED_DATA")
        else None,
    ):
        if cand is not None and (cand / "address" / "naacl2019").exists():
            return cand
    return None


@pytest.fixture
def naacl_dir() -> Path:
    root = _shared()
    if root is None:
        pytest.skip("shared address data not present")
    return root / "address" / "naacl2019"


@pytest.fixture(scope="session")
def city() -> pa.Table:
    return make_city(60)


@pytest.fixture(scope="session")
def city_customers(city: pa.Table) -> tuple[pa.Table, dict[str, tuple[str, str]]]:
    return noisy_customers(city, 450)

from __future__ import annotations

from pathlib import Path

import pytest

from gridwatch.sim.city import simulate
from gridwatch.sim.params import SimParams

SMALL = {"customers": 300, "days": 30, "interval": 15, "interval_days": 7, "seed": 7}


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("city")
    manifest = simulate(SimParams(**SMALL), out)
    return out, manifest


@pytest.fixture(scope="session")
def year_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """2,000 customers over a year (daily only): enough workshops and story lines for property checks."""
    out = tmp_path_factory.mktemp("year")
    manifest = simulate(SimParams(customers=2000, days=365, seed=11, format="parquet"), out)
    return out, manifest

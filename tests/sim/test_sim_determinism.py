"""Same seed → same bytes, whatever the chunking or the number of workers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gridwatch.sim.city import simulate
from gridwatch.sim.params import SimParams

BASE = {"customers": 2300, "days": 12, "interval": 30, "interval_days": 2, "seed": 5}


def digest(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("ref")
    simulate(SimParams(**BASE, chunk_blocks=2), out)
    return digest(out)


def test_same_seed_same_files(reference, tmp_path):
    simulate(SimParams(**BASE, chunk_blocks=2), tmp_path)
    assert digest(tmp_path) == reference


def test_chunk_size_does_not_change_output(reference, tmp_path):
    simulate(SimParams(**BASE, chunk_blocks=1), tmp_path)
    got = digest(tmp_path)
    assert [name for name in reference if got.get(name) != reference[name]] == []


def test_workers_do_not_change_output(reference, tmp_path):
    simulate(SimParams(**BASE, chunk_blocks=3, workers=2), tmp_path)
    got = digest(tmp_path)
    assert [name for name in reference if got.get(name) != reference[name]] == []


def test_other_seed_other_files(reference, tmp_path):
    simulate(SimParams(**{**BASE, "seed": 6}, chunk_blocks=2), tmp_path)
    other = digest(tmp_path)
    assert other["readings_daily.csv"] != reference["readings_daily.csv"]
    assert other["customers.csv"] != reference["customers.csv"]

"""docs/SIMULATOR.md documents every parameter, kind, trade, pattern and noise of the simulator."""

from __future__ import annotations

from pathlib import Path

from gridwatch.sim import addresses, docs, kinds

DOC = Path(__file__).resolve().parents[2] / "docs" / "SIMULATOR.md"


def test_generated_tables_are_current():
    text = DOC.read_text(encoding="utf-8")
    a, b = text.index(docs.START), text.index(docs.END) + len(docs.END)
    assert text[a:b] == docs.render(), "run: python -m gridwatch.sim.docs docs/SIMULATOR.md"


def test_every_pattern_and_noise_is_explained():
    text = DOC.read_text(encoding="utf-8")
    prose = text[: text.index(docs.START)]
    patterns = ("night_shift", "all_week", "rain_burst", "intermittent", "sudden_start", "moved_away",
                "resurged_elsewhere", "resurgent", "moved_in", "closed_firm_consuming", "deregistered_stopped",
                "three_shift")
    for name in (*patterns, *addresses.COMPONENT_NOISES, *addresses.TEXT_NOISES, *kinds.TRADE_NAMES):
        assert name in prose, name
    readme = (Path(kinds.__file__).parent / "data" / "truth_README.md").read_text(encoding="utf-8")
    for name in (*patterns, *addresses.COMPONENT_NOISES, *addresses.TEXT_NOISES, *kinds.KIND_NAMES):
        assert name in readme, name

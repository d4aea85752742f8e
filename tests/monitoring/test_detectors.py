"""Detectors on real-time sequences (pure: no database, no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from gridwatch.monitoring.detectors.base import (
    DETECTORS,
    DetectContext,
    DeviceState,
    Observation,
    build_detectors,
    to_seconds,
)
from gridwatch.monitoring.registry import ChannelInfo, PointInfo, Restriction, Snapshot
from gridwatch.monitoring.settings import DetectorSettings

T0 = datetime(2026, 11, 23, 8, 0)
PROD = ChannelInfo("p1", "production", None, 30.0, "Ip1", "Pp1", "Ep1")
TREAT = ChannelInfo("t1", "treatment", "p1", 5.0, "It1", "Pt1", "Et1")
POINT = PointInfo("MN1", "pw", "E1", True, (PROD, TREAT))


def detector(name: str):
    return next(d for d in build_detectors([]) if d.name == name)


def run(
    name: str,
    seq,
    *,
    settings: DetectorSettings | None = None,
    snapshot: Snapshot | None = None,
    step_min: float = 1.0,
    kwh=None,
):
    """Feed (p1 kW, t1 kW) per minute; return the findings after each frame."""
    det = detector(name)
    dev = DeviceState(POINT)
    ctx = DetectContext(settings or DetectorSettings(), snapshot or Snapshot())
    out = []
    for i, (p, t) in enumerate(seq):
        at = T0 + timedelta(minutes=i * step_min)
        obs = Observation(
            at, to_seconds(at), {"p1": p, "t1": t}, {"p1": None if kwh is None else kwh[i], "t1": None}
        )
        dev.remember(obs)
        out.append([replace(f, evidence=f.evidence_data()) for f in det.observe(dev, obs, ctx)])
        dev.last_t = obs.t
    return out


def grades(findings_per_frame):
    return [f[0].grade if f else None for f in findings_per_frame]


def test_registry_has_every_model() -> None:
    build_detectors([])
    assert {
        "treatment_off",
        "ratio_low",
        "offline",
        "data_gap",
        "flatline",
        "implausible",
        "restriction",
    } <= set(DETECTORS)
    with pytest.raises(ValueError, match="unknown detectors"):
        build_detectors(["nope"])


def test_treatment_off_grades_by_duration_and_resolves() -> None:
    seq = [(20.0, 3.0)] * 5 + [(20.0, 0.0)] * 35 + [(20.0, 3.0)] * 3
    g = grades(run("treatment_off", seq))
    assert g[:7] == [None] * 7  # off for < 2 min: nothing
    assert g[7] == "notice"  # 2 min
    assert g[15] == "warning"  # 10 min
    assert g[35] == "severe"  # 30 min
    assert g[-3:] == [None] * 3  # running again: resolved
    assert run("treatment_off", seq)[35][0].evidence_data()["power_kw"]["t1"][-1] == 0.0


def test_treatment_off_not_raised_when_production_stopped() -> None:
    assert all(f == [] for f in run("treatment_off", [(0.5, 0.0)] * 60))


def test_ratio_low_learns_band_then_alarms() -> None:
    normal = [(20.0 + (i % 5), 3.0 + 0.1 * (i % 3)) for i in range(80)]
    weak = [(22.0, 1.0)] * 70
    g = grades(run("ratio_low", normal + weak))
    assert set(g[:80]) == {None}
    assert g[80 + 5] == "notice" and g[80 + 15] == "warning" and g[80 + 60] == "severe"
    assert grades(run("ratio_low", normal + weak + normal[:2]))[-1] is None


def test_ratio_low_silent_before_enough_history() -> None:
    assert set(grades(run("ratio_low", [(20.0, 1.0)] * 50))) == {None}


def test_flatline_and_noise() -> None:
    flat = [(20.0, 3.0)] * 130
    g = grades(run("flatline", flat))
    assert g[28] is None and g[29] == "warning" and g[125] == "severe"
    noisy = [(20.0 + 0.01 * (i % 7), 3.0 + 0.01 * (i % 5)) for i in range(130)]
    assert set(grades(run("flatline", noisy))) == {None}
    assert set(grades(run("flatline", [(0.0, 0.0)] * 130))) == {None}  # stopped plant reads 0: fine


def test_implausible_values() -> None:
    g = grades(run("implausible", [(20.0, 3.0), (-1.0, 3.0), (200.0, 3.0), (150.0, 3.0), (20.0, 3.0)]))
    assert g == [None, "notice", "notice", "warning", None]
    back = run("implausible", [(20.0, 3.0)] * 3, kwh=[100.0, 101.0, 99.0])
    assert "kWh counter fell" in back[2][0].summary


def test_data_gap() -> None:
    out = run("data_gap", [(20.0, 3.0)] * 3, step_min=10)
    assert out[0] == [] and out[1][0].grade == "notice"
    assert run("data_gap", [(20.0, 3.0)] * 3, step_min=1)[2] == []


def test_offline_sweep_uses_wall_clock() -> None:
    det = detector("offline")
    dev = DeviceState(POINT)
    ctx = DetectContext(DetectorSettings(), Snapshot())
    assert det.sweep(dev, 1000.0, ctx) is None  # never seen
    dev.last_wall = 1000.0
    assert det.sweep(dev, 1100.0, ctx) == []
    assert det.sweep(dev, 1000.0 + 601, ctx)[0].grade == "warning"
    assert det.sweep(dev, 1000.0 + 3601, ctx)[0].grade == "severe"


def _restricted(action: str, pct: float) -> Snapshot:
    start = T0 + timedelta(minutes=60)
    return Snapshot(
        restrictions=[Restriction(1, "orange", None, action, pct, start, start + timedelta(hours=3))]
    )


def test_restriction_limit_complied_and_breached() -> None:
    history = [(20.0 + (i % 3), 3.0) for i in range(60)]  # normal ≈ 22 kW (p90)
    complied = [(12.0, 2.0)] * 40  # limit 50% → allowed 22 × 0.5 × 1.1 = 12.1
    snap = _restricted("limit", 50)
    assert set(grades(run("restriction", history + complied, snapshot=snap))) == {None}
    breached = [(18.0, 3.0)] * 40
    g = grades(run("restriction", history + breached, snapshot=snap))
    assert g[60 + 4] is None and g[60 + 5] == "notice" and g[60 + 10] == "warning" and g[60 + 30] == "severe"


def test_restriction_stop_and_plan_override() -> None:
    history = [(20.0, 3.0)] * 60
    snap = _restricted("limit", 10)
    snap.plans[("E1", "orange")] = ("stop", 0.0)  # its emergency plan says stop
    g = grades(run("restriction", history + [(5.0, 1.0)] * 31, snapshot=snap))
    assert g[-1] == "severe"
    assert set(grades(run("restriction", history + [(0.3, 0.0)] * 31, snapshot=snap))) == {None}


def test_stuck_meter_is_not_trusted_by_other_detectors() -> None:
    """A production meter stuck at one value must not make treatment look switched off in breach."""
    dets = [d for d in build_detectors([]) if d.name in ("flatline", "treatment_off")]
    dev = DeviceState(POINT)
    ctx = DetectContext(DetectorSettings(), Snapshot())
    seq = [(20.0, 3.0 + 0.01 * (i % 3)) for i in range(40)] + [(20.0, 0.0)] * 60  # stuck p1, t1 off
    last = {}
    for i, (p, t) in enumerate(seq):
        at = T0 + timedelta(minutes=i)
        obs = Observation(at, to_seconds(at), {"p1": p, "t1": t}, {})
        dev.remember(obs)
        last = {d.name: d.observe(dev, obs, ctx) for d in dets}
        dev.last_t = obs.t
    assert "p1" in dev.untrusted
    assert last["treatment_off"] == []
    assert last["flatline"][0].channel_id == "p1"


def test_channel_layout_follows_a_reloaded_point() -> None:
    """Channels by kind and pairs are cached per point; a new registry snapshot's point replaces them."""
    from gridwatch.monitoring.detectors.base import DeviceState
    from gridwatch.monitoring.registry import ChannelInfo, PointInfo

    def ch(cid: str, kind: str, pairs: str | None = None) -> ChannelInfo:
        return ChannelInfo(cid, kind, pairs, 10.0, f"{cid}i", f"{cid}p", f"{cid}e")

    old = PointInfo("MN1", "pw", "E1", True, (ch("P1", "production"), ch("T1", "treatment", "P1")))
    dev = DeviceState(old)
    assert [(t.channel_id, p.channel_id) for t, p in dev.pairs()] == [("T1", "P1")]
    new = PointInfo(
        "MN1", "pw", "E1", True, (ch("P1", "production"), ch("P2", "production"), ch("T2", "treatment", "P2"))
    )
    dev.point = new
    assert [(t.channel_id, p.channel_id) for t, p in dev.pairs()] == [("T2", "P2")]
    assert [c.channel_id for c in dev.channels("production")] == ["P1", "P2"]
    assert dev.channels("other") == []

"""(12) Production above the allowed level during a declared stop/limit period (停产限产).

Normal production is the ``restriction_baseline_quantile`` of the point's total production power while
running, learned outside restriction periods (rated kW until enough history).  During a period the
enterprise's emergency plan (else the period's default) says ``stop`` (allowed: standby only) or
``limit`` X% (allowed: normal × (1 − X/100) × (1 + tolerance)).
"""

from __future__ import annotations

from collections import deque

from gridwatch.monitoring.detectors.base import (
    DetectContext,
    DeviceState,
    Finding,
    Observation,
    Persistence,
    grade_for,
    on_threshold,
    register,
)
from gridwatch.monitoring.registry import ChannelInfo
from gridwatch.monitoring.settings import DetectorSettings

_MIN_HISTORY = 30


def _standby(scratch: dict, prods: list[ChannelInfo], s: DetectorSettings) -> float:
    """Sum of the production channels' on-thresholds, computed once per channel list and settings."""
    cached = scratch.get("standby")
    if cached is not None and cached[0] is prods and cached[1] is s:
        return cached[2]
    standby = sum(on_threshold(c, s) for c in prods)
    scratch["standby"] = (prods, s, standby)
    return standby


@register("restriction")
class RestrictionBreach:
    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        s = ctx.settings
        prods = dev.channels("production")
        if not prods:
            return []
        scratch = dev.scratch.setdefault(self.name, {})
        held = Persistence(scratch)
        values = [dev.power(obs, c.channel_id) for c in prods]
        if None in values:
            return [scratch["last"]] if "last" in scratch else []
        total = float(sum(values))  # type: ignore[arg-type]
        standby = _standby(scratch, prods, s)
        active = ctx.snapshot.restriction_for(dev.point.enterprise_id, obs.data_time)
        hist: deque[float] | None = scratch.get("hist")
        if hist is None:  # (not setdefault: that would build a deque on every frame)
            hist = scratch["hist"] = deque(maxlen=s.ratio_history)
        if active is None:
            if total > standby:
                hist.append(total)
            held.clear("production")
            scratch.pop("last", None)
            return []
        restriction, action, pct = active
        if len(hist) >= _MIN_HISTORY:
            ordered = sorted(hist)
            normal = ordered[int(s.restriction_baseline_quantile * (len(ordered) - 1))]
        else:
            normal = sum(c.rated_kw or 0.0 for c in prods) or standby
        allowed = (
            standby
            if action == "stop"
            else max(standby, normal * (1 - pct / 100) * (1 + s.restriction_tolerance))
        )
        if total <= allowed:
            held.clear("production")
            scratch.pop("last", None)
            return []
        duration = held.hold("production", obs.t)
        steps = (
            (s.restriction_notice_s, "notice"),
            (s.restriction_warning_s, "warning"),
            (s.restriction_severe_s, "severe"),
        )
        grade = grade_for(duration, steps)
        if grade is None:
            return []
        what = "stop" if action == "stop" else f"limit {pct:g}%"
        finding = Finding(
            key="production",
            grade=grade,
            summary=f"{restriction.level} restriction ({what}): production {total:.1f} kW above allowed "
            f"{allowed:.1f} kW for {duration / 60:.0f} min",
            evidence=dev.evidence(
                [c.channel_id for c in prods],
                allowed_kw=allowed,
                normal_kw=normal,
                restriction_id=restriction.id,
            ),
        )
        scratch["last"] = finding
        return [finding]

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> None:
        return None

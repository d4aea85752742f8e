"""(10) Treatment/production power ratio below the pair's normal band, learned from its own history.

While both facilities run, the ratio treatment kW / production kW is recorded; the band's lower edge is
the ``ratio_quantile`` of the recorded ratios times ``ratio_band_factor``.  Ratios observed while the pair
is in breach are not learned (a cheat must not teach the detector its new normal).
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
    is_on,
    register,
)

_RECOMPUTE_EVERY = 25


@register("ratio_low")
class RatioLow:
    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        s = ctx.settings
        scratch = dev.scratch.setdefault(self.name, {})
        held = Persistence(scratch)
        last: dict[str, Finding] = scratch.setdefault("last", {})
        steps = ((s.ratio_notice_s, "notice"), (s.ratio_warning_s, "warning"), (s.ratio_severe_s, "severe"))
        out: list[Finding] = []
        for treat, prod in dev.pairs():
            key = treat.channel_id
            tp, pp = dev.power(obs, treat.channel_id), dev.power(obs, prod.channel_id)
            if tp is None or pp is None:
                if key in last:
                    out.append(last[key])
                continue
            if not (is_on(tp, treat, s) and is_on(pp, prod, s)):
                held.clear(key)
                last.pop(key, None)
                continue
            ratio = tp / pp
            bands = scratch.get("band")
            if bands is None:
                bands = scratch["band"] = {}
            band = bands.get(key)
            if band is None:  # (not setdefault: that would build a deque on every frame)
                band = bands[key] = {"hist": deque(maxlen=s.ratio_history)}
            lower = band.get("lower")
            if lower is not None and ratio < lower:
                duration = held.hold(key, obs.t)
                grade = grade_for(duration, steps)
                if grade is not None:
                    last[key] = Finding(
                        key=key,
                        grade=grade,
                        channel_id=key,
                        summary=f"treatment/production ratio {ratio:.3f} below normal band {lower:.3f} "
                        f"for {duration / 60:.0f} min",
                        evidence=dev.evidence([prod.channel_id, key], ratio=ratio, band_lower=lower),
                    )
                    out.append(last[key])
                continue
            held.clear(key)
            last.pop(key, None)
            hist: deque[float] = band["hist"]
            hist.append(ratio)
            band["n"] = band.get("n", 0) + 1
            if len(hist) >= s.ratio_min_samples and (lower is None or band["n"] % _RECOMPUTE_EVERY == 0):
                ordered = sorted(hist)
                band["lower"] = ordered[int(s.ratio_quantile * (len(ordered) - 1))] * s.ratio_band_factor
        return out

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> None:
        return None

"""(11) Flat-lined and implausible values — signs of a tampered or broken monitor."""

from __future__ import annotations

from gridwatch.monitoring.detectors.base import (
    DetectContext,
    DeviceState,
    Finding,
    Observation,
    on_threshold,
    register,
)


@register("flatline")
class Flatline:
    """A running facility's power never moves: real loads fluctuate, a replayed or stuck value does not."""

    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        s = ctx.settings
        scratch = dev.scratch.setdefault(self.name, {})
        out: list[Finding] = []
        for ch in dev.point.channels:
            key = ch.channel_id
            value = obs.power.get(key)
            prev, run = scratch.get(key, (None, 0))
            if value is None:
                run = run if prev is not None else 0
            elif (
                prev is not None and abs(value - prev) <= s.flatline_tolerance and value > on_threshold(ch, s)
            ):
                run += 1
            else:
                run = 1
            scratch[key] = (value if value is not None else prev, run)
            if run >= s.flatline_samples:
                dev.untrusted.add(key)
            else:
                dev.untrusted.discard(key)
            if run >= s.flatline_samples:
                grade = "severe" if run >= s.flatline_severe_samples else "warning"
                out.append(
                    Finding(
                        key=key,
                        grade=grade,
                        channel_id=key,
                        summary=f"{ch.kind} channel {key} flat at {prev} kW for {run} frames",
                        evidence=dev.evidence([key]),
                    )
                )
        return out

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> None:
        return None


@register("implausible")
class Implausible:
    """Negative power, power above rated × factor, or a kWh counter running backwards."""

    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        s = ctx.settings
        scratch = dev.scratch.setdefault(self.name, {})
        out: list[Finding] = []
        for ch in dev.point.channels:
            key = ch.channel_id
            reasons: list[str] = []
            p = obs.power.get(key)
            if p is not None and p < 0:
                reasons.append(f"negative power {p} kW")
            if p is not None and ch.rated_kw and p > ch.rated_kw * s.implausible_factor:
                reasons.append(f"power {p} kW above {s.implausible_factor:g} × rated {ch.rated_kw} kW")
            e = obs.kwh.get(key)
            last_e = scratch.get(("kwh", key))
            if e is not None:
                if last_e is not None and e < last_e - 1e-6:
                    reasons.append(f"kWh counter fell from {last_e} to {e}")
                scratch[("kwh", key)] = e
            run = scratch.get(key, 0) + 1 if reasons else 0
            scratch[key] = run
            if reasons:
                grade = "warning" if run >= s.implausible_warning_samples else "notice"
                out.append(
                    Finding(
                        key=key,
                        grade=grade,
                        channel_id=key,
                        summary=f"{ch.kind} channel {key}: " + "; ".join(reasons),
                        evidence=dev.evidence([key]),
                    )
                )
        return out

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> None:
        return None

"""(11) Monitor offline (wall clock) and data gaps (DataTime jumps)."""

from __future__ import annotations

from gridwatch.monitoring.detectors.base import (
    DetectContext,
    DeviceState,
    Finding,
    Observation,
    from_seconds,
    grade_for,
    register,
)
from gridwatch.monitoring.settings import DetectorSettings


@register("offline")
class Offline:
    """Grades the silence since the last frame; any frame ends the condition."""

    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        return []

    def sweep_after_s(self, settings: DetectorSettings) -> float:
        return settings.offline_warning_s

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> list[Finding] | None:
        if dev.last_wall is None:
            return None
        s = ctx.settings
        silence = wall - dev.last_wall
        grade = grade_for(silence, ((s.offline_warning_s, "warning"), (s.offline_severe_s, "severe")))
        if grade is None:
            return []
        last = from_seconds(dev.last_t).isoformat() if dev.last_t is not None else None
        return [
            Finding(
                key="point",
                grade=grade,
                summary=f"monitor silent for {silence / 60:.0f} min",
                evidence=dev.evidence([c.channel_id for c in dev.point.channels], last_data_time=last),
            )
        ]


@register("data_gap")
class DataGap:
    """A frame whose DataTime is far after the previous one: notice until the next regular frame."""

    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        if dev.last_t is None:
            return []
        gap = obs.t - dev.last_t
        if gap <= ctx.settings.data_gap_s:
            return []
        return [
            Finding(
                key="point",
                grade="notice",
                summary=f"data gap of {gap / 60:.0f} min before {obs.data_time.isoformat()}",
                evidence={
                    "gap_s": gap,
                    "from": from_seconds(dev.last_t).isoformat(),
                    "to": obs.data_time.isoformat(),
                },
            )
        ]

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> None:
        return None

"""What detectors see and return, the per-device state they keep, and the detector registry.

A detector is called for every data frame of a monitoring point (``observe``) and, for those that watch
silence, on a timer (``sweep``).  It returns the conditions *currently* present for that point (a list of
:class:`Finding`); the alarm book opens, escalates, de-duplicates and resolves alarms from those lists, so
a detector never touches the database.  Durations are measured in the frames' DataTime (the device
clock), except silence, which only the wall clock can see.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from gridwatch.monitoring.registry import ChannelInfo, PointInfo, Snapshot
from gridwatch.monitoring.settings import DetectorSettings

GRADES = ("notice", "warning", "severe")
EPOCH = datetime(1970, 1, 1)


def to_seconds(dt: datetime) -> float:
    """Naive device-local DataTime → seconds on a linear scale (no time-zone arithmetic)."""
    return (dt - EPOCH).total_seconds()


def from_seconds(t: float) -> datetime:
    return EPOCH + timedelta(seconds=t)


GRADE_RANK = {g: i for i, g in enumerate(GRADES)}


@dataclass(frozen=True)
class Finding:
    """A condition present now. ``key`` tells apart conditions of one detector at one point.

    ``evidence`` may be a function: it is only called when an alarm is opened or escalated, so the
    frames that merely confirm an open alarm cost nothing.
    """

    key: str
    grade: str
    summary: str
    channel_id: str | None = None
    evidence: dict | Callable[[], dict] = field(default_factory=dict)

    def evidence_data(self) -> dict:
        return self.evidence() if callable(self.evidence) else self.evidence


@dataclass(slots=True)
class Observation:
    """One data frame reduced to what detectors use: powers [kW] and kWh per channel."""

    data_time: datetime
    t: float  # data_time as seconds since the epoch (device clock)
    power: dict[str, float | None]
    kwh: dict[str, float | None]


@dataclass
class DeviceState:
    """What is remembered about one monitoring point between frames."""

    point: PointInfo
    curve_len: int = 120
    last_t: float | None = None
    last_wall: float | None = None
    curve: deque[tuple[float, dict[str, float | None]]] = field(default_factory=deque)
    scratch: dict[str, dict] = field(default_factory=dict)
    untrusted: set[str] = field(default_factory=set)  # channels whose meter looks stuck or broken
    _layout_cache: tuple[PointInfo, tuple] | None = field(default=None, repr=False, compare=False)

    def power(self, obs: Observation, channel_id: str) -> float | None:
        """A channel's power, or ``None`` when absent or when its meter is not trusted right now."""
        return None if channel_id in self.untrusted else obs.power.get(channel_id)

    def channels(self, kind: str) -> list[ChannelInfo]:
        return self._layout()[0].get(kind, [])

    def pairs(self) -> list[tuple[ChannelInfo, ChannelInfo]]:
        """(treatment, production) channel pairs."""
        return self._layout()[1]

    def _layout(self) -> tuple[dict[str, list[ChannelInfo]], list[tuple[ChannelInfo, ChannelInfo]]]:
        """Channels by kind and the pairs, computed once per registry point (not once per frame)."""
        cached = self._layout_cache
        if cached is not None and cached[0] is self.point:
            return cached[1]
        channels = self.point.channels
        by_kind: dict[str, list[ChannelInfo]] = {}
        for c in channels:
            by_kind.setdefault(c.kind, []).append(c)
        by_id = {c.channel_id: c for c in channels}
        pairs = [
            (c, by_id[c.pairs_with]) for c in channels if c.kind == "treatment" and c.pairs_with in by_id
        ]
        self._layout_cache = (self.point, (by_kind, pairs))
        return by_kind, pairs

    def remember(self, obs: Observation) -> None:
        self.curve.append((obs.t, obs.power))
        while len(self.curve) > self.curve_len:
            self.curve.popleft()

    def evidence(self, channel_ids: list[str], **extra: object) -> Callable[[], dict]:
        """The evidence curve (recent DataTimes and the listed channels' powers), built when asked."""
        return lambda: {**self.evidence_now(channel_ids), **extra}

    def evidence_now(self, channel_ids: list[str]) -> dict:
        return {
            "t": [from_seconds(t).strftime("%Y-%m-%dT%H:%M:%S") for t, _ in self.curve],
            "power_kw": {c: [p.get(c) for _, p in self.curve] for c in channel_ids},
        }


@dataclass
class DetectContext:
    settings: DetectorSettings
    snapshot: Snapshot


def is_on(power: float | None, channel: ChannelInfo, s: DetectorSettings) -> bool | None:
    """Running state from power: above max(on_min_kw, on_fraction × rated)."""
    if power is None:
        return None
    return power > on_threshold(channel, s)


def on_threshold(channel: ChannelInfo, s: DetectorSettings) -> float:
    return max(s.on_min_kw, s.on_fraction * (channel.rated_kw or 0.0))


def grade_for(duration: float, steps: tuple[tuple[float, str], ...]) -> str | None:
    """The highest grade whose threshold the duration reached; steps are (threshold, grade) ascending."""
    grade = None
    for threshold, g in steps:
        if duration >= threshold:
            grade = g
    return grade


class Persistence:
    """When each condition began (DataTime seconds), kept in a detector's scratch space."""

    def __init__(self, scratch: dict) -> None:
        since = scratch.get("since")
        if since is None:
            since = scratch["since"] = {}
        self._since: dict[str, float] = since

    def hold(self, key: str, t: float) -> float:
        """The condition holds at ``t``: returns how long it has held."""
        start = self._since.setdefault(key, t)
        return t - start

    def clear(self, key: str) -> None:
        self._since.pop(key, None)

    def active(self, key: str) -> bool:
        return key in self._since


class Detector(Protocol):
    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        """Conditions present after this frame."""
        ...

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> list[Finding] | None:
        """Conditions present on a timer tick, or ``None`` when the detector only reacts to frames."""
        ...


def sweep_after_s(detector: Detector, settings: DetectorSettings) -> float | None:
    """Silence [s] after which a timer-driven detector needs to look at a device (``None``: never)."""
    fn = getattr(detector, "sweep_after_s", None)
    return fn(settings) if fn is not None else None


DETECTORS: dict[str, Callable[[], Detector]] = {}


def register(name: str) -> Callable[[type], type]:
    """Class decorator: put a detector in the registry under ``name``."""

    def wrap(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        DETECTORS[name] = cls
        return cls

    return wrap


def build_detectors(disabled: list[str]) -> list[Detector]:
    """One instance of every registered detector except the disabled ones."""
    from gridwatch.monitoring.detectors import load_builtin

    load_builtin()
    unknown = sorted(set(disabled) - set(DETECTORS))
    if unknown:
        raise ValueError(
            f"monitoring.disabled_detectors: unknown detectors {unknown}; known: {sorted(DETECTORS)}"
        )
    return [factory() for name, factory in DETECTORS.items() if name not in disabled]

"""Small builders shared by the monitoring tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from gridwatch.monitoring.hj212 import build_frame

T0 = datetime(2026, 11, 23, 8, 0, 0)


def power_frame(
    mn: str,
    pw: str,
    at: datetime,
    powers: dict[str, float],
    *,
    flag: int = 5,
    kwh: dict[str, float] | None = None,
) -> bytes:
    cp: dict = {"DataTime": at.strftime("%Y%m%d%H%M%S")}
    for ch, p in powers.items():
        cp[f"P{ch}"] = {"Rtd": f"{p:.3f}", "Flag": "N"}
    for ch, e in (kwh or {}).items():
        cp[f"E{ch}"] = {"Rtd": f"{e:.3f}"}
    return build_frame(
        qn=at.strftime("%Y%m%d%H%M%S") + "000", st="32", cn="2011", pw=pw, mn=mn, flag=flag, cp=cp
    )


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)

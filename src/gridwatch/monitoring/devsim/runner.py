"""``gridwatch simulate-devices``: simulated firms send HJ 212 frames over TCP; alarms are scored.

Each firm is one TCP connection sending one frame per simulated minute (Flag=5) and waiting for the
gateway's 9014 before the next — so every frame counted was stored.  Simulated time runs from the start
of the run (rounded to the minute) at ``step_s`` seconds per frame, as fast as the gateway answers unless
``speed`` paces it.  Afterwards the alarms raised for the firms' MNs are compared with each firm's
scenario (caught / missed / false alarms), and the time from sending a frame to receiving its reply (the
alarm it triggers is committed in the same transaction) is summarised.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from gridwatch.monitoring.devsim import firms as fm
from gridwatch.monitoring.devsim.firms import Curve, SimFirm
from gridwatch.monitoring.hj212.frame import build_frame
from gridwatch.monitoring.hj212.stream import FrameSplitter
from gridwatch.monitoring.registry import add_device, declare_restriction, read_submeters, set_plan
from gridwatch.monitoring.tables import MonAlarm
from gridwatch.store.db import make_engine, migrate, session_factory
from gridwatch.workspace import Workspace

LEVEL = "sim"


def frame_for(firm: SimFirm, at: datetime, powers: dict[str, float], *, flag: int = 5) -> bytes:
    cp: dict = {"DataTime": at.strftime("%Y%m%d%H%M%S")}
    for c in firm.channels:
        cur, pw, kwh = c.codes()
        p = powers[c.channel_id]
        firm.kwh[c.channel_id] = firm.kwh.get(c.channel_id, 1000.0) + max(p, 0) / 60
        cp[cur] = {"Rtd": f"{max(p, 0) / 0.38 / 1.732:.2f}", "Flag": "N"}
        cp[pw] = {"Rtd": f"{p:.3f}", "Flag": "N"}
        cp[kwh] = {"Rtd": f"{firm.kwh[c.channel_id]:.2f}", "Flag": "N"}
    return build_frame(
        qn=at.strftime("%Y%m%d%H%M%S") + "000",
        st="32",
        cn="2011",
        pw=firm.password,
        mn=firm.mn,
        flag=flag,
        cp=cp,
    )


def register_firms(url: str, firms: list[SimFirm], start: datetime, step_s: float) -> None:
    migrate(url)
    with session_factory(make_engine(url))() as s, s.begin():
        for f in firms:
            add_device(
                s,
                mn=f.mn,
                password=f.password,
                enterprise_id=f.enterprise_id,
                enterprise_name=f.name,
                account_no=f.account_no,
                channels=f.channels,
            )
        s.flush()
        for f in firms:
            if f.restriction is None:
                continue
            action, pct = f.restriction
            set_plan(s, enterprise_id=f.enterprise_id, level=LEVEL, action=action, limit_pct=pct)
            begin = start + timedelta(seconds=fm.EVENT_START_MIN * step_s)
            declare_restriction(
                s,
                level=LEVEL,
                enterprise_id=f.enterprise_id,
                action=action,
                limit_pct=pct,
                starts_at=begin,
                ends_at=begin + timedelta(seconds=fm.EVENT_LEN_MIN * step_s),
                reason="simulated restriction",
            )


async def drive_firm(
    firm: SimFirm,
    host: str,
    port: int,
    *,
    minutes: int,
    step_s: float,
    speed: float,
    start: datetime,
    latencies: list[float],
    t0: float,
) -> int:
    """Send a firm's frames one by one, each after the previous one's reply; returns frames acknowledged."""
    curve = Curve(firm)
    reader, writer = await asyncio.open_connection(host, port)
    splitter = FrameSplitter()
    acked = 0
    try:
        for k in range(minutes):
            powers = curve.powers(k)
            if not curve.sends(k):
                continue
            if speed > 0:
                due = t0 + k * step_s / speed
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent = time.monotonic()
            writer.write(frame_for(firm, start + timedelta(seconds=k * step_s), powers))
            got = False
            while not got:
                data = await asyncio.wait_for(reader.read(4096), timeout=30)
                if not data:
                    raise ConnectionError(f"{firm.mn}: gateway closed the connection")
                got = any(isinstance(x, bytes) for x in splitter.feed(data))
            latencies.append(time.monotonic() - sent)
            acked += 1
    finally:
        writer.close()
    return acked


def score(firms: list[SimFirm], alarms: list[MonAlarm]) -> dict[str, object]:
    """Caught / missed / false alarms per scenario and variant."""
    by_mn: dict[str, list[MonAlarm]] = defaultdict(list)
    for a in alarms:
        by_mn[a.mn].append(a)
    table: dict[str, dict[str, object]] = {}
    for f in firms:
        for key in (f.scenario, f"{f.scenario}/{f.variant}"):
            row = table.setdefault(
                key,
                {
                    "firms": 0,
                    "expected": 0,
                    "caught": 0,
                    "missed": 0,
                    "false_alarms": 0,
                    "false_alarm_firms": 0,
                    "false_by_detector": {},
                },
            )
            row["firms"] += 1  # type: ignore[operator]
            got = {a.detector for a in by_mn[f.mn]}
            if f.expected:
                row["expected"] += 1  # type: ignore[operator]
                row["caught" if f.expected <= got else "missed"] += 1  # type: ignore[operator]
            false = [a for a in by_mn[f.mn] if a.detector not in f.expected]
            row["false_alarms"] += len(false)  # type: ignore[operator]
            row["false_alarm_firms"] += bool(false)  # type: ignore[operator]
            fb: dict[str, int] = row["false_by_detector"]  # type: ignore[assignment]
            for a in false:
                label = f"{a.detector}:{a.grade}"
                fb[label] = fb.get(label, 0) + 1
    return dict(sorted(table.items()))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def simulate(
    ws: Workspace,
    firms: list[SimFirm],
    *,
    host: str,
    port: int,
    minutes: int,
    step_s: float,
    speed: float,
    register: bool,
    embedded: bool,
) -> dict[str, object]:
    url = ws.database_url
    start = datetime.now().replace(second=0, microsecond=0)
    if register:
        await asyncio.to_thread(register_firms, url, firms, start, step_s)
    gateway = None
    if embedded:
        from gridwatch.monitoring.gateway import Gateway
        from gridwatch.monitoring.service import open_ingestor

        ingestor = await asyncio.to_thread(open_ingestor, url, ws.settings.monitoring)
        gateway = Gateway(ingestor, ws.settings.monitoring.gateway)
        port = await gateway.start(host, port)
    elif register:  # a running gateway reloads its registry periodically
        await asyncio.sleep(ws.settings.monitoring.gateway.registry_reload_s + 1.0)
    began_utc = datetime.utcnow()
    latencies: list[float] = []
    t0 = time.monotonic()
    results = await asyncio.gather(
        *(
            drive_firm(
                f,
                host,
                port,
                minutes=minutes,
                step_s=step_s,
                speed=speed,
                start=start,
                latencies=latencies,
                t0=t0,
            )
            for f in firms
        ),
        return_exceptions=True,
    )
    elapsed = time.monotonic() - t0
    if gateway is not None:
        await gateway.close()
    errors = [str(r) for r in results if isinstance(r, BaseException)]
    frames = sum(r for r in results if isinstance(r, int))
    mns = [f.mn for f in firms]
    with session_factory(make_engine(url))() as s:
        alarms = list(
            s.scalars(select(MonAlarm).where(MonAlarm.mn.in_(mns), MonAlarm.opened_at >= began_utc))
        )
    return {
        "firms": len(firms),
        "frames_acknowledged": frames,
        "seconds": round(elapsed, 2),
        "frames_per_second": round(frames / elapsed, 1) if elapsed else None,
        "reply_latency_ms": {
            "p50": round(1000 * _pct(latencies, 0.5), 2),
            "p99": round(1000 * _pct(latencies, 0.99), 2),
            "mean": round(1000 * statistics.fmean(latencies), 2) if latencies else None,
        },
        "errors": errors[:10],
        "alarms": len(alarms),
        "scores": score(firms, alarms),
    }


def run_simulation(
    ws: Workspace,
    *,
    submeters: Path | None,
    firms: int,
    host: str,
    port: int,
    minutes: int,
    step_s: float,
    speed: float,
    seed: int,
    register: bool,
    embedded: bool = False,
) -> dict:
    if submeters is not None:
        sim_firms = fm.firms_from_submeters(read_submeters(submeters), seed=seed)
    else:
        sim_firms = fm.generate_firms(firms, seed=seed)
    return asyncio.run(
        simulate(
            ws,
            sim_firms,
            host=host,
            port=port,
            minutes=minutes,
            step_s=step_s,
            speed=speed,
            register=register,
            embedded=embedded,
        )
    )

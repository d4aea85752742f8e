"""Helpers shared by the HJ 212 benchmarks: a workspace with devices, a gateway process, the report file."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
REPORT = ROOT / "docs" / "BENCHMARKS-monitoring.md"
T0 = datetime(2026, 11, 23, 8, 0)

sys.path.insert(0, str(SRC))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_home(home: Path, settings: dict) -> str:
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / "gridwatch.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    url = settings.get("store", {}).get("url") or f"sqlite:///{home / 'gridwatch.db'}"
    from gridwatch.store.db import migrate

    migrate(url)
    return url


def register_bulk(url: str, n: int, *, prefix: str = "BENCH") -> list[tuple[str, str]]:
    """n monitoring points (production p1 + treatment t1), inserted in bulk; returns (mn, password)."""
    from sqlalchemy import insert

    from gridwatch.monitoring.registry import bump_version
    from gridwatch.monitoring.tables import MonChannel, MonEnterprise, MonPoint
    from gridwatch.store.db import make_engine, session_factory

    now = datetime.now()
    devices = [(f"{prefix}{i:019d}", f"{i % 1000000:06d}") for i in range(n)]
    with session_factory(make_engine(url))() as s, s.begin():
        s.execute(
            insert(MonEnterprise),
            [{"enterprise_id": f"E{i}", "name": f"E{i}", "created_at": now} for i in range(n)],
        )
        s.execute(
            insert(MonPoint),
            [
                {"mn": mn, "enterprise_id": f"E{i}", "password": pw, "enabled": True, "created_at": now}
                for i, (mn, pw) in enumerate(devices)
            ],
        )
        rows = []
        for mn, _ in devices:
            rows.append(
                {
                    "mn": mn,
                    "channel_id": "p1",
                    "kind": "production",
                    "pairs_with": None,
                    "rated_kw": 30.0,
                    "current_code": "Ip1",
                    "power_code": "Pp1",
                    "kwh_code": "Ep1",
                }
            )
            rows.append(
                {
                    "mn": mn,
                    "channel_id": "t1",
                    "kind": "treatment",
                    "pairs_with": "p1",
                    "rated_kw": 6.0,
                    "current_code": "It1",
                    "power_code": "Pt1",
                    "kwh_code": "Et1",
                }
            )
        s.execute(insert(MonChannel), rows)
        bump_version(s)
    return devices


def frame(mn: str, pw: str, k: int, p: float, t: float, *, flag: int = 5) -> bytes:
    from gridwatch.monitoring.hj212 import build_frame

    at = T0 + timedelta(minutes=k)
    stamp = at.strftime("%Y%m%d%H%M%S")
    return build_frame(
        qn=stamp + "000",
        st="32",
        cn="2011",
        pw=pw,
        mn=mn,
        flag=flag,
        cp=f"DataTime={stamp};Pp1-Rtd={p:.3f},Pp1-Flag=N;Pt1-Rtd={t:.3f},Pt1-Flag=N",
    )


def start_gateway(home: Path, port: int, *, cpu: int | None = 0) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gridwatch", "--home", str(home), "gateway", "--port", str(port)]
    if cpu is not None and shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if b"listening" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("gateway did not start")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its threads [s]."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return os.getloadavg()[0]


def pin_self(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of docs/BENCHMARKS-monitoring.md."""
    REPORT.parent.mkdir(exist_ok=True)
    text = (
        REPORT.read_text(encoding="utf-8")
        if REPORT.exists()
        else (
            "# Monitoring benchmarks (HJ 212 gateway)\n\nWritten by `benchmarks/bench_hj212_*.py`; each section "
            "is replaced when its script runs again. Machine: 2 cores, loopback, single runs.\n"
        )
    )
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text, encoding="utf-8")

"""Benchmark: order pool and dashboard latency under load, against the running web server.

Seeds a fresh workspace with ``--orders`` work orders spread over the city's communities and ``--users``
users (field staff per community, a street administrator and a reviewer per street), starts
``gridwatch serve`` as a separate process, and drives it over loopback with ``--clients`` concurrent
HTTP clients (asyncio + httpx, each client a random field-staff or street-administrator token).
Prints p50/p95/p99 and throughput of

* the order pool: ``GET /api/v1/orders?state=pooled`` as field staff (their community's pool);
* the dashboard: ``GET /api/v1/dashboard`` as street administrators (their street's funnel, areas, trend);

and, as the baseline for the ratios, the same requests from one client.  ``--db postgres`` runs on a fresh
schema in PostgreSQL at 127.0.0.1:5432 (dropped afterwards).  ``--write-docs`` appends the table to
docs/BENCHMARKS-web.md.

    python benchmarks/bench_web_load.py --db sqlite --orders 260000 --users 10000 --clients 200 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from sqlalchemy import insert

from gridwatch.config import Settings, StoreSettings
from gridwatch.workflow.accounts import token_digest
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.tables import ApiToken, Jurisdiction, User, WorkOrder
from gridwatch.workspace import Workspace

STATES = [
    ("pooled", 0.55),
    ("claimed", 0.15),
    ("verified", 0.08),
    ("confirmed", 0.04),
    ("disposing", 0.03),
    ("closed", 0.15),
]
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def seed(p: Platform, n_orders: int, n_users: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """Bulk-insert users, tokens and orders; returns (field-staff tokens, street-admin tokens)."""
    with p.sessions() as s:
        communities = [c for (c,) in s.query(Jurisdiction.code).filter(Jurisdiction.level == "community")]
        towns = sorted({c[:9] for c in communities})
    pw_hash = PasswordHasher().hash("bench-password")
    now = datetime(2026, 11, 23, 8, 0)
    users, staff_tokens, admin_tokens = [], [], []
    uid = 0
    for town in towns:
        for role in ("street_admin", "reviewer"):
            uid += 1
            users.append((uid, role, town))
    while uid < n_users:
        uid += 1
        users.append((uid, "field_staff", communities[(uid * 7919) % len(communities)]))
    with p.sessions.begin() as s:
        s.execute(
            insert(User),
            [
                {
                    "id": i,
                    "username": f"u{i}",
                    "display_name": f"用户{i}",
                    "role": r,
                    "jurisdiction_code": c,
                    "password_hash": pw_hash,
                    "active": True,
                    "session_epoch": 0,
                    "created_at": now,
                }
                for i, r, c in users
            ],
        )
        toks = []
        for i, r, _c in users:
            tok = f"bench-{i}-{uuid.uuid4().hex}"
            toks.append({"user_id": i, "name": "bench", "token_hash": token_digest(tok), "created_at": now})
            (admin_tokens if r == "street_admin" else staff_tokens if r == "field_staff" else []).append(tok)
        s.execute(insert(ApiToken), toks)
    states = [st for st, _ in STATES]
    weights = [w for _, w in STATES]
    batch = []
    for i in range(n_orders):
        c = communities[rng.randrange(len(communities))]
        st = rng.choices(states, weights)[0]
        created = now - timedelta(days=rng.randrange(60), minutes=rng.randrange(1440))
        batch.append(
            {
                "account_no": f"GZ{i:09d}",
                "source": "bench",
                "source_ref": f"bench:{i}",
                "demo": False,
                "health_code": "red",
                "score": round(rng.random(), 4),
                "model_hits": "night_production",
                "reasons_zh": "夜间用电占比高",
                "reasons_en": "high night share",
                "evidence": {},
                "customer_name": f"用户{i}",
                "address_text": f"广州市某路{i}号",
                "lon": 113.2 + rng.random() * 0.4,
                "lat": 23.0 + rng.random() * 0.3,
                "dispatch_basis": "matched",
                "city_code": c[:4],
                "district_code": c[:6],
                "town_code": c[:9],
                "community_code": c,
                "grid_cell": None,
                "state": st,
                "version": 1,
                "assignee_id": None,
                "reopen_count": 0,
                "created_at": created,
                "updated_at": created,
                "due_at": created + timedelta(days=7),
                "claimed_at": created if st != "pooled" else None,
                "verified_at": created if st not in ("pooled", "claimed") else None,
                "confirmed_at": created if st in ("confirmed", "disposing") else None,
                "closed_at": created + timedelta(days=3) if st == "closed" else None,
                "resolution": "dismissed" if st == "closed" else None,
            }
        )
        if len(batch) == 20_000:
            with p.sessions.begin() as s:
                s.execute(insert(WorkOrder), batch)
            batch = []
    if batch:
        with p.sessions.begin() as s:
            s.execute(insert(WorkOrder), batch)
    if p.engine.dialect.name == "postgresql":
        with p.engine.begin() as con:
            con.exec_driver_sql("ANALYZE")
    else:
        with p.engine.begin() as con:
            con.exec_driver_sql("ANALYZE")
    return staff_tokens, admin_tokens


ENDPOINTS = {
    "order pool (field staff)": ("/api/v1/orders?state=pooled&page_size=50", "staff"),
    "dashboard (street admin)": ("/api/v1/dashboard", "admin"),
}


class Conn:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (the load tool; httpx's pool collapses
    at high concurrency and would measure itself instead of the server)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> int:
        try:
            return await self._get(path, headers)
        except (asyncio.IncompleteReadError, ConnectionError):  # server closed an idle keep-alive connection
            self.close()
            self.writer = None
            return await self._get(path, headers)

    async def _get(self, path: str, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{extra}\r\n".encode())
        await self.writer.drain()
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        chunked = False
        for line in lines[1:]:
            k, _, v = line.partition(":")
            if k.lower() == "content-length":
                length = int(v)
            elif k.lower() == "transfer-encoding" and "chunked" in v:
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def drive(
    base: str, path: str, tokens: list[str], clients: int, seconds: float, think: float = 0.0
) -> list[float]:
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    host, port = base.split("//", 1)[1].split(":")

    async def one(k: int) -> None:
        nonlocal errors
        rng = random.Random(k)
        conn = Conn(host, int(port))
        await asyncio.sleep(rng.random() * min(1.0, seconds / 10))  # ramp up
        try:
            while time.perf_counter() < stop:
                tok = tokens[rng.randrange(len(tokens))]
                t0 = time.perf_counter()
                status = await conn.get(path, {"Authorization": f"Bearer {tok}"})
                if status != 200:
                    errors += 1
                lat.append(time.perf_counter() - t0)
                if think:
                    await asyncio.sleep(rng.expovariate(1 / think))
        finally:
            conn.close()

    await asyncio.gather(*(one(k) for k in range(clients)))
    if errors:
        print(f"  {errors} non-200 responses", file=sys.stderr)
    return lat


def pct(xs: list[float], q: float) -> float:
    return (
        statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1] * 1000
        if len(xs) > 1
        else xs[0] * 1000
    )


def run(args: argparse.Namespace) -> list[tuple[str, str, int, float, float, float, float, float]]:
    rng = random.Random(1)
    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        url = None
        if args.db == "postgres":
            import psycopg

            schema = "gwbench_" + uuid.uuid4().hex[:10]
            with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                c.execute(f'CREATE SCHEMA "{schema}"')
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
            (home / "gridwatch.yaml").write_text(f"store:\n  url: '{url}'\n")
        try:
            ws = Workspace(home=home, settings=Settings(store=StoreSettings(url=url)))
            p = Platform.open(ws)
            p.accounts.sync_jurisdictions(ws.settings.city_code)
            t0 = time.perf_counter()
            staff, admins = seed(p, args.orders, args.users, rng)
            print(
                f"seeded {args.orders:,} orders and {args.users:,} users in {time.perf_counter() - t0:.1f} s"
            )
            p.close()
            port = args.port
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gridwatch",
                    "--home",
                    str(home),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(200):
                    try:
                        if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        time.sleep(0.2)
                rows = []
                for name, (path, who) in ENDPOINTS.items():
                    toks = staff if who == "staff" else admins
                    single = asyncio.run(drive(base, path, toks, 1, args.seconds / 4))
                    lat = asyncio.run(drive(base, path, toks, args.clients, args.seconds, args.think))
                    rows.append(
                        (
                            args.db,
                            name,
                            args.clients,
                            pct(single, 50),
                            pct(lat, 50),
                            pct(lat, 95),
                            pct(lat, 99),
                            len(lat) / args.seconds,
                        )
                    )
                    print(
                        f"{name:26s} 1 client p50 {rows[-1][3]:7.1f} ms | {args.clients} clients: "
                        f"p50 {rows[-1][4]:7.1f} ms  p95 {rows[-1][5]:7.1f} ms  p99 {rows[-1][6]:7.1f} ms  "
                        f"{rows[-1][7]:6.0f} req/s  (p95 / 200 ms target = {rows[-1][5] / 200:.2f})"
                    )
                return rows
            finally:
                server.terminate()
                server.wait(timeout=30)
        finally:
            if schema:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                    c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the clean-up (server, schema) on TERM
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--orders", type=int, default=260_000)
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="Mean think time between a client's requests [s] (0 = closed loop, back to back).",
    )
    ap.add_argument("--workers", type=int, default=1, help="Server worker processes.")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    rows = run(args)
    if args.write_docs:
        out = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS-web.md"
        new = not out.exists()
        with out.open("a", encoding="utf-8") as f:
            if new:
                f.write(
                    "# Web load benchmark\n\nProduced by `benchmarks/bench_web_load.py` (see its docstring). "
                    "Target: p95 ≤ 200 ms at 200 concurrent clients.\n\n"
                )
            f.write(
                f"\n## {datetime.now():%Y-%m-%d %H:%M} · {platform.machine()} · {os.cpu_count()} cores · "
                f"{args.orders:,} orders · {args.users:,} users · {args.seconds:.0f} s per endpoint · "
                f"think time {args.think:g} s · {args.workers} server worker(s)\n\n"
            )
            f.write(
                "| db | endpoint | clients | 1-client p50 ms | p50 ms | p95 ms | p99 ms | req/s | p95 / target |\n"
            )
            f.write("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
            for db, name, c, s50, p50, p95, p99, rps in rows:
                f.write(
                    f"| {db} | {name} | {c} | {s50:.1f} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {rps:.0f} | "
                    f"{p95 / 200:.2f} |\n"
                )


if __name__ == "__main__":
    main()

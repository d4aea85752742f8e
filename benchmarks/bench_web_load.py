"""Benchmark: order pool and dashboard latency under load, against the running web server.

Seeds a workspace with ``--orders`` work orders spread over the city's communities and ``--users`` users
(field staff per community, a street administrator and a reviewer per street), starts ``gridwatch serve
--workers N`` as a separate process, and drives it over loopback with ``--clients`` concurrent keep-alive
connections, each request carrying a random field-staff or street-administrator token:

* the order pool: ``GET /api/v1/orders?state=pooled`` as field staff (their community's pool);
* the dashboard: ``GET /api/v1/dashboard`` as street administrators (their street's funnel, areas, trend).

It prints p50/p95/p99, throughput and errors, and, as the baseline, the same requests from one client.
``--think S`` adds an exponential think time (mean S seconds) between a client's requests (0 = closed loop,
back to back).  ``--write-rate R`` adds a writer that claims and releases pooled orders through the API,
R claim+release pairs per second, so cached dashboards are invalidated as in real use.

The load tool is ``wrk`` (C, two threads, a Lua script picks the token and the think time), so it does not
take the server's CPU on a small machine; ``--tool asyncio`` uses the pure-Python client instead.
``--db postgres`` runs on a schema in PostgreSQL at 127.0.0.1:5432.  ``--store DIR`` keeps the seeded store
in DIR (and its PostgreSQL schema) and reuses it on the next run; without it a temporary store is seeded
and dropped.  ``--write-docs`` appends the table to docs/BENCHMARKS-web.md.

    python benchmarks/bench_web_load.py --db sqlite --workers 2 --think 0 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
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
    # fresh statistics, and on PostgreSQL a visibility map (index-only scans), as autovacuum leaves them
    pg = p.engine.dialect.name == "postgresql"
    stmt = "VACUUM ANALYZE wf_order, wf_user, wf_api_token" if pg else "ANALYZE"  # only this schema's tables
    with p.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
        con.exec_driver_sql(stmt)
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
        self.x_cache = ""
        """The ``x-cache`` header of the last response (``hit``: answered from the process's cache)."""

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
        self.x_cache = ""
        for line in lines[1:]:
            k, _, v = line.partition(":")
            if k.lower() == "content-length":
                length = int(v)
            elif k.lower() == "x-cache":
                self.x_cache = v.strip()
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


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50: float  # ms
    p95: float
    p99: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


async def _drive_asyncio(
    base: str, path: str, tokens: list[str], clients: int, seconds: float, think: float
) -> Result:
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
    return Result(len(lat), errors, seconds, pct(lat, 50), pct(lat, 95), pct(lat, 99))


async def _each_once(base: str, path: str, tokens: list[str], conns: int) -> int:
    host, port = base.split("//", 1)[1].split(":")
    todo = iter(tokens)
    misses = 0

    async def one() -> None:
        nonlocal misses
        conn = Conn(host, int(port))
        try:
            for tok in todo:  # the connections share one iterator: every token is used exactly once
                status = await conn.get(path, {"Authorization": f"Bearer {tok}"})
                misses += status != 200 or conn.x_cache != "hit"
        finally:
            conn.close()

    await asyncio.gather(*(one() for _ in range(conns)))
    return misses


def each_once(base: str, path: str, tokens: list[str], conns: int = 8) -> int:
    """Send one request per token (warming the server's caches as the users' earlier requests would);
    returns how many were not answered from the cache (``x-cache`` other than ``hit``)."""
    return asyncio.run(_each_once(base, path, tokens, conns))


WARM_PASSES = 12


def warm_every_worker(base: str, path: str, tokens: list[str], workers: int) -> tuple[int, int]:
    """Steady state: every token's request answered from the cache by every worker.

    The kernel hands each new connection to one worker, and which one cannot be chosen from here, so each
    pass sends every token ``workers`` times over ``8 × workers`` fresh connections and counts the answers
    that were not cache hits; passes repeat until one has none.  A pass of ``len(tokens) × workers``
    requests without a miss leaves at most a tiny share of (token, worker) pairs cold.  Returns (passes,
    misses of the last pass)."""
    misses = -1
    for n in range(1, WARM_PASSES + 1):
        t0 = time.perf_counter()
        misses = each_once(base, path, tokens * workers, 8 * workers)
        print(
            f"  warm-up {path} pass {n}: {misses} of {len(tokens) * workers} requests not from the cache "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        if misses == 0:
            return n, 0
    print(f"  WARNING: {path} still missed the cache after {WARM_PASSES} warm-up passes")
    return WARM_PASSES, misses


def drive_asyncio(
    base: str, path: str, tokens: list[str], clients: int, seconds: float, think: float, _tmp: Path
) -> Result:
    return asyncio.run(_drive_asyncio(base, path, tokens, clients, seconds, think))


WRK_LUA = """
local tokens = {}
local path = %(path)s
local think_ms = %(think_ms)f
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  for line in io.lines(%(tokfile)s) do tokens[#tokens + 1] = line end
  math.randomseed(1000 * tid + 7)
end

function request()
  local t = tokens[math.random(#tokens)]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. t})
end

if think_ms > 0 then
  function delay()
    return math.floor(-math.log(1 - math.random()) * think_ms)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%f %%f %%f %%f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def drive_wrk(
    base: str, path: str, tokens: list[str], clients: int, seconds: float, think: float, tmp: Path
) -> Result:
    """Run wrk (2 threads, ``clients`` keep-alive connections) with a Lua script choosing tokens."""
    tokfile = tmp / "tokens.txt"
    tokfile.write_text("\n".join(tokens) + "\n")
    script = tmp / "bench.lua"
    script.write_text(
        WRK_LUA % {"path": json.dumps(path), "think_ms": think * 1000, "tokfile": json.dumps(str(tokfile))}
    )
    threads = min(2, clients)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        base,
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:  # e.g. its start-up connection refused: say why instead of a bare exit status
        raise RuntimeError(f"wrk exited with status {run.returncode}:\n{run.stdout}\n{run.stderr}")
    out = run.stdout
    m = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", out)
    if m is None:
        raise RuntimeError(f"wrk gave no result:\n{out}")
    n, err = int(m[1]), int(m[2])
    dur, p50, p95, p99 = (float(m[i]) for i in range(3, 7))
    return Result(n, err, dur, p50, p95, p99)


TOOLS = {"wrk": drive_wrk, "asyncio": drive_asyncio}


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its worker processes (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def worker_pids(pid: int) -> set[int]:
    """The server's worker processes (uvicorn's supervisor replaces one that dies or misses its health
    check; the replacement starts with cold caches)."""
    try:
        return {
            int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()
        }
    except (FileNotFoundError, ProcessLookupError):
        return set()


def checked_drive(drive, server: subprocess.Popen, tmp: Path, *args) -> Result:  # type: ignore[no-untyped-def,type-arg]
    """``drive(*args, tmp)``; when the load tool fails, say whether the server is still running and show
    the end of its log (a server that exited refuses the tool's first connection: wrk exits with status 1)."""
    try:
        return drive(*args, tmp)
    except (RuntimeError, OSError) as exc:
        state = "running" if server.poll() is None else f"exited with status {server.returncode}"
        log = (tmp / "server.log").read_text(errors="replace")[-4000:]
        raise RuntimeError(
            f"{exc}\nserver {state}, workers {sorted(worker_pids(server.pid))}; its log:\n{log}"
        ) from exc


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    return (
        statistics.quantiles(xs, n=100, method="inclusive")[int(q) - 1] * 1000
        if len(xs) > 1
        else xs[0] * 1000
    )


class Writer(threading.Thread):
    """Claims and releases pooled orders through the API at ``rate`` pairs per second (two events each)."""

    def __init__(self, base: str, tokens: list[str], rate: float) -> None:
        super().__init__(daemon=True)
        self.base, self.tokens, self.rate = base, tokens, rate
        self.stop = threading.Event()
        self.pairs = 0
        self.failures = 0

    def run(self) -> None:
        rng = random.Random(7)
        with httpx.Client(base_url=self.base, timeout=30) as c:
            while not self.stop.is_set():
                t0 = time.perf_counter()
                h = {"Authorization": f"Bearer {self.tokens[rng.randrange(len(self.tokens))]}"}
                items = c.get("/api/v1/orders?state=pooled&page_size=5", headers=h).json()["items"]
                if items:
                    oid = items[rng.randrange(len(items))]["id"]
                    ok = c.post(f"/api/v1/orders/{oid}/claim", headers=h).status_code == 200
                    ok = ok and c.post(f"/api/v1/orders/{oid}/release", headers=h).status_code == 200
                    self.pairs += ok
                    self.failures += not ok
                self.stop.wait(max(0.0, 1 / self.rate - (time.perf_counter() - t0)))


def prepare(args: argparse.Namespace, tmp: Path) -> tuple[Path, list[str], list[str], str | None]:
    """A seeded workspace: (home, field-staff tokens, street-admin tokens, schema to drop afterwards)."""
    root = Path(args.store) / f"{args.db}-{args.orders}-{args.users}" if args.store else tmp
    home = root / "home"
    if args.store and (root / "tokens.json").exists():
        t = json.loads((root / "tokens.json").read_text())
        print(f"reusing the seeded store in {root}")
        return home, t["staff"], t["admin"], None
    home.mkdir(parents=True, exist_ok=True)
    url = schema = None
    if args.db == "postgres":
        import psycopg

        schema = f"gwbench_{args.orders}_{args.users}" if args.store else "gwbench_" + uuid.uuid4().hex[:10]
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            c.execute(f'CREATE SCHEMA "{schema}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
        (home / "gridwatch.yaml").write_text(f"store:\n  url: '{url}'\n")
    ws = Workspace(home=home, settings=Settings(store=StoreSettings(url=url)))
    p = Platform.open(ws)
    p.accounts.sync_jurisdictions(ws.settings.city_code)
    t0 = time.perf_counter()
    staff, admins = seed(p, args.orders, args.users, random.Random(1))
    print(f"seeded {args.orders:,} orders and {args.users:,} users in {time.perf_counter() - t0:.1f} s")
    p.close()
    (root / "tokens.json").write_text(json.dumps({"staff": staff, "admin": admins}))
    return home, staff, admins, None if args.store else schema


Row = tuple[
    str, str, Result, Result, float, float
]  # db, endpoint, 1 client, N clients, load, server CPU ms/req


def run(args: argparse.Namespace) -> list[Row]:
    drive = TOOLS[args.tool]
    if args.tool == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --tool asyncio")
    schema = None
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        try:
            home, staff, admins, schema = prepare(args, tmp)
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
            cmd = [sys.executable, "-m", "gridwatch", "--home", str(home), "serve", "--host", "127.0.0.1"]
            # idle connections stay open through a think time (uvicorn's 5 s default would close them)
            cmd += ["--port", str(args.port), "--workers", str(args.workers), "--keep-alive", "60"]
            server_log = (tmp / "server.log").open("w")
            server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=server_log)
            base = f"http://127.0.0.1:{args.port}"
            writer = None
            try:
                deadline = time.monotonic() + 180  # start-up takes ~45 s on a loaded 2-core machine
                while True:
                    try:
                        if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                            break
                    except httpx.HTTPError:
                        if server.poll() is not None or time.monotonic() > deadline:
                            log = (tmp / "server.log").read_text(errors="replace")[-4000:]
                            raise RuntimeError(
                                f"the server did not start (status {server.poll()}):\n{log}"
                            ) from None
                        time.sleep(0.2)
                # warm every worker (connections, caches of the first requests) before measuring
                for path, who in ENDPOINTS.values():
                    drive(base, path, staff if who == "staff" else admins, 4 * args.workers, 2, 0, tmp)
                # steady state: every user's credential and pool, every street's dashboard, read before by
                # every worker (verified: warm-up passes repeat until one is answered from the caches alone)
                for path, who in ENDPOINTS.values():
                    warm_every_worker(base, path, staff if who == "staff" else admins, args.workers)
                if args.write_rate:
                    writer = Writer(base, staff, args.write_rate)
                    writer.start()
                rows: list[Row] = []
                for name, (path, who) in ENDPOINTS.items():
                    toks = staff if who == "staff" else admins
                    pids = worker_pids(server.pid)
                    single = checked_drive(
                        drive, server, tmp, base, path, toks, 1, max(3.0, args.seconds / 4), 0
                    )
                    cpu0 = server_cpu(server.pid)
                    many = checked_drive(
                        drive, server, tmp, base, path, toks, args.clients, args.seconds, args.think
                    )
                    if worker_pids(server.pid) != pids:
                        print(f"WARNING: a worker process was replaced during the {name} runs (cold caches)")
                    cpu = (server_cpu(server.pid) - cpu0) / max(1, many.requests) * 1000
                    load = os.getloadavg()[0]
                    rows.append((args.db, name, single, many, load, cpu))
                    print(
                        f"{name:26s} 1 client p50 {single.p50:6.1f} ms | {args.clients} clients: "
                        f"p50 {many.p50:7.1f}  p95 {many.p95:7.1f}  p99 {many.p99:7.1f} ms  "
                        f"{many.rps:6.0f} req/s  {many.errors} errors  server CPU {cpu:.1f} ms/req  load {load:.1f}  "
                        f"(p95 / 200 ms = {many.p95 / 200:.2f})"
                    )
                if writer is not None:
                    print(f"writer: {writer.pairs} claim+release pairs, {writer.failures} failed")
                return rows
            finally:
                if writer is not None:
                    writer.stop.set()
                    writer.join(timeout=30)
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
    ap.add_argument("--write-rate", type=float, default=0.0, help="Claim+release pairs per second.")
    ap.add_argument("--tool", choices=sorted(TOOLS), default="wrk")
    ap.add_argument("--store", help="Keep (and reuse) the seeded store in this directory.")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    rows = run(args)
    if args.write_docs:
        out = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS-web.md"
        with out.open("a", encoding="utf-8") as f:
            f.write(
                f"\n### {datetime.now():%Y-%m-%d %H:%M} · {args.db} · {args.workers} worker(s) · "
                f"think {args.think:g} s · writes {args.write_rate:g}/s · {args.tool} · "
                f"{os.cpu_count()} cores · {args.orders:,} orders · {args.users:,} users · "
                f"{args.seconds:g} s\n\n"
                "| endpoint | 1-client p50 ms | clients | p50 ms | p95 ms | p99 ms | req/s | errors "
                "| server CPU ms/req | load avg | p95 / target |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            )
            for _db, name, one, many, load, cpu in rows:
                f.write(
                    f"| {name} | {one.p50:.1f} | {args.clients} | {many.p50:.1f} | {many.p95:.1f} | "
                    f"{many.p99:.1f} | {many.rps:.0f} | {many.errors} | {cpu:.1f} | {load:.1f} | "
                    f"{many.p95 / 200:.2f} |\n"
                )


if __name__ == "__main__":
    main()

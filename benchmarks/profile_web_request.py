"""Profile: CPU per request of the order pool (API or page), in-process, optionally under pyinstrument.

Calls the ASGI app directly (no HTTP server) on a store seeded by ``bench_web_load.py --store STORE``, with
the credentials of random field officers, and runs the sync handlers inline (not in the thread pool) so
that pyinstrument sees them.  Prints the wall and CPU time per request and, with ``--profile``, the
pyinstrument call tree (``pip install pyinstrument``; a development tool, not a dependency).

With ``--warm`` the same ``n`` credentials are first used once each, unmeasured, so the measured pass shows
the steady state of the per-process caches (credential, rendered list or dashboard); without it, nearly
every request is the first of its user and area (cold caches).  ``--what dashboard`` reads street
administrators' dashboards instead.

    python benchmarks/profile_web_request.py --store STORE --db sqlite --what api -n 400 [--warm] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import fastapi.dependencies.utils
import fastapi.routing
import starlette.concurrency

import gridwatch.web.deps as deps_module
import gridwatch.web.pages.orders as page_module
from gridwatch.web.app import create_app
from gridwatch.web.security import SESSION_COOKIE
from gridwatch.workspace import Workspace


async def _inline(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    return func(*args, **kwargs)


for _m in (fastapi.routing, fastapi.dependencies.utils, starlette.concurrency, page_module, deps_module):
    if hasattr(_m, "run_in_threadpool"):
        _m.run_in_threadpool = _inline  # type: ignore[attr-defined]


POOL_QS = b"state=pooled&page_size=50"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--what", choices=["api", "page", "dashboard", "dashboard-page"], default="api")
    ap.add_argument("--warm", action="store_true", help="Use each credential once before measuring.")
    ap.add_argument("-n", type=int, default=400)
    ap.add_argument("--orders", type=int, default=260_000)
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--flat", action="store_true", help="With --profile: self time per function, library frames too.")
    args = ap.parse_args()
    root = Path(args.store) / f"{args.db}-{args.orders}-{args.users}"
    toks = json.loads((root / "tokens.json").read_text())["admin" if "dashboard" in args.what else "staff"]
    app = create_app(Workspace.open(root / "home"))
    p = app.state.platform
    cookies = []
    if args.what.endswith("page"):
        for t in toks[: args.n]:
            a = p.accounts.actor_for_token(t)
            u = p.accounts.get_user(a.user_id)
            cookies.append(app.state.sessions.dumps(a.user_id, u.session_epoch)[0])

    async def call(i: int) -> None:
        if not args.what.endswith("page"):
            path, qs = ("/api/v1/dashboard", b"") if args.what == "dashboard" else ("/api/v1/orders", POOL_QS)
            headers = [(b"authorization", f"Bearer {toks[i % len(toks)]}".encode())]
        else:
            path, qs = ("/", b"") if args.what == "dashboard-page" else ("/pool", b"")
            headers = [(b"cookie", f"{SESSION_COOKIE}={cookies[i % len(cookies)]}".encode())]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": qs, "root_path": "",
            "headers": [(b"host", b"bench"), *headers], "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80), "state": {},
        }
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(m: dict) -> None:
            sent.append(m)

        await app(scope, receive, send)
        if sent[0]["status"] != 200:
            raise SystemExit(f"{path}: HTTP {sent[0]['status']}")

    async def run() -> None:
        async with app.router.lifespan_context(app):
            for i in range(args.n if args.warm else 10):
                await call(i)
            prof = None
            if args.profile:
                from pyinstrument import Profiler

                prof = Profiler(interval=0.0002, async_mode="disabled")
                prof.start()
            c, t = time.process_time(), time.perf_counter()
            for i in range(args.n):
                await call(i)
            dc, dt = time.process_time() - c, time.perf_counter() - t
            if prof is not None:
                prof.stop()
            state = "warm" if args.warm else "cold"
            print(
                f"{args.what} {args.db} ({state}): {dt / args.n * 1000:.2f} ms wall, "
                f"{dc / args.n * 1000:.2f} ms CPU per request"
            )
            if prof is not None:
                print(prof.output_text(unicode=False, color=False, flat=args.flat, show_all=args.flat))

    asyncio.run(run())


if __name__ == "__main__":
    main()

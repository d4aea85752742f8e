"""Run a whole simulation: calendar and weather once, then blocks of customers streamed to files."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa

from gridwatch import calendar_cn
from gridwatch.sim.block import generate_block
from gridwatch.sim.consumption import RAIN_DAY_MM, Calendar
from gridwatch.sim.params import BLOCK_SIZE, SimParams
from gridwatch.sim.schemas import SCHEMAS, conform
from gridwatch.sim.skeleton import City, build_city
from gridwatch.sim.truth import truth_readme
from gridwatch.sim.weather import simulate_weather
from gridwatch.sim.writer import WriterSet, encode_csv

GENERATOR_VERSION = "1"
"""Bumped whenever the same parameters would give different files."""


MAX_BUFFERED_ROWS = 4_000_000
"""Parquet rows held before a row group is written, whatever ``chunk_blocks`` says (bounds memory)."""

Progress = Callable[[int, int], None]
"""Called with (customers done, customers total)."""


def build_calendar(params: SimParams) -> tuple[Calendar, pa.Table]:
    start = params.end - timedelta(days=params.days - 1)
    w = simulate_weather(start, params.end, params.seed)
    dates = w.dates
    py_dates = [start + timedelta(days=i) for i in range(params.days)]
    weekday = np.array([d.weekday() for d in py_dates], dtype=np.int8)
    holiday = np.array([_is_holiday(d) for d in py_dates])
    daytype = np.where(holiday | (weekday == 6), 2, np.where(weekday == 5, 1, 0)).astype(np.int8)
    sf_days = []
    for y in range(start.year - 1, params.end.year + 2):
        if y in calendar_cn.SPRING_FESTIVAL:
            sf_days.append((calendar_cn.spring_festival(y) - start).days)
    cal = Calendar(
        dates=dates,
        daytype=daytype,
        weekday=weekday,
        spring_festival=np.array(sf_days),
        tmean=w.tmean_c.astype(float),
        rainy=w.precip_mm >= RAIN_DAY_MM,
    )
    weather = pa.table(
        {
            "date": pa.array(dates, pa.date32()),
            "district_code": pa.array([""] * len(dates), pa.string()),
            "tmean_c": w.tmean_c,
            "tmax_c": w.tmax_c,
            "precip_mm": w.precip_mm,
        }
    )
    return cal, weather


def _is_holiday(d: date) -> bool:
    try:
        return calendar_cn.is_holiday(d)
    except KeyError:
        return False


class _AddressDedup:
    """Keeps only the first occurrence of each address id across blocks (ids are 64-bit hashes)."""

    def __init__(self) -> None:
        self._seen = np.zeros(0, dtype=np.uint64)

    def filter(self, table: pa.Table) -> pa.Table:
        ids = table.column("address_id").to_pylist()
        keys = np.array([int(x[2:], 16) for x in ids], dtype=np.uint64)
        keys_u, first = np.unique(keys, return_index=True)
        pos = np.searchsorted(self._seen, keys_u)
        pos_c = np.minimum(pos, max(len(self._seen) - 1, 0))
        dup = (self._seen[pos_c] == keys_u) if len(self._seen) else np.zeros(len(keys_u), dtype=bool)
        new_keys = keys_u[~dup]
        keep = np.sort(first[~dup])
        self._seen = np.union1d(self._seen, new_keys)
        return table.take(pa.array(keep))


_WORKER: dict[str, object] = {}


@dataclass(frozen=True)
class Output:
    """One output file: the table name (schema), where it goes and whether it is always CSV."""

    name: str
    stem: str
    csv_only: bool = False


OUTPUTS: tuple[Output, ...] = (
    Output("weather", "weather"),
    Output("customers", "customers"),
    Output("readings_daily", "readings_daily"),
    Output("readings_interval", "readings_interval"),
    Output("water", "water"),
    Output("permits", "permits"),
    Output("registry", "registry"),
    Output("addresses", "addresses"),
    Output("closures", "closures"),
    Output("labels", "labels"),
    Output("submeters", "submeters", csv_only=True),
    Output("truth_customers", "truth/customers"),
    Output("truth_links", "truth/links"),
)
OUTPUT_BY_NAME = {o.name: o for o in OUTPUTS}

Part = tuple[int, "bytes | pa.Table"]
"""(rows, CSV bytes or Arrow table) of one output from one block."""


def _fmt(params: SimParams, name: str) -> Literal["csv", "parquet"]:
    return "csv" if OUTPUT_BY_NAME[name].csv_only else params.format


def produce_block(params: SimParams, block: int, city: City, cal: Calendar) -> dict[str, Part]:
    """Generate one block and encode it for writing (CSV encoding happens here, in parallel)."""
    result = generate_block(params, block, city, cal)
    parts: dict[str, Part] = {}
    for name, table in result.tables.items():
        table = conform(name, table)
        if _fmt(params, name) == "csv" and name != "addresses":  # addresses are de-duplicated centrally
            parts[name] = (table.num_rows, encode_csv(table, params.encoding))
        else:
            parts[name] = (table.num_rows, table)
    return parts


def _init_worker(params_json: str, city: City) -> None:
    params = SimParams.model_validate_json(params_json)
    _WORKER["params"] = params
    _WORKER["city"] = city
    _WORKER["cal"] = build_calendar(params)[0]


def _produce_in_worker(block: int) -> dict[str, Part]:
    return produce_block(_WORKER["params"], block, _WORKER["city"], _WORKER["cal"])  # type: ignore[arg-type]


def _blocks_in_order(params: SimParams, city: City, cal: Calendar) -> Iterator[dict[str, Part]]:
    """Blocks' parts in block order; with workers, a bounded window of blocks is generated ahead."""
    if params.workers <= 1:
        for b in range(params.n_blocks):
            yield produce_block(params, b, city, cal)
        return
    ahead = params.workers * 2
    # "spawn": workers start clean instead of forking a process whose Arrow/NumPy thread pools are running.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        params.workers, mp_context=ctx, initializer=_init_worker, initargs=(params.model_dump_json(), city)
    ) as pool:
        pending: deque[Future[dict[str, Part]]] = deque()
        nxt = 0
        while nxt < params.n_blocks or pending:
            while nxt < params.n_blocks and len(pending) < ahead:
                pending.append(pool.submit(_produce_in_worker, nxt))
                nxt += 1
            yield pending.popleft().result()


def simulate(
    params: SimParams, out: Path, progress: Progress | None = None, city: City | None = None
) -> dict[str, object]:
    """Write the simulated city into ``out``; returns the manifest (also written as manifest.json)."""
    out.mkdir(parents=True, exist_ok=True)
    city = city or build_city()
    cal, weather = build_calendar(params)
    ws = WriterSet(out, params.format, params.encoding)
    for o in OUTPUTS:
        if o.name == "readings_interval" and not params.interval:
            continue
        ws.get(o.name, o.stem, SCHEMAS[o.name], _fmt(params, o.name))
    ws.writers["weather"].write(conform("weather", weather))
    dedup = _AddressDedup()
    done = 0
    buffered: dict[str, list[pa.Table]] = {}
    buffered_rows = 0
    try:
        for i, parts in enumerate(_blocks_in_order(params, city, cal)):
            for name, (rows, payload) in parts.items():
                if isinstance(payload, bytes):
                    ws.writers[name].append_encoded(payload, rows)
                else:
                    buffered.setdefault(name, []).append(payload)
                    buffered_rows += rows
            done += min(BLOCK_SIZE, params.customers - i * BLOCK_SIZE)
            full = buffered_rows >= MAX_BUFFERED_ROWS
            if full or (i + 1) % params.chunk_blocks == 0 or i + 1 == params.n_blocks:
                buffered_rows = 0
                for name, tables in buffered.items():
                    table = pa.concat_tables(tables)
                    if name == "addresses":
                        table = dedup.filter(table)
                    ws.writers[name].write(table)
                buffered.clear()
                if progress:
                    progress(done, params.customers)
    finally:
        counts = ws.close()
    (out / "truth" / "README.md").write_text(truth_readme(), encoding="utf-8")
    files = {o.stem: f"{o.stem}.{_fmt(params, o.name)}" for o in OUTPUTS if o.name in counts}
    manifest = {
        "generator": "gridwatch.sim",
        "generator_version": GENERATOR_VERSION,
        "parameters": json.loads(params.model_dump_json(exclude={"workers", "chunk_blocks"})),
        "start": str(params.end - timedelta(days=params.days - 1)),
        "end": str(params.end),
        "block_size": BLOCK_SIZE,
        "files": files,
        "rows": {OUTPUT_BY_NAME[name].stem: n for name, n in counts.items()},
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))

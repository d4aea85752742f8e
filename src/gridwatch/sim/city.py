"""Run a whole simulation: calendar and weather once, then blocks of customers streamed to files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from gridwatch import calendar_cn
from gridwatch.sim.block import BlockResult, generate_block
from gridwatch.sim.consumption import RAIN_DAY_MM, Calendar
from gridwatch.sim.params import BLOCK_SIZE, SimParams
from gridwatch.sim.schemas import conform
from gridwatch.sim.skeleton import City, build_city
from gridwatch.sim.truth import truth_readme
from gridwatch.sim.weather import simulate_weather
from gridwatch.sim.writer import WriterSet

GENERATOR_VERSION = "1"
"""Bumped whenever the same parameters would give different files."""

TRUTH_TABLES = {"truth_customers": "truth/customers"}
CSV_ONLY = {"submeters"}
INPUT_TABLES = (
    "customers",
    "readings_daily",
    "readings_interval",
    "water",
    "permits",
    "registry",
    "addresses",
    "weather",
    "closures",
    "labels",
    "submeters",
)

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


def _init_worker(params_json: str) -> None:
    params = SimParams.model_validate_json(params_json)
    _WORKER["params"] = params
    _WORKER["city"] = build_city()
    _WORKER["cal"] = build_calendar(params)[0]


def _gen(block: int) -> BlockResult:
    return generate_block(_WORKER["params"], block, _WORKER["city"], _WORKER["cal"])  # type: ignore[arg-type]


def _chunks(params: SimParams) -> Iterator[list[int]]:
    blocks = list(range(params.n_blocks))
    for i in range(0, len(blocks), params.chunk_blocks):
        yield blocks[i : i + params.chunk_blocks]


def simulate(
    params: SimParams, out: Path, progress: Progress | None = None, city: City | None = None
) -> dict[str, object]:
    """Write the simulated city into ``out``; returns the manifest (also written as manifest.json)."""
    out.mkdir(parents=True, exist_ok=True)
    city = city or build_city()
    cal, weather = build_calendar(params)
    ws = WriterSet(out, params.format, params.encoding)
    ws.write("weather", conform("weather", weather))
    dedup = _AddressDedup()
    done = 0
    pool = (
        ProcessPoolExecutor(params.workers, initializer=_init_worker, initargs=(params.model_dump_json(),))
        if params.workers > 1
        else None
    )
    try:
        for chunk in _chunks(params):
            if pool is not None:
                results = list(pool.map(_gen, chunk))
            else:
                results = [generate_block(params, b, city, cal) for b in chunk]
            for name in results[0].tables:
                table = pa.concat_tables([conform(name, r.tables[name]) for r in results])
                if name == "addresses":
                    table = dedup.filter(table)
                target = TRUTH_TABLES.get(name, name)
                ws.write(target, table, "csv" if name in CSV_ONLY else None)
            done += sum(min(BLOCK_SIZE, params.customers - b * BLOCK_SIZE) for b in chunk)
            if progress:
                progress(done, params.customers)
    finally:
        if pool is not None:
            pool.shutdown()
        counts = ws.close()
    (out / "truth").mkdir(exist_ok=True)
    (out / "truth" / "README.md").write_text(truth_readme(), encoding="utf-8")
    manifest = {
        "generator": "gridwatch.sim",
        "generator_version": GENERATOR_VERSION,
        "parameters": json.loads(params.model_dump_json(exclude={"workers", "chunk_blocks"})),
        "start": str(params.end - timedelta(days=params.days - 1)),
        "end": str(params.end),
        "block_size": BLOCK_SIZE,
        "files": {
            name: ws.path_of(name, "csv" if name in CSV_ONLY else None).relative_to(out).as_posix()
            for name in counts
        },
        "rows": counts,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))

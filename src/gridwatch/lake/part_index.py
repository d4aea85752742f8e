"""Which lake parts can hold a key range: the leading key's min/max per part, from Parquet footers.

Ingest compares every chunk with the rows the lake already holds for the chunk's keys.  Reading all parts
of a month for that made a large file's ingest quadratic: chunk *n* of a 132M-row interval file opened the
*n* parts its own earlier chunks had written.  Input files are usually sorted or grouped by account, and
the lake sorts every part by its key (:mod:`gridwatch.lake.layout`), so a part's range of the leading key
(``account_no``) is narrow, and a chunk's keys overlap only a few parts.

The index reads each part's footer once (the row groups' statistics of the leading key), learns the ranges
of the parts the ingest itself writes without reading them, and forgets parts that disappear (compaction).
A part whose statistics are missing is always considered: the index only ever skips a part that provably
cannot hold a key of the chunk, so a skipped part never changes what ingest decides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

Range = tuple[Any, Any] | None
"""(min, max) of the leading key in one part; None when unknown (the part is always read)."""


def footer_range(path: Path, column: str) -> Range:
    """The leading key's range over all row groups of ``path``, or None if any row group lacks statistics."""
    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException):
        return None
    idx = meta.schema.to_arrow_schema().get_field_index(column)
    if idx < 0 or meta.num_row_groups == 0:
        return None
    lo = hi = None
    for g in range(meta.num_row_groups):
        st = meta.row_group(g).column(idx).statistics
        if st is None or not st.has_min_max:
            return None
        lo = st.min if lo is None or st.min < lo else lo
        hi = st.max if hi is None or st.max > hi else hi
    return (lo, hi)


def table_range(table: pa.Table, column: str) -> Range:
    """The range of ``column`` in an Arrow table (None if empty or all NULL)."""
    mm = pc.min_max(table.column(column))
    lo, hi = mm["min"].as_py(), mm["max"].as_py()
    return None if lo is None or hi is None else (lo, hi)


class PartIndex:
    """Leading-key ranges of the Parquet parts under some directories, kept across an ingest's chunks."""

    def __init__(self, column: str) -> None:
        self.column = column
        self._ranges: dict[Path, Range] = {}

    def note_written(self, path: Path, table: pa.Table) -> None:
        """Record the range of a part this process has just written (no footer read needed)."""
        self._ranges[path] = table_range(table, self.column)

    def overlapping(self, directory: Path, lo: Any, hi: Any) -> list[Path]:
        """Parts in ``directory`` that may hold a key in [lo, hi] (all parts when lo or hi is None)."""
        parts = sorted(directory.glob("*.parquet")) if directory.exists() else []
        out = []
        for p in parts:
            if p not in self._ranges:
                self._ranges[p] = footer_range(p, self.column)
            r = self._ranges[p]
            if r is None or lo is None or hi is None or not (r[1] < lo or r[0] > hi):
                out.append(p)
        present = set(parts)
        for p in [p for p in self._ranges if p.parent == directory and p not in present]:
            del self._ranges[p]  # removed by compaction
        return out

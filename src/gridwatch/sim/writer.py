"""Chunked streaming writers: one output file per table, appended chunk by chunk (bounded memory).

CSV is written by pyarrow (UTF-8) and re-encoded when GBK is asked for: characters outside GBK (rare
characters of a few village names) become ``?``, as they do in real GBK exports.  Parquet files get one row
group per chunk.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


class TableWriter:
    """Appends Arrow tables of one schema to ``path`` (``.csv`` or ``.parquet``)."""

    def __init__(self, path: Path, fmt: Literal["csv", "parquet"], encoding: str = "utf-8") -> None:
        self.path = path
        self.fmt = fmt
        self.encoding = encoding
        self.rows = 0
        self._fh: io.BufferedWriter | None = None
        self._pq: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._header_written = False

    def write(self, table: pa.Table) -> None:
        table = _plain(table)
        if self._schema is None:
            self._schema = table.schema
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.fmt == "parquet":
                self._pq = pq.ParquetWriter(self.path, self._schema, compression="zstd")
            else:
                self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        elif table.schema != self._schema:
            table = table.cast(self._schema)
        if self._pq is not None:
            self._pq.write_table(table)
        elif self._fh is not None:
            buf = io.BytesIO()
            ascii_only = all(
                pa.types.is_integer(f.type)
                or pa.types.is_floating(f.type)
                or pa.types.is_temporal(f.type)
                or f.name == "account_no"
                for f in table.schema
            )
            opts = pacsv.WriteOptions(
                include_header=not self._header_written, quoting_style="none" if ascii_only else "needed"
            )
            pacsv.write_csv(table, buf, opts)
            data = buf.getvalue()
            if self.encoding.lower() != "utf-8":
                data = data.decode("utf-8").encode(self.encoding, errors="replace")
            self._fh.write(data)
            self._header_written = True
        self.rows += table.num_rows

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns (used to build long series cheaply) are decoded for CSV/Parquet portability."""
    cols = []
    changed = False
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
            changed = True
        cols.append(col)
    return pa.table(cols, names=table.column_names) if changed else table


class WriterSet:
    """One :class:`TableWriter` per output name, opened on first write."""

    def __init__(self, out: Path, fmt: Literal["csv", "parquet"], encoding: str) -> None:
        self.out = out
        self.fmt = fmt
        self.encoding = encoding
        self.writers: dict[str, TableWriter] = {}

    def path_of(self, name: str, fmt: str | None = None) -> Path:
        return self.out / f"{name}.{fmt or self.fmt}"

    def write(self, name: str, table: pa.Table, fmt: Literal["csv", "parquet"] | None = None) -> None:
        if name not in self.writers:
            f = fmt or self.fmt
            self.writers[name] = TableWriter(self.path_of(name, f), f, self.encoding)
        self.writers[name].write(table)

    def close(self) -> dict[str, int]:
        for w in self.writers.values():
            w.close()
        return {name: w.rows for name, w in self.writers.items()}

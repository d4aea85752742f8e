"""Read input files (CSV, Excel .xlsx, Parquet) as chunks of text columns named by the contract.

Every value is read as text (or null) so that the validator, not the reader, decides what is wrong with
a value and can name the row and field.  Headers are mapped to standard names with the contract's source
maps; columns that are not part of the contract are ignored (and reported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from gridwatch.lake.contracts import Contract, standard_name
from gridwatch.lake.encoding import detect_encoding


class InputError(ValueError):
    """A file cannot be read at all (missing, unreadable, wrong encoding, required columns absent)."""


@dataclass
class Chunk:
    """Rows ``first_row`` .. ``first_row + len(data) - 1`` of a file (1-based data rows)."""

    data: pa.Table  # standard column names, all pa.string()
    first_row: int


@dataclass
class SourceFile:
    path: Path
    contract: Contract
    format: str
    encoding: str | None
    header_map: dict[str, str]  # source header -> standard name
    ignored: list[str] = field(default_factory=list)
    chunks: Callable[[], Iterator[Chunk]] = field(default=lambda: iter(()))


def _map_headers(path: Path, headers: list[str], contract: Contract) -> tuple[dict[str, str], list[str]]:
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for h in headers:
        std = standard_name(str(h), contract)
        if std is None or std in mapping.values():
            ignored.append(str(h))
        else:
            mapping[str(h)] = std
    missing = [c.name for c in contract.columns if c.required and c.name not in mapping.values()]
    if missing:
        raise InputError(
            f"{path}: required column(s) {', '.join(missing)} of table {contract.name!r} not found "
            f"(header: {', '.join(map(str, headers))})"
        )
    return mapping, ignored


def _standardise(table: pa.Table, mapping: dict[str, str]) -> pa.Table:
    cols = {}
    for src, std in mapping.items():
        col = table.column(src)
        if col.type != pa.string():
            col = col.cast(pa.string())
        cols[std] = col
    return pa.table(cols)


def _csv(path: Path, contract: Contract, chunk_rows: int) -> SourceFile:
    from pyarrow import csv

    encoding = detect_encoding(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("r", encoding=encoding, newline="") as fh:
        import csv as pycsv

        try:
            headers = next(pycsv.reader(fh, delimiter=delimiter))
        except StopIteration as exc:
            raise InputError(f"{path}: empty file") from exc
    headers = [h.strip().lstrip("\ufeff") for h in headers]
    mapping, ignored = _map_headers(path, headers, contract)

    def chunks() -> Iterator[Chunk]:
        read = csv.ReadOptions(
            encoding="utf8" if encoding.startswith("utf-8") else encoding,
            block_size=8 << 20,
            column_names=headers,
            skip_rows=1,
        )
        conv = csv.ConvertOptions(
            column_types={h: pa.string() for h in headers},
            strings_can_be_null=True,
            null_values=[""],
            include_columns=list(mapping),
        )
        parse = csv.ParseOptions(newlines_in_values=True, delimiter=delimiter)
        reader = csv.open_csv(path, read_options=read, convert_options=conv, parse_options=parse)
        yield from _rechunk((_standardise(pa.Table.from_batches([b]), mapping) for b in reader), chunk_rows)

    return SourceFile(path, contract, "csv", encoding, mapping, ignored, chunks)


def _parquet(path: Path, contract: Contract, chunk_rows: int) -> SourceFile:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    headers = pf.schema_arrow.names
    mapping, ignored = _map_headers(path, headers, contract)

    def chunks() -> Iterator[Chunk]:
        row = 1
        for batch in pf.iter_batches(batch_size=chunk_rows, columns=list(mapping)):
            t = pa.Table.from_batches([batch])
            cols = {}
            for src, std in mapping.items():
                col = t.column(src)
                if pa.types.is_timestamp(col.type) and col.type.tz is not None:
                    col = col.cast(pa.timestamp("us", tz="Asia/Shanghai"))
                    col = col.cast(pa.string())  # keeps the +08 offset; the validator converts
                elif col.type != pa.string():
                    col = col.cast(pa.string())
                cols[std] = col
            yield Chunk(pa.table(cols), row)
            row += t.num_rows

    return SourceFile(path, contract, "parquet", None, mapping, ignored, chunks)


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    s = str(v)
    return s if s.strip() else None


def _excel(path: Path, contract: Contract, chunk_rows: int) -> SourceFile:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration as exc:
        raise InputError(f"{path}: empty worksheet") from exc
    wb.close()
    mapping, ignored = _map_headers(path, headers, contract)
    idx = {headers.index(src): std for src, std in mapping.items()}

    def chunks() -> Iterator[Chunk]:
        wb2 = openpyxl.load_workbook(path, read_only=True, data_only=True)
        it = wb2.worksheets[0].iter_rows(values_only=True)
        next(it)
        row = 1
        buf: dict[str, list[str | None]] = {std: [] for std in idx.values()}
        n = 0
        for values in it:
            for i, std in idx.items():
                buf[std].append(_cell_text(values[i]) if i < len(values) else None)
            n += 1
            if n >= chunk_rows:
                yield Chunk(pa.table({k: pa.array(v, pa.string()) for k, v in buf.items()}), row)
                row += n
                buf, n = {std: [] for std in idx.values()}, 0
        if n:
            yield Chunk(pa.table({k: pa.array(v, pa.string()) for k, v in buf.items()}), row)
        wb2.close()

    return SourceFile(path, contract, "xlsx", None, mapping, ignored, chunks)


def _rechunk(tables: Iterator[pa.Table], chunk_rows: int) -> Iterator[Chunk]:
    """Regroup a stream of tables into chunks of exactly ``chunk_rows`` rows (the last may be shorter)."""
    row = 1
    pending: list[pa.Table] = []
    n = 0
    for t in tables:
        pending.append(t)
        n += t.num_rows
        while n >= chunk_rows:
            whole = pa.concat_tables(pending)
            yield Chunk(whole.slice(0, chunk_rows), row)
            row += chunk_rows
            rest = whole.slice(chunk_rows)
            pending, n = ([rest] if rest.num_rows else []), rest.num_rows
    if n:
        yield Chunk(pa.concat_tables(pending), row)


READERS: dict[str, Callable[[Path, Contract, int], SourceFile]] = {
    ".csv": _csv,
    ".txt": _csv,
    ".tsv": _csv,
    ".parquet": _parquet,
    ".pq": _parquet,
    ".xlsx": _excel,
    ".xlsm": _excel,
}
"""Readers by file suffix."""


def open_source(path: Path, contract: Contract, chunk_rows: int) -> SourceFile:
    """Open an input file for reading in chunks; raises :class:`InputError` naming the file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{path}: unsupported file type {path.suffix!r} (use .csv, .xlsx or .parquet)")
    try:
        return reader(path, contract, chunk_rows)
    except InputError:
        raise
    except (ValueError, OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: cannot be read: {exc}") from exc

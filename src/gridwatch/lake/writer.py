"""Atomic Parquet writes: a part is written to a temporary name, fsynced, then renamed into place.

A reader or a crash never sees a half-written part: either the whole part is in the lake or none of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from gridwatch.lake.layout import ROW_GROUP_ROWS


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_part(table: pa.Table, target: Path, row_group_rows: int = ROW_GROUP_ROWS) -> Path:
    """Write ``table`` to ``target`` atomically (tmp + fsync + rename + fsync of the directory)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with tmp.open("wb") as fh:
        pq.write_table(table, fh, compression="zstd", row_group_size=row_group_rows)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    return target


def write_json(obj: object, target: Path) -> None:
    """Write a small JSON record atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    _fsync_dir(target.parent)

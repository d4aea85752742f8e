"""The integer account key: a derived lake column that lets scans group by a BIGINT instead of a string.

``account_key`` = the first 8 bytes of the MD5 digest of the UTF-8 ``account_no``, read as a big-endian
unsigned integer, minus 2**63 (so it fits a signed BIGINT).  MD5 is a documented, fixed function, so the
key is the same whichever process, DuckDB version or engine computes it; ingest computes it once (DuckDB
SQL, :func:`account_key_sql`) and every engine only reads the stored column.  :func:`account_key` is the
reference in Python.

It is a derived column of the lake layout, never an input column: input files do not carry it, ingest and
``lake compact`` write it into the parts of :data:`KEYED_TABLES`.  A 64-bit hash can collide; a reader
that groups by the key checks first that the customers' keys are distinct
(:func:`gridwatch.screening.features.key_column`) and falls back to ``account_no`` otherwise.
"""

from __future__ import annotations

import hashlib

ACCOUNT_KEY = "account_key"

KEYED_TABLES: tuple[str, ...] = ("customers", "readings_daily", "readings_interval")
"""Lake tables whose parts carry ``account_key`` (the customers and the large per-account series)."""

_OFFSET = 2**63


def account_key(account_no: str) -> int:
    """The key of one account number (reference implementation of :func:`account_key_sql`)."""
    return int.from_bytes(hashlib.md5(account_no.encode("utf-8")).digest()[:8], "big") - _OFFSET


def account_key_sql(col: str = "account_no") -> str:
    """DuckDB SQL computing the key of the text column ``col`` (NULL for NULL)."""
    return f"CAST(CAST(('0x' || substr(md5({col}), 1, 16)) AS UBIGINT) - {_OFFSET}::HUGEINT AS BIGINT)"


DERIVED_SQL: dict[str, str] = {ACCOUNT_KEY: account_key_sql("account_no")}
"""SQL computing each derived column of :attr:`gridwatch.lake.contracts.Contract.derived` at ingest."""

"""Text encoding detection for input files: UTF-8 (with or without BOM) or GBK/GB18030."""

from __future__ import annotations

from pathlib import Path

SAMPLE_BYTES = 1 << 20


def detect_encoding(path: Path) -> str:
    """Return ``"utf-8-sig"``, ``"utf-8"`` or ``"gb18030"`` (a superset of GBK and GB2312).

    The first megabyte is decoded as UTF-8; a failure that is not just a multi-byte character cut at the
    end of the sample means the file is in a Chinese legacy encoding.
    """
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) == SAMPLE_BYTES:
            return "utf-8"
    try:
        sample.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: neither UTF-8 nor GBK/GB18030 (undecodable byte at offset {exc.start})"
        ) from exc
    return "gb18030"

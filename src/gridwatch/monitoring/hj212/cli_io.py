"""Line-oriented helpers behind ``gridwatch hj212 parse``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from gridwatch.monitoring.hj212.frame import FrameError, parse_frame


def iter_lines(text: str, *, column: str | None, source: str) -> Iterator[str]:
    """Frames of a file: every non-empty line, or one column of a TSV with a header row."""
    if column is None:
        for line in text.splitlines():
            if line.strip():
                yield line.strip()
        return
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    if reader.fieldnames is None or column not in reader.fieldnames:
        raise ValueError(f"{source}: no column {column!r} in header {reader.fieldnames}")
    for row in reader:
        value = row.get(column) or ""
        if value.strip():
            yield value.strip()


def parse_line(line: str) -> dict[str, object]:
    """The JSON object printed for one frame."""
    try:
        raw = line.encode("utf-8", errors="surrogateescape")
        frame = parse_frame(raw)
    except FrameError as exc:
        return {
            "valid": False,
            "error": f"{exc.reason}: {exc}",
            "qn": None,
            "st": None,
            "cn": None,
            "mn": None,
            "flag": None,
            "cp": None,
        }
    return {"valid": True, "error": None, **frame.to_json()}

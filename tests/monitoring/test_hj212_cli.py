from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from gridwatch.cli.app import app


def test_parse_command_on_real_frames(frames_tsv, tmp_path) -> None:
    rows = list(csv.DictReader(frames_tsv.open(encoding="utf-8"), delimiter="\t"))
    lines = tmp_path / "frames.txt"
    lines.write_text("\n".join(r["message"] for r in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "hj212", "parse", str(lines)])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.output.splitlines()]
    assert len(out) == len(rows)
    for row, obj in zip(rows, out, strict=True):
        assert set(obj) == {"valid", "error", "qn", "st", "cn", "mn", "flag", "cp"}
        assert obj["valid"] == (row["crc_ok"] == "True")
        assert (obj["error"] is None) == obj["valid"]

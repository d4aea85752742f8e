from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gridwatch.address.parse import AddressParser, input_status, parse
from gridwatch.cli.app import app


@pytest.fixture(scope="module")
def parser() -> AddressParser:
    return AddressParser()


def test_parses_a_guangzhou_address(parser: AddressParser) -> None:
    p = parser.parse("广州市天河区石牌街道中山大道西55号3栋2单元101室")
    comps = [(c.label, c.text) for c in p.components]
    assert p.status == "ok"
    assert ("city", "广州市") in comps and ("district", "天河区") in comps and ("town", "石牌街道") in comps
    assert ("road", "中山大道") in comps and ("roadno", "55号") in comps
    assert ("houseno", "3栋") in comps and ("cellno", "2单元") in comps and ("roomno", "101室") in comps
    assert p.admin_codes["town"] == "440106006" and p.admin_codes["prov"] == "44"
    assert "prov" in p.inferred


def test_missing_levels_are_inferred_and_old_names_mapped(parser: AddressParser) -> None:
    p = parser.parse("石牌街道龙口西路12号")
    assert p.admin_names["district"] == "天河区" and set(p.inferred) >= {"district", "city", "prov"}
    q = parser.parse("萝岗区开创大道2501号")
    assert q.admin_codes.get("district") == "440112"  # 萝岗区 merged into 黄埔区


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello world 123", "not_chinese"),
        ("\x00\x01\x02abc", "binary"),
        ("广" * 500, "too_long"),
        ("坏\ufffd字节", "binary"),
    ],
)
def test_bad_input_gets_a_status(parser: AddressParser, text: str, status: str) -> None:
    p = parser.parse(text)
    assert p.status == status and p.components == []
    assert input_status(text) == status


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=120), st.binary(max_size=80).map(lambda b: b.decode("latin-1"))))
def test_random_text_never_crashes(parser: AddressParser, text: str) -> None:
    p = parser.parse(text)
    assert p.status in {"ok", "empty", "not_chinese", "too_long", "binary"}
    json.dumps(p.to_json(), ensure_ascii=False)
    for c in p.components:
        assert c.text and c.text in p.normalised


def test_module_level_parse() -> None:
    assert parse("天河路385号").first("road") == "天河路"


def test_cli_parse_keeps_input_order(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(
        "浙江省杭州市滨江区缤纷北苑47-6-746\n\nhello\n广州市天河区天河路385号\n\xff\xfe\x00\n".encode().replace(
            b"\\xff", b"\xff"
        )
    )
    src.write_bytes(
        "浙江省杭州市滨江区缤纷北苑47-6-746\n\nhello\n广州市天河区天河路385号\n".encode() + b"\xff\xfe\x00\n"
    )
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(
        app, ["--home", str(tmp_path / "h"), "address", "parse", str(src), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["status"] for x in rows] == ["ok", "empty", "not_chinese", "ok", "binary"]
    assert rows[0]["components"][0] == {"label": "prov", "text": "浙江省"}
    assert rows[3]["address"] == "广州市天河区天河路385号"
    assert {"label": "road", "text": "天河路"} in rows[3]["components"]


def test_cli_parse_reads_the_division_files_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up of ``address parse`` (tagger with its national gazetteer, then the city's admin resolver)
    reads each shipped division file once: the city is taken from the divisions already in memory."""
    from gridwatch.address import gazetteer, tagger
    from gridwatch.geo import divisions

    reads: list[tuple[str, str | None]] = []
    real_rows = divisions._rows

    def counting_rows(name: str, city_code: str | None = None) -> Iterator[dict[str, str]]:
        reads.append((name, city_code))
        return real_rows(name, city_code)

    monkeypatch.setattr(divisions, "_rows", counting_rows)
    for cached in (divisions.all_divisions, divisions.city_tree, gazetteer.division_gazetteer, tagger.load_tagger):
        cached.cache_clear()
    src = tmp_path / "in.txt"
    src.write_text("广州市天河区石牌街道中山大道西55号3栋2单元101室\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(
        app, ["--home", str(tmp_path / "h"), "address", "parse", str(src), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert sorted(n for n, _ in reads) == sorted(set(n for n, _ in reads)), reads
    assert [n for n, _ in reads].count("villages.csv.gz") == 1
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["admin"]["town"]["code"] == "440106006"  # the city-scoped resolver still works

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from gridwatch.address.admin import AdminResolver
from gridwatch.address.match import OUT_COLUMNS, MatchParams, decide, run_match
from gridwatch.cli.app import app
from gridwatch.engine import get_engine
from gridwatch.workspace import Workspace


@pytest.fixture
def engine(tmp_path: Path):
    eng = get_engine("duckdb", Workspace.open(tmp_path / "ws"))
    yield eng
    eng.close()


def test_decisions() -> None:
    p = MatchParams()
    assert decide(0.95, 0.5, "", p) == "matched"
    assert decide(0.95, 0.01, "", p) == "ambiguous"
    assert decide(0.95, None, "roadno", p) == "ambiguous"
    assert decide(0.6, 0.3, "", p) == "ambiguous"
    assert decide(0.3, 0.3, "", p) == "unmatched"
    assert decide(None, None, "", p) == "unmatched"


def test_synthetic_city_precision_and_coverage(engine, city: pa.Table, city_customers) -> None:
    cust, truth = city_customers
    res = run_match(engine, cust, city, None, MatchParams(), AdminResolver.for_city("4401"))
    assert res.column_names == list(OUT_COLUMNS)
    assert res.num_rows == cust.num_rows
    matched = correct = 0
    per_noise: Counter[str] = Counter()
    for r in res.to_pylist():
        aid, noise = truth[r["account_no"]]
        if r["status"] == "matched":
            matched += 1
            correct += r["address_id"] == aid
            per_noise[noise] += 1
            assert r["community_code"] and r["grid_cell"] and r["lon"] is not None
            assert "road" in json.loads(r["evidence"])["agree"] or "poi" in json.loads(r["evidence"])["agree"]
    assert correct / matched >= 0.98
    assert matched / res.num_rows >= 0.95


def test_wrong_number_is_not_matched(engine, city: pa.Table) -> None:
    row = city.to_pylist()[0]
    used = {r["roadno"] for r in city.to_pylist() if r["road"] == row["road"]}
    free = next(f"{n}号" for n in range(900, 999) if f"{n}号" not in used)
    cust = pa.table(
        {
            "account_no": ["X1", "X2", "X3"],
            "address": [f"{row['district']}{row['road']}{free}", "完全不相关的文字", ""],
        }
    )
    res = run_match(engine, cust, city, None, MatchParams(), AdminResolver.for_city("4401"))
    assert res.column("status").to_pylist() == ["unmatched", "unmatched", "unmatched"]


def test_spellings_that_normalise_alike_share_one_result(engine, city: pa.Table) -> None:
    row = city.to_pylist()[0]
    plain = f"{row['district']}{row['road']}{row['roadno']}"
    wide = plain.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})  # full-width digits
    cust = pa.table({"account_no": ["A", "B", "C"], "address": [plain, wide, f"{plain}(后门)"]})
    res = run_match(engine, cust, city, None, MatchParams(), AdminResolver.for_city("4401")).to_pylist()
    assert [r["account_no"] for r in res] == ["A", "B", "C"]
    assert res[0]["status"] != "unmatched" and row["address_id"] in res[0]["candidates"]
    for r in res[1:]:
        assert {k: v for k, v in r.items() if k != "account_no"} == {
            k: v for k, v in res[0].items() if k != "account_no"
        }


def test_ambiguous_keeps_candidates(engine) -> None:
    base = {
        "district": "天河区",
        "town": "石牌街道",
        "community": None,
        "road": "龙口西路",
        "roadno": "12号",
        "poi": "龙口花园",
        "unit": None,
        "room": None,
        "district_code": "440106",
        "town_code": "440106006",
        "community_code": "440106006001",
        "grid_cell": "G1",
        "lon": 113.3,
        "lat": 23.1,
    }
    reg = pa.Table.from_pylist(
        [
            {**base, "address_id": "A1", "full_text": "龙口西路12号龙口花园1栋", "building": "1栋"},
            {**base, "address_id": "A2", "full_text": "龙口西路12号龙口花园2栋", "building": "2栋"},
        ]
    )
    cust = pa.table(
        {
            "account_no": ["C1", "C2"],
            "address": ["天河区龙口西路12号龙口花园", "天河区龙口西路12号龙口花园二栋"],
        }
    )
    res = run_match(engine, cust, reg, None, MatchParams(), AdminResolver.for_city("4401")).to_pylist()
    assert res[0]["status"] == "ambiguous" and res[0]["address_id"] is None
    # both candidates lie in one community and grid cell: the address can still be dispatched
    assert (
        res[0]["community_code"] == "440106006001" and res[0]["grid_cell"] == "G1" and res[0]["lon"] is None
    )
    assert {c["address_id"] for c in json.loads(res[0]["candidates"])} == {"A1", "A2"}
    assert res[1]["status"] == "matched" and res[1]["address_id"] == "A2"


def test_cli_match_over_the_lake(tmp_path: Path, city: pa.Table, city_customers) -> None:
    cust, _truth = city_customers
    home = tmp_path / "home"
    reg_csv, cust_csv = tmp_path / "addresses.csv", tmp_path / "customers.csv"
    pcsv.write_csv(city, reg_csv)
    n = cust.num_rows
    pcsv.write_csv(cust.append_column("tariff", pa.array(["residential"] * n)), cust_csv)
    runner = CliRunner()
    for table, f in (("addresses", reg_csv), ("customers", cust_csv)):
        r = runner.invoke(app, ["--home", str(home), "ingest", table, str(f)])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--home", str(home), "address", "match", "--no-parser"])
    assert r.exit_code == 0, r.output
    out = pq.read_table(home / "results" / "address" / "matches.parquet")
    assert out.num_rows == n
    st = Counter(out.column("status").to_pylist())
    assert st["matched"] / n >= 0.95


def test_cli_match_without_registry_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "address", "match"])
    assert r.exit_code == 2 and "no standard addresses" in r.output


def test_parallel_extraction_keeps_order(monkeypatch, city: pa.Table, city_customers) -> None:
    from gridwatch.address import match as m

    cust, _ = city_customers
    ext = m.build_extractor(m.registry_keys(city), AdminResolver.for_city("4401"))
    addrs = cust.column("address").to_pylist()
    monkeypatch.setattr(m, "_CHUNK", 50)
    assert m.extract_table(addrs, ext, workers=2).equals(m.extract_table(addrs, ext, workers=1))


def _plate(aid: str, roadno: str, room: str | None = None, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "address_id": aid, "district": "海珠区", "town": "南洲街道", "community": "水基社区", "road": "水基街",
        "roadno": roadno, "poi": None, "building": None, "unit": None, "room": room,
        "full_text": f"水基街{roadno}{room or ''}", "district_code": "440105", "town_code": "440105013",
        "community_code": "440105013001", "grid_cell": "G1", "lon": 113.3, "lat": 23.1,
    }
    row.update(kw)
    return row


def _match_one(engine, reg: list[dict[str, object]], *addresses: str) -> list[dict[str, object]]:
    cust = pa.table({"account_no": [f"C{i}" for i in range(len(addresses))], "address": list(addresses)})
    return run_match(engine, cust, pa.Table.from_pylist(reg), None, MatchParams(),
                     AdminResolver.for_city("4401")).to_pylist()


def test_sub_number_run_into_the_room_is_read_with_the_registry(engine) -> None:
    reg = [_plate("P27", "27号"), _plate("P27-3", "27号之三"), _plate("R", "27号之三", "603房"),
           _plate("Q", "24号", "3701房")]
    res = _match_one(engine, reg,
                     "海珠区南洲街道水基街２７号之３６０３房",  # 27号之3 + 603房, written without a break
                     "海珠区南洲街道水基街27号-3603房",
                     "海珠区南洲街道水基街二十七之三号603房",
                     "海珠区南洲街道水基街24号-3701房")  # no 24号之3 on the road: the dash separates the room
    assert [(r["status"], r["address_id"]) for r in res] == [
        ("matched", "R"), ("matched", "R"), ("matched", "R"), ("matched", "Q")]


def test_a_room_row_beats_its_door_plate(engine) -> None:
    res = _match_one(engine, [_plate("D", "30号"), _plate("R", "30号", "303房")], "海珠区水基街30号303房")
    assert (res[0]["status"], res[0]["address_id"]) == ("matched", "R")
    # a registry kept at door-plate level still matches a customer who gives a room
    res = _match_one(engine, [_plate("D", "30号")], "海珠区水基街30号303房")
    assert (res[0]["status"], res[0]["address_id"]) == ("matched", "D")


def test_the_road_followed_by_its_number_wins(engine) -> None:
    # 大龙街 is a road too, named in passing (it is also the short form of the town 大龙街道)
    reg = [_plate("N", "43号", town="大龙街道", road="大龙新街", community="大龙村", district="番禺区"),
           _plate("S", "43号", town="大龙街道", road="大龙街", community="大龙村", district="番禺区")]
    res = _match_one(engine, reg, "番禺区大龙街大龙村大龙新街43号")
    assert (res[0]["status"], res[0]["address_id"]) == ("matched", "N")


def test_a_bare_district_short_form_names_the_district(engine) -> None:
    # 白云 is 白云区 written short, not 越秀区's 白云街道: the town must not contradict the registry
    reg = [_plate("L", "21号", "601房", district="白云区", town="钟落潭镇", community="良田村", road="良田五巷"),
           _plate("Y", "5号", district="越秀区", town="白云街道", community="东湖社区", road="东湖路")]
    res = _match_one(engine, reg, "白云良田五巷21号601室")
    assert (res[0]["status"], res[0]["address_id"]) == ("matched", "L")

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

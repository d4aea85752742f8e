from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from gridwatch.address.company import company_key, company_name
from gridwatch.address.links import LINK_COLUMNS, Plates, link_tables, load_links, plates_of
from gridwatch.address.match import MatchParams, run_match
from gridwatch.engine import get_engine
from gridwatch.workspace import Workspace


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("广州市白云区鑫达五金制品有限公司", "鑫达五金制品"),
        ("鑫达五金制品厂", "鑫达五金制品"),
        ("广州鑫达五金制品有限公司(白云分公司)", "鑫达五金制品"),
        ("广州鑫达五金制品有限公司白云分公司", "鑫达五金制品"),
        ("张三(个体)", "张三"),
        ("天河区李四五金店", "李四五金"),
        ("", None),
        (None, None),
    ],
)
def test_company_key(name: str | None, key: str | None) -> None:
    assert company_key(name) == key


def test_county_short_names_are_brands_not_places() -> None:
    """东方 (东方市) and 兴业 (兴业县) are shop brands here: only the served city's districts are stripped in
    short form, so two different firms no longer share the core 塑料制品."""
    assert company_key("广州市东方塑料制品有限公司", "4401") == "东方塑料制品"
    assert company_key("广州从化兴业塑料制品有限公司", "4401") == "兴业塑料制品"
    assert company_key("东方市兴业塑料制品有限公司", "4401") == "兴业塑料制品"  # full county name: a place
    assert company_name("广州荔湾广新物业管理有限公司", "4401").district == "荔湾区"
    assert company_name("广州市广新物业管理有限公司", "4401").district is None


def test_plates_agreement() -> None:
    a, b, c = "GZ1", "GZ2", "GZ3"
    assert Plates(a).agreement(Plates(a)) == 1.0
    assert Plates(a).agreement(Plates(None, frozenset({a, b}))) == 0.8
    assert Plates(None, frozenset({b, c})).agreement(Plates(None, frozenset({a, b}))) == 0.8
    assert Plates(a).agreement(Plates(b)) == 0.0
    assert Plates().agreement(Plates()) == 0.0


def _matches(rows: list[tuple[str, str | None, str, list[str]]]) -> pa.Table:
    return pa.table(
        {
            "account_no": [r[0] for r in rows],
            "address_id": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "candidates": [json.dumps([{"address_id": c, "score": 0.7} for c in r[3]]) for r in rows],
        }
    )


def test_ambiguous_address_links_through_its_candidates(tmp_path: Path, city: pa.Table) -> None:
    """A customer whose address is ambiguous between two door plates links to the permit at one of them
    (same name core, plate among the candidates: 0.6 + 0.4 × 0.8), not to a same-named firm elsewhere; two
    same-named firms whose names state different districts get half the name similarity; a customer whose
    match failed still links to a same-named permit on the same road and door number (0.6 + 0.4 × 0.75)."""
    rows = city.to_pylist()
    a, b, far = rows[3], rows[4], rows[30]
    c = next(r for r in rows[40:] if r["road"] and r["roadno"])
    customers = pa.table(
        {
            "account_no": ["K1", "K2", "K3"],
            "name": ["广州荔湾广新物业管理有限公司", "广州市新科五金制品厂", "广州市华美电镀有限公司"],
            "address": ["(ambiguous)", a["full_text"], c["full_text"]],
        }
    )
    matches = _matches(
        [
            ("K1", None, "ambiguous", [a["address_id"], b["address_id"]]),
            ("K2", a["address_id"], "matched", []),
            ("K3", None, "unmatched", []),
        ]
    )
    assert plates_of(matches)["K1"] == Plates(None, frozenset({a["address_id"], b["address_id"]}))
    permits = pa.table(
        {
            "permit_no": ["P1", "P2", "P3"],
            "holder": ["广州荔湾广新物业管理有限公司", "广州黄埔广新物业管理有限公司", "华美电镀有限公司"],
            "uscc": ["91440101MA5A000011", "91440101MA5A000012", "91440101MA5A000013"],
            "address": [b["full_text"], far["full_text"], c["full_text"]],
            "account_no": [None, None, None],
        }
    )
    registry = pa.table({"uscc": ["91440101MA5A000011"], "name": ["x"], "address": [None]})
    eng = get_engine("duckdb", Workspace.open(tmp_path / "ws"))
    try:
        links = link_tables(eng, customers, matches, permits, registry, city, min_score=0.0, city_code="4401")
    finally:
        eng.close()
    got = {(r["account_no"], r["permit_no"]): r for r in links.to_pylist()}
    ev = json.loads(got[("K1", "P1")]["evidence"])
    assert got[("K1", "P1")]["score"] == pytest.approx(0.92)
    assert ev["rule"] == "name_address" and ev["address_agreement"] == 0.8
    assert ev["same_address_id"] == b["address_id"]
    other = json.loads(got[("K1", "P2")]["evidence"])  # same core 广新物业管理, 荔湾 vs 黄埔, other place
    assert other["district_conflict"] and other["rule"] == "name"
    assert got[("K1", "P2")]["score"] == pytest.approx(0.3)
    ev3 = json.loads(got[("K3", "P3")]["evidence"])  # K3's own match failed: same road and number instead
    assert (ev3["rule"], ev3["address_basis"], ev3["address_agreement"]) == (
        "name_address",
        "road_number",
        0.75,
    )
    assert got[("K3", "P3")]["score"] == pytest.approx(0.9)
    # K2 sits at plate a, which P1's plate b is not: no address rule, and the names differ
    assert ("K2", "P1") not in got or json.loads(got[("K2", "P1")]["evidence"])["address_agreement"] == 0.0


def test_links_by_name_address_and_account(tmp_path: Path, city: pa.Table) -> None:
    rows = city.to_pylist()
    a, b, c = rows[0], rows[7], rows[20]
    customers = pa.table(
        {
            "account_no": ["K1", "K2", "K3", "K4"],
            "name": ["鑫达五金制品厂", "王五", "李四", "毫不相干"],
            "address": [a["full_text"], b["full_text"], c["full_text"], "不存在的地址"],
        }
    )
    permits = pa.table(
        {
            "permit_no": ["P1", "P2"],
            "holder": ["广州市鑫达五金制品有限公司", "广州华美电镀有限公司"],
            "uscc": ["91440101MA5A000001", "91440101MA5A000002"],
            "address": ["广州市某区某路1号", b["full_text"]],
            "account_no": [None, None],
        }
    )
    registry = pa.table(
        {
            "uscc": ["91440101MA5A000001", "91440101MA5A000003"],
            "name": ["广州市鑫达五金制品有限公司", "广州李四塑料厂"],
            "address": [None, c["full_text"]],
        }
    )
    eng = get_engine("duckdb", Workspace.open(tmp_path / "ws"))
    try:
        matches = run_match(eng, customers.select(["account_no", "address"]), city, None, MatchParams())
        links = link_tables(eng, customers, matches, permits, registry, city, min_score=0.35)
    finally:
        eng.close()
    assert links.column_names == list(LINK_COLUMNS)
    got = {(r["account_no"], r["permit_no"], r["uscc"]): r for r in links.to_pylist()}
    assert ("K1", "P1", "91440101MA5A000001") in got  # name core agrees
    assert ("K2", "P2", "91440101MA5A000002") in got  # same door plate
    assert ("K3", None, "91440101MA5A000003") in got  # registry entity without a permit, same door plate
    assert not any(k[0] == "K4" for k in got)
    ev = json.loads(got[("K1", "P1", "91440101MA5A000001")]["evidence"])
    assert ev["name_similarity"] == 1.0


def test_load_links_empty_workspace(tmp_path: Path) -> None:
    t = load_links(Workspace.open(tmp_path / "w"))
    assert t.num_rows == 0 and t.column_names == list(LINK_COLUMNS)

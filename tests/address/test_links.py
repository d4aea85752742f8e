from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from gridwatch.address.company import company_key
from gridwatch.address.links import LINK_COLUMNS, link_tables, load_links
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

from __future__ import annotations

from datetime import datetime

import pytest

from gridwatch.monitoring.registry import (
    ChannelSpec,
    RegistryError,
    add_device,
    declare_restriction,
    import_submeters,
    load_snapshot,
    parse_channel_spec,
    read_submeters,
    set_plan,
)
from gridwatch.store.db import make_engine, session_factory

HEADER = (
    "enterprise_id,enterprise_name,account_no,mn,password,channel_id,facility_kind,pairs_with,rated_kw,"
    "scenario\n"
)


def write_csv(path, rows: list[str]):
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_import_submeters_and_snapshot(db_url, tmp_path) -> None:
    csv = write_csv(
        tmp_path / "submeters.csv",
        [
            "E1,甲五金厂,4400001,MN0001,pw1,p1,production,,30,normal",
            "E1,甲五金厂,4400001,MN0001,pw1,t1,treatment,p1,5,normal",
            "E2,乙家具厂,4400002,MN0002,pw2,p1,production,,50,cheating",
            "E2,乙家具厂,4400002,MN0002,pw2,t1,treatment,p1,8,cheating",
        ],
    )
    Session = session_factory(make_engine(db_url))
    with Session() as s, s.begin():
        assert import_submeters(s, csv) == 2
    with Session() as s, s.begin():  # idempotent re-import updates in place
        assert import_submeters(s, csv) == 2
        set_plan(s, enterprise_id="E2", level="orange", action="stop", limit_pct=0)
        declare_restriction(
            s,
            level="orange",
            starts_at=datetime(2026, 11, 23, 8),
            ends_at=datetime(2026, 11, 23, 20),
            action="limit",
            limit_pct=30,
        )
    with Session() as s:
        snap = load_snapshot(s)
    assert set(snap.points) == {"MN0001", "MN0002"}
    p = snap.points["MN0001"]
    assert p.password == "pw1" and p.account_no == "4400001"
    assert [(c.channel_id, c.kind, c.pairs_with, c.power_code) for c in p.channels] == [
        ("p1", "production", None, "Pp1"),
        ("t1", "treatment", "p1", "Pt1"),
    ]
    at = datetime(2026, 11, 23, 9)
    assert snap.restriction_for("E1", at)[1:] == ("limit", 30.0)
    assert snap.restriction_for("E2", at)[1:] == ("stop", 0.0)  # its plan overrides the default
    assert snap.restriction_for("E1", datetime(2026, 11, 23, 21)) is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("E1,a,1,MN1,pw,p1,factory,,30,normal", "row 2, field facility_kind"),
        ("E1,a,1,MN1,pw,p1,production,,lots,normal", "row 2, field rated_kw"),
        ("E1,a,1,,pw,p1,production,,30,normal", "row 2, field mn"),
        ("E1,a,1,MN1,pw,t1,treatment,p9,30,normal", "pairs_with 'p9'"),
    ],
)
def test_bad_submeters_rows_name_row_and_field(tmp_path, row, message) -> None:
    with pytest.raises(RegistryError, match=message):
        read_submeters(write_csv(tmp_path / "s.csv", [row]))


def test_missing_columns(tmp_path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("mn,password\nM,p\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="missing columns"):
        read_submeters(path)


def test_add_device_validates(db_url) -> None:
    Session = session_factory(make_engine(db_url))
    with Session() as s, pytest.raises(RegistryError, match="only a treatment"):
        add_device(
            s,
            mn="M",
            password="p",
            enterprise_id="E",
            channels=[ChannelSpec("p1", "production", pairs_with="p1")],
        )


def test_channel_spec_parsing() -> None:
    spec = parse_channel_spec("c2:production:rated=12:codes=ia,pa,ea")
    assert spec.codes() == ("ia", "pa", "ea") and spec.rated_kw == 12
    with pytest.raises(RegistryError):
        parse_channel_spec("c2")
    with pytest.raises(RegistryError):
        parse_channel_spec("c2:production:size=3")

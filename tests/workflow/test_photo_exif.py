"""Photo EXIF checks: capture time and GPS read from JPEGs, flags for the reviewer (never a block)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from gridwatch.workflow.errors import InvalidInput
from gridwatch.workflow.photos import PhotoMeta, PhotoRules, Upload, distance_m, read_meta, warnings_for
from gridwatch.workflow.tables import WorkOrder
from tests.workflow.fixtures import COMMUNITY, OTHER_TOWN, TOWN
from tests.workflow.helpers import PNG, add_order, jpeg, user


@settings(max_examples=60, deadline=None)
@given(st.floats(-179.9, 179.9), st.floats(-89.9, 89.9))
def test_gps_survives_the_exif_round_trip(lon, lat):
    assume(abs(lon) > 1e-4 or abs(lat) > 1e-4)  # (0, 0) is what phones write without a fix: no GPS
    meta = read_meta(jpeg(lon, lat))
    assert abs(meta.lon - lon) < 1e-5 and abs(meta.lat - lat) < 1e-5


def test_exif_time_is_local_unless_it_carries_an_offset():
    assert read_meta(jpeg(taken="2026:11:20 10:00:00")).taken_at == datetime(2026, 11, 20, 2, 0)
    got = read_meta(jpeg(taken="2026:11:20 10:00:00", offset="+09:00")).taken_at
    assert got == datetime(2026, 11, 20, 1, 0)
    assert read_meta(jpeg()) == PhotoMeta()
    assert read_meta(PNG) == PhotoMeta()  # PNG: no EXIF read
    assert read_meta(b"\xff\xd8\xff" + b"garbage" * 10) == PhotoMeta()  # broken JPEG: no crash


def test_distance_and_rules():
    assert abs(distance_m(113.0, 23.0, 113.0, 24.0) - 111_195) < 50  # one degree of latitude
    rules = PhotoRules(500, 24)
    visit = datetime(2026, 11, 23, 8, 0)
    near = PhotoMeta(visit - timedelta(hours=1), 113.3402, 23.1502)
    assert warnings_for(near, site=(113.34, 23.15), visit=visit, rules=rules) == []
    far_old = PhotoMeta(visit - timedelta(days=3), 113.40, 23.15)
    ws = warnings_for(far_old, site=(113.34, 23.15), visit=visit, rules=rules)
    assert [w["code"] for w in ws] == ["far_from_site", "taken_before_visit"]
    assert 6000 < ws[0]["meters"] < 6300 and ws[1]["hours"] == 72.0
    assert warnings_for(far_old, site=None, visit=visit, rules=rules)[0]["code"] == "taken_before_visit"
    bare = warnings_for(PhotoMeta(), site=(113.34, 23.15), visit=visit, rules=rules)
    assert bare == [{"code": "no_metadata"}]  # neither time nor position: stripped EXIF, screenshot, PNG
    assert warnings_for(PhotoMeta(lon=113.3402, lat=23.1502), site=(113.34, 23.15), visit=visit, rules=rules) == []


def test_verification_photos_are_flagged_not_refused(platform):
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    rev = user(p, "r", "reviewer", TOWN)
    oid = add_order(p, "0300000060", COMMUNITY)
    with p.sessions.begin() as s:
        s.execute(update(WorkOrder).where(WorkOrder.id == oid).values(lon=113.34, lat=23.15))
    now = p.orders.clock()
    local = now + timedelta(hours=8)  # China time, as a phone writes it
    fmt = "%Y:%m:%d %H:%M:%S"
    good = jpeg(113.3405, 23.1503, (local - timedelta(minutes=20)).strftime(fmt))
    far = jpeg(113.50, 23.15, (local - timedelta(minutes=5)).strftime(fmt))
    old = jpeg(113.3401, 23.1501, (local - timedelta(days=10)).strftime(fmt))
    p.orders.claim(staff, oid)
    p.orders.verify(
        staff, oid, outcome="confirmed", trade="metal", lon=113.3404, lat=23.1502, notes="",
        uploads=[Upload("g.jpg", good), Upload("f.jpg", far), Upload("o.jpg", old), Upload("p.png", PNG)],
    )
    d = p.orders.get(rev, oid)
    assert d.order.state == "verified"
    codes = [[w["code"] for w in ph["warnings"]] for ph in d.photos]
    assert codes == [[], ["far_from_site"], ["taken_before_visit"], ["no_metadata"]]  # PNG: no EXIF
    assert d.photos[0]["gps_lon"] == pytest.approx(113.3405, abs=1e-5) and d.photos[3]["taken_at"] is None
    assert d.events[-1].data["photo_warnings"] == 3
    # the re-check queue's summary: 3 of 4 flagged, each kind once with its figure
    flags = p.orders.photo_flags(rev, [oid])[oid]
    assert (flags.photos, flags.flagged) == (4, 3)
    assert [w["code"] for w in flags.warnings] == ["far_from_site", "taken_before_visit", "no_metadata"]
    assert flags.warnings[0]["meters"] > 15_000
    outsider = user(p, "r2", "reviewer", OTHER_TOWN)
    assert p.orders.photo_flags(outsider, [oid]) == {}  # another street sees nothing of it


def test_offline_visit_time_is_the_reference(platform):
    """Filled in two days ago offline and sent now: photos of that visit are not 'old'."""
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000061", COMMUNITY)
    now = p.orders.clock()
    visit = now - timedelta(days=2)
    photo = jpeg(taken=(visit + timedelta(hours=8) - timedelta(minutes=10)).strftime("%Y:%m:%d %H:%M:%S"))
    p.orders.claim(staff, oid)
    p.orders.verify(
        staff, oid, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[Upload("a.jpg", photo)],
        visited_at=visit,
    )
    d = p.orders.get(staff, oid)
    assert d.photos[0]["warnings"] == []
    assert abs(d.verifications[0]["visited_at"] - visit) < timedelta(seconds=1)
    assert d.events[-1].data["visited_at"] == visit.isoformat(timespec="seconds")
    with pytest.raises(InvalidInput, match="visited_at"):
        p.orders.verify(
            staff, oid, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[],
            visited_at=now + timedelta(days=1),
        )


"""The whole loop through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from gridwatch.workflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridwatch.workflow.events import verify_chain
from gridwatch.workflow.exports import labels_rows
from gridwatch.workflow.photos import Upload
from gridwatch.workflow.tables import DataAccess, Event, Review
from tests.workflow.fixtures import COMMUNITY, DISTRICT, OTHER_TOWN, TOWN
from tests.workflow.helpers import PNG, add_order, user


def test_full_loop_and_chain(platform):
    p = platform
    staff = user(p, "staff1", "field_staff", COMMUNITY)
    reviewer = user(p, "rev1", "reviewer", TOWN)
    enforcer = user(p, "enf1", "enforcement", TOWN)
    admin = user(p, "street1", "street_admin", TOWN)
    oid = add_order(p, "0300000001", COMMUNITY)

    p.orders.claim(staff, oid)
    p.orders.verify(
        staff,
        oid,
        outcome="confirmed",
        trade="metal",
        lon=113.3,
        lat=23.1,
        notes="lathe",
        uploads=[Upload("a.png", PNG)],
    )
    with pytest.raises(Forbidden):
        p.orders.review(staff, oid, decision="approve")
    p.orders.review(reviewer, oid, decision="return", reason="photo unclear")
    assert p.orders.get(staff, oid).order.state == "returned"
    p.orders.verify(
        staff,
        oid,
        outcome="confirmed",
        trade="metal",
        lon=None,
        lat=None,
        notes="again",
        uploads=[Upload("b.png", PNG)],
    )
    p.orders.review(reviewer, oid, decision="approve")
    p.orders.dispose(enforcer, oid, measure="shutdown", days=10)
    with pytest.raises(Conflict, match="steps not done"):
        p.orders.complete_disposal(enforcer, oid)
    for step in ("cut_water", "cut_power", "clear_materials", "clear_products", "clear_equipment"):
        p.orders.complete_step(enforcer, oid, step)
    p.orders.complete_disposal(enforcer, oid)
    p.orders.close(admin, oid, evidence="site empty", uploads=[])
    d = p.orders.get(admin, oid)
    assert d.order.state == "closed" and d.order.resolution == "disposed"
    assert [r["decision"] for r in d.reviews] == ["return", "approve"]
    assert d.reviews[0]["reviewer_level"] == "town" and d.reviews[0]["verifier_level"] == "community"
    assert len(d.photos) == 2
    # resurgence re-opens the closed order
    assert p.orders.reopen_on_resurgence(admin, "0300000001", {"signal": "test"}) == oid
    d = p.orders.get(admin, oid)
    assert d.order.state == "pooled" and d.order.reopen_count == 1 and d.order.assignee_id is None
    with p.sessions() as s:
        n, brk = verify_chain(s)
    assert brk is None and n == len(d.events) == 15
    labels = labels_rows(p.sessions)
    assert labels and labels[0]["is_workshop"] is True and labels[0]["trade"] == "metal"


def test_dismissed_outcome_closes_and_labels_false(platform):
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    rev = user(p, "r", "reviewer", TOWN)
    oid = add_order(p, "0300000002", COMMUNITY)
    p.orders.claim(staff, oid)
    p.orders.verify(staff, oid, outcome="household", trade=None, lon=None, lat=None, notes="", uploads=[])
    p.orders.review(rev, oid, decision="approve")
    o = p.orders.get(rev, oid).order
    assert o.state == "closed" and o.resolution == "dismissed"
    assert labels_rows(p.sessions)[0]["is_workshop"] is False


def test_jurisdiction_and_roles(platform):
    p = platform
    mine = user(p, "s1", "field_staff", COMMUNITY)
    other_street = user(p, "s2", "field_staff", OTHER_TOWN)
    district = user(p, "d1", "district_admin", DISTRICT)
    oid = add_order(p, "0300000003", COMMUNITY)
    assert p.orders.list_orders(other_street).total == 0
    with pytest.raises(NotFound):
        p.orders.get(other_street, oid)
    with pytest.raises(NotFound):
        p.orders.claim(other_street, oid)
    with pytest.raises(Forbidden):
        p.orders.claim(district, oid)  # administrators reassign, they do not claim
    assert p.orders.list_orders(district).total == 1
    p.orders.claim(mine, oid)
    with pytest.raises(Conflict):
        p.orders.claim(mine, oid)
    p.orders.release(mine, oid)
    p.orders.reassign(district, oid, mine.user_id)
    assert p.orders.list_orders(mine, mine=True).total == 1


def test_masking_and_raw_reads_logged(platform):
    p = platform
    staff = user(p, "s1", "field_staff", COMMUNITY)
    analyst = user(p, "a1", "analyst", "4401")
    add_order(p, "0300000004", COMMUNITY)
    masked = p.orders.list_orders(staff).items[0]
    assert masked.account_no == "03*****004" and masked.customer_name == "张**" and masked.masked
    raw = p.orders.list_orders(analyst).items[0]
    assert raw.account_no == "0300000004" and raw.customer_name == "张三丰"
    with p.sessions() as s:
        logs = s.scalars(select(DataAccess)).all()
    assert [(x.user_id, x.what) for x in logs] == [(analyst.user_id, "order_list")]


def test_bad_inputs_name_the_field(platform, tmp_path):
    p = platform
    staff = user(p, "s1", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000005", COMMUNITY)
    p.orders.claim(staff, oid)
    with pytest.raises(InvalidInput, match="outcome"):
        p.orders.verify(staff, oid, outcome="maybe", trade=None, lon=None, lat=None, notes="", uploads=[])
    with pytest.raises(InvalidInput, match="trade: required"):
        p.orders.verify(staff, oid, outcome="confirmed", trade=None, lon=None, lat=None, notes="", uploads=[])
    with pytest.raises(InvalidInput, match="not a JPEG"):
        p.orders.verify(
            staff,
            oid,
            outcome="vacant",
            trade=None,
            lon=None,
            lat=None,
            notes="",
            uploads=[Upload("x.png", b"<script>alert(1)</script>")],
        )
    with pytest.raises(InvalidInput, match="bytes; the limit"):
        p.orders.verify(
            staff,
            oid,
            outcome="vacant",
            trade=None,
            lon=None,
            lat=None,
            notes="",
            uploads=[Upload("big.png", PNG + b"0" * p.workspace.settings.workflow.max_photo_bytes)],
        )
    assert not list((p.workspace.uploads_dir).rglob("*.png"))
    assert p.orders.get(staff, oid).order.state == "claimed"


def test_tampering_is_detected(platform):
    p = platform
    staff = user(p, "s1", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000006", COMMUNITY)
    p.orders.claim(staff, oid)
    p.orders.release(staff, oid)
    with p.sessions.begin() as s:
        s.execute(update(Event).where(Event.seq == 2).values(data={"reason": "forged"}))
    with p.sessions() as s:
        _n, brk = verify_chain(s)
    assert brk is not None and brk.seq == 2 and "altered" in brk.reason


def test_edit_and_withdraw_a_verification_before_the_recheck(platform):
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    other = user(p, "s2", "field_staff", COMMUNITY)
    rev = user(p, "r", "reviewer", TOWN)
    oid = add_order(p, "0300000050", COMMUNITY)
    p.orders.claim(staff, oid)
    first = p.orders.verify(
        staff, oid, outcome="household", trade=None, lon=None, lat=None, notes="looked", uploads=[]
    )
    with pytest.raises(Forbidden):  # only the author
        p.orders.amend_verification(
            other, oid, outcome="confirmed", trade="wood", lon=None, lat=None, notes="", uploads=[]
        )
    with pytest.raises(Forbidden):
        p.orders.withdraw_verification(rev, oid)
    second = p.orders.amend_verification(
        staff, oid, outcome="confirmed", trade="wood", lon=113.3, lat=23.1, notes="saw saws",
        uploads=[Upload("a.png", PNG)],
    )
    d = p.orders.get(staff, oid)
    assert d.order.state == "verified" and d.order.outcome == "confirmed"
    assert [(v["id"], v["status"]) for v in d.verifications] == [(first, "amended"), (second, "submitted")]
    assert d.verifications[1]["replaces"] == first
    # withdrawn: back to the author, who may verify again; nothing left to re-check
    p.orders.withdraw_verification(staff, oid, "wrong door")
    d = p.orders.get(staff, oid)
    assert d.order.state == "claimed" and d.order.outcome is None and d.order.assignee_id == staff.user_id
    assert d.verifications[-1]["status"] == "withdrawn"
    with pytest.raises(Conflict):
        p.orders.review(rev, oid, decision="approve")
    with pytest.raises(Conflict):
        p.orders.amend_verification(
            staff, oid, outcome="confirmed", trade="wood", lon=None, lat=None, notes="", uploads=[]
        )
    third = p.orders.verify(
        staff, oid, outcome="confirmed", trade="metal", lon=None, lat=None, notes="", uploads=[]
    )
    p.orders.review(rev, oid, decision="approve")
    # after the re-check it can no longer be changed
    with pytest.raises(Conflict):
        p.orders.withdraw_verification(staff, oid)
    d = p.orders.get(staff, oid)
    assert d.order.state == "confirmed"
    with p.sessions() as s:
        revs = s.scalars(select(Review)).all()
        _n, brk = verify_chain(s)
    assert [r.verification_id for r in revs] == [third]
    assert brk is None
    assert [e.action for e in d.events] == [
        "intake", "claim", "verify", "amend_verification", "withdraw_verification", "verify", "approve",
    ]
    assert d.events[3].data["replaces"] == first and d.events[4].data["reason"] == "wrong door"
    labels = labels_rows(p.sessions)
    assert [(r["trade"], r["is_workshop"]) for r in labels] == [("metal", True)]


def test_reviewer_and_author_race_on_a_verification(platform):
    """The re-check and a withdrawal are both guarded transitions: whichever lands second conflicts."""
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    rev = user(p, "r", "reviewer", TOWN)
    oid = add_order(p, "0300000051", COMMUNITY)
    p.orders.claim(staff, oid)
    p.orders.verify(staff, oid, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[])
    p.orders.review(rev, oid, decision="approve")
    with pytest.raises(Conflict):
        p.orders.withdraw_verification(staff, oid)
    assert p.orders.get(rev, oid).order.state == "closed"


def test_trade_checklist_is_stored_with_the_verification(platform):
    from gridwatch.workflow import checklists, loop

    assert set(checklists.CHECKLISTS) == set(loop.TRADES)  # every trade has its list (maybe empty)
    keys = [i.key for items in (checklists.COMMON, *checklists.CHECKLISTS.values()) for i in items]
    assert len(keys) == len(set(keys))  # one key, one meaning
    p = platform
    staff = user(p, "s", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000052", COMMUNITY)
    p.orders.claim(staff, oid)
    with pytest.raises(InvalidInput, match="checklist"):  # a metal item on a wood workshop
        p.orders.verify(
            staff, oid, outcome="confirmed", trade="wood", lon=None, lat=None, notes="", uploads=[],
            checklist=["metal_pickling"],
        )
    p.orders.verify(
        staff, oid, outcome="confirmed", trade="wood", lon=None, lat=None, notes="", uploads=[],
        checklist=["wood_spray_painting", "no_eia_permit"],
    )
    d = p.orders.get(staff, oid)
    rec = d.verifications[-1]["checklist"]
    assert list(rec) == [i.key for i in checklists.items_for("wood")]  # every offered item, in order
    assert [k for k, seen in rec.items() if seen] == ["no_eia_permit", "wood_spray_painting"]
    assert d.events[-1].data["checklist"] == ["no_eia_permit", "wood_spray_painting"]
    # editing keeps its own checklist; no trade means the common items only
    p.orders.amend_verification(
        staff, oid, outcome="household", trade=None, lon=None, lat=None, notes="", uploads=[],
        checklist=["in_residential"],
    )
    rec = p.orders.get(staff, oid).verifications[-1]["checklist"]
    assert set(rec) == {i.key for i in checklists.COMMON} and rec["in_residential"] is True

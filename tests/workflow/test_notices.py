"""In-app notifications from the event log, on SQLite and PostgreSQL."""

from __future__ import annotations

from gridwatch.workflow.notices import NOTICE_RULES
from gridwatch.workflow.roles import Role
from tests.workflow.fixtures import COMMUNITY, OTHER_TOWN, TOWN
from tests.workflow.helpers import add_order, user


def test_officer_hears_of_new_pool_orders_and_returns_only(platform):
    p = platform
    old = add_order(p, "0300000070", COMMUNITY)  # before the account existed: not news
    staff = user(p, "s", "field_staff", COMMUNITY)
    peer = user(p, "s2", "field_staff", COMMUNITY)
    far = user(p, "f", "field_staff", OTHER_TOWN)
    rev = user(p, "r", "reviewer", TOWN)
    assert p.notices.count(staff) == 0
    a = add_order(p, "0300000071", COMMUNITY)
    b = add_order(p, "0300000072", COMMUNITY)
    assert p.notices.count(staff) == 2 and p.notices.count(peer) == 2 and p.notices.count(far) == 0
    assert [(n.kind, n.order_id, n.new) for n in p.notices.recent(staff)] == [
        ("new_in_pool", b, True),
        ("new_in_pool", a, True),
        ("new_in_pool", old, False),  # listed, but already seen
    ]
    p.notices.mark_seen(staff)
    assert p.notices.count(staff) == 0 and p.notices.count(peer) == 2
    p.orders.claim(staff, a)
    p.orders.verify(staff, a, outcome="vacant", trade=None, lon=None, lat=None, notes="", uploads=[])
    assert p.notices.count(rev) == 1  # awaiting re-check in the reviewer's area
    assert p.notices.count(staff) == 0  # one's own actions are not news
    p.orders.review(rev, a, decision="return", reason="no photo")
    assert [n.kind for n in p.notices.recent(staff) if n.new] == ["returned"]
    assert p.notices.count(peer) == 2  # the return is not the peer's business
    p.orders.claim(peer, b)
    p.orders.release(peer, b)  # back in the pool: news to staff, not to peer who did it
    assert [n.kind for n in p.notices.recent(staff) if n.new] == ["new_in_pool", "returned"]
    p.notices.mark_seen(staff)
    assert p.notices.count(staff) == 0
    assert not any(n.new for n in p.notices.recent(staff))


def test_rules_name_human_roles():
    for r in NOTICE_RULES:
        assert r.roles and Role.SYSTEM not in r.roles and r.label_zh and r.label_en
        assert (r.action is None) != (r.to_state is None)

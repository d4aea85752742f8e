"""User administration by administrators, on SQLite and PostgreSQL: scope, grants, audit events."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.workflow.accounts import USER_ACTIONS
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.errors import AuthFailed, Forbidden, InvalidInput, NotFound
from gridwatch.workflow.events import verify_chain
from gridwatch.workflow.jurisdiction import Level, contains
from gridwatch.workflow.roles import GRANTS, HUMAN_ROLES, ROLE_POLICIES, Role
from gridwatch.workflow.tables import Event
from tests.workflow.fixtures import COMMUNITY, DISTRICT, OTHER_TOWN, TOWN
from tests.workflow.helpers import user

OTHER_DISTRICT = "440104"  # 越秀区


def test_city_and_district_admins_manage_users_within_their_area(platform):
    p = platform
    city = user(p, "city", "city_admin", "4401")
    district = user(p, "dist", "district_admin", DISTRICT)
    # the district admin creates field staff in its district; not outside it, not a city admin, not analysts
    sid = p.accounts.create_user("s1", "password123", "field_staff", COMMUNITY, "网格员甲", by=district)
    with pytest.raises(Forbidden, match="inside your own jurisdiction"):
        p.accounts.create_user("s2", "password123", "field_staff", OTHER_DISTRICT + "001", by=district)
    with pytest.raises(Forbidden, match="may not grant"):
        p.accounts.create_user("an", "password123", "analyst", DISTRICT, by=district)
    with pytest.raises(InvalidInput, match="district-level"):
        p.accounts.create_user("d2", "password123", "district_admin", TOWN, by=district)
    oid = p.accounts.create_user("o1", "password123", "reviewer", OTHER_DISTRICT, by=city)
    # the district admin sees its own district's users only; the other district's user does not exist for it
    names = {u.username for u in p.accounts.list_users(district).items}
    assert names == {"dist", "s1"}
    assert {u.username for u in p.accounts.list_users(city).items} >= {"city", "dist", "s1", "o1"}
    with pytest.raises(NotFound):
        p.accounts.set_active(district, oid, False)
    with pytest.raises(NotFound):
        p.accounts.reset_password(district, oid, "newpassword1")
    # street admins and field staff
    street = user(p, "street", "street_admin", TOWN)
    with pytest.raises(NotFound):
        p.accounts.set_active(street, district.user_id, False)  # outside the street (the district itself)
    with pytest.raises(Forbidden, match="may not manage users"):
        p.accounts.create_user("r9", "password123", "reviewer", TOWN, by=staff_of(p))
    with pytest.raises(Forbidden, match="may not grant"):
        p.accounts.create_user("sa2", "password123", "street_admin", TOWN, by=street)
    staff = user(p, "plain", "field_staff", COMMUNITY)
    with pytest.raises(Forbidden):
        p.accounts.list_users(staff)
    with pytest.raises(Forbidden):
        p.accounts.reset_password(staff, sid, "newpassword1")
    with pytest.raises(Forbidden):
        p.accounts.set_active(district, district.user_id, False)


def test_reset_disable_enable_are_audited_and_take_effect(platform):
    p = platform
    district = user(p, "dist", "district_admin", DISTRICT)
    sid = p.accounts.create_user("s1", "password123", "field_staff", COMMUNITY, by=district)
    token = p.accounts.create_token(sid, "phone")
    assert p.accounts.user_for_token(token) is not None
    before = p.accounts.get_user(sid).session_epoch
    p.accounts.reset_password(district, sid, "brand-new-pw")
    assert p.accounts.get_user(sid).session_epoch == before + 1
    assert p.accounts.user_for_token(token) is None  # tokens revoked
    with pytest.raises(AuthFailed):
        p.accounts.authenticate("s1", "password123", "c1")
    assert p.accounts.authenticate("s1", "brand-new-pw", "c1").id == sid
    with pytest.raises(InvalidInput):
        p.accounts.reset_password(district, sid, "short")
    p.accounts.set_active(district, sid, False)
    with pytest.raises(AuthFailed):
        p.accounts.authenticate("s1", "brand-new-pw", "c2")
    p.accounts.set_active(district, sid, False)  # no change, no event
    p.accounts.set_active(district, sid, True)
    assert p.accounts.authenticate("s1", "brand-new-pw", "c3").id == sid
    with p.sessions() as s:
        evs = s.query(Event).order_by(Event.seq).all()
        _n, brk = verify_chain(s)
    assert brk is None
    assert [e.action for e in evs] == ["user_create", "user_reset_password", "user_disable", "user_enable"]
    assert all(e.order_id is None and e.actor_id == district.user_id for e in evs)
    assert evs[0].data == {"user": sid, "username": "s1", "role": "field_staff", "jurisdiction": COMMUNITY}
    assert "password" not in str([e.data for e in evs])
    trail = p.accounts.user_events(district)
    assert [e.action for e in trail] == ["user_enable", "user_disable", "user_reset_password", "user_create"]
    street = user(p, "street", "street_admin", OTHER_TOWN)
    assert p.accounts.user_events(street) == []  # s1 is not in that street


def staff_of(p):  # type: ignore[no-untyped-def]
    return user(p, "staffer", "field_staff", COMMUNITY)


ADMINS = [r for r in Role if ROLE_POLICIES[r].manages_users]
CODES = ["4401", DISTRICT, OTHER_DISTRICT, TOWN, OTHER_TOWN, COMMUNITY, f"{COMMUNITY}-G01"]
ADMIN_CODE = {Level.CITY: "4401", Level.DISTRICT: DISTRICT, Level.TOWN: TOWN}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ADMINS), st.sampled_from(HUMAN_ROLES), st.sampled_from(CODES))
def test_who_may_create_whom_is_the_grant_table_and_containment(by_role, role, code):
    """No database: the permission check alone, over every admin role, target role and place."""
    from gridwatch.config import Settings
    from gridwatch.workflow.accounts import AccountService

    svc = AccountService(None, Settings().workflow, Settings().web, PasswordHasher())  # type: ignore[arg-type]
    by = Actor(1, "a", by_role, ADMIN_CODE[ROLE_POLICIES[by_role].level])
    allowed = role in GRANTS[by_role] and contains(by.jurisdiction_code, code)
    try:
        svc._may_manage(by, role, code)
        ok = True
    except Forbidden:
        ok = False
    assert ok == allowed
    # nobody below the city may hand out access to personal data
    if ROLE_POLICIES[role].sees_personal_data and by_role is not Role.CITY_ADMIN:
        assert not ok


def test_every_audited_user_action_has_both_labels():
    from gridwatch.web.i18n import Translator

    for action in USER_ACTIONS:
        zh, en = Translator("zh").label("action", action), Translator("en").label("action", action)
        assert zh != action and en != action and zh != en

"""Field-officer and administrator features through HTTP (pages and API), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gridwatch.web.app import create_app
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import add_order, user


@pytest.fixture
def client(platform):
    app = create_app(platform.workspace, platform)
    with TestClient(app) as c:
        yield c


def login(client: TestClient, name: str, lang: str = "zh") -> str:
    """Log in with a session; returns the page CSRF token."""
    client.cookies.clear()
    r = client.post("/login", data={"username": name, "password": "password123"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.get(f"/lang/{lang}?next=/")
    page = client.get("/suspects")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def history(html: str) -> str:
    return html[html.index('class="history"') :]


def test_disposal_steps_are_named_in_the_history(client, platform):
    p = platform
    staff = user(p, "staff", "field_staff", COMMUNITY)
    rev = user(p, "rev", "reviewer", TOWN)
    enf = user(p, "enf", "enforcement", TOWN)
    oid = add_order(p, "0300000300", COMMUNITY)
    p.orders.claim(staff, oid)
    p.orders.verify(staff, oid, outcome="confirmed", trade="wood", lon=None, lat=None, notes="", uploads=[])
    p.orders.review(rev, oid, decision="approve")
    p.orders.dispose(enf, oid, measure="shutdown", days=10)
    p.orders.complete_step(enf, oid, "cut_water")
    p.orders.complete_step(enf, oid, "clear_equipment")
    login(client, "enf")
    h = history(client.get(f"/orders/{oid}").text)
    assert "步骤: 断水" in h and "步骤: 清除设备" in h and "处置方式: 关停取缔" in h
    assert "cut_water" not in h and "clear_equipment" not in h and "shutdown" not in h
    assert "行业: 木材加工/家具" in h and "核查结果: 确认散乱污" in h
    login(client, "enf", lang="en")
    h = history(client.get(f"/orders/{oid}").text)
    assert "Step: Cut water" in h and "Step: Clear equipment" in h and "cut_water" not in h


def token(client, name: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"username": name, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_edit_and_withdraw_over_api_and_pages(client, platform):
    p = platform
    user(p, "staff", "field_staff", COMMUNITY)
    user(p, "staff2", "field_staff", COMMUNITY)
    rev = user(p, "rev", "reviewer", TOWN)
    oid = add_order(p, "0300000301", COMMUNITY)
    staff, staff2 = token(client, "staff"), token(client, "staff2")
    assert client.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 200
    r = client.post(f"/api/v1/orders/{oid}/verify", headers=staff, data={"outcome": "household"})
    assert r.status_code == 200
    edit = {"outcome": "confirmed", "trade": "printing", "notes": "ink drums"}
    r = client.post(f"/api/v1/orders/{oid}/amend-verification", headers=staff2, data=edit)
    assert r.status_code == 403
    r = client.post(f"/api/v1/orders/{oid}/amend-verification", headers=staff, data=edit)
    assert r.status_code == 200 and r.json()["order"]["outcome"] == "confirmed"
    d = client.get(f"/api/v1/orders/{oid}", headers=staff).json()
    assert set(d["actions"]) == {"amend_verification", "withdraw_verification"}
    assert [v["status"] for v in d["verifications"]] == ["amended", "submitted"]
    # the form opens pre-filled with the submitted record and posts the edit
    csrf = login(client, "staff")
    form = client.get(f"/orders/{oid}/verify").text
    assert f'action="/orders/{oid}/act/amend_verification"' in form
    assert 'value="printing" selected' in form and "ink drums" in form
    r = client.post(
        f"/orders/{oid}/act/withdraw_verification",
        data={"csrf_token": csrf, "reason": "wrong flat"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/orders/{oid}").text
    assert "撤回核查" in history(page) and "理由: wrong flat" in history(page)
    assert "已撤回" in page and "已修改(被替换)" in page
    assert p.orders.get(rev, oid).order.state == "claimed"



def test_user_management_over_api_and_page(client, platform):
    p = platform
    user(p, "dist", "district_admin", "440106")
    user(p, "staff", "field_staff", COMMUNITY)
    admin, staff = token(client, "dist"), token(client, "staff")
    assert client.get("/api/v1/users", headers=staff).status_code == 403
    body = {"username": "new1", "password": "password123", "role": "field_staff", "jurisdiction_code": COMMUNITY}
    r = client.post("/api/v1/users", headers=admin, json=body)
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert client.post("/api/v1/users", headers=admin, json=body).status_code == 422  # name taken
    outside = body | {"username": "new2", "jurisdiction_code": "440104001"}
    assert client.post("/api/v1/users", headers=admin, json=outside).status_code == 403
    listed = client.get("/api/v1/users", headers=admin).json()
    assert {u["username"] for u in listed["items"]} == {"dist", "staff", "new1"}
    assert "password_hash" not in str(listed)
    assert client.post(f"/api/v1/users/{uid}/active", headers=admin, json={"active": False}).status_code == 204
    r = client.post("/api/v1/auth/token", json={"username": "new1", "password": "password123"})
    assert r.status_code == 401
    # the page: create, reset a password, enable; the audit trail lists each change
    csrf = login(client, "dist")
    page = client.get("/users")
    assert page.status_code == 200 and "用户管理" in page.text and 'data-user="new1"' in page.text
    r = client.post(
        "/users/act/user_create",
        data={
            "csrf_token": csrf,
            "username": "rev7",
            "display_name": "复核员七",
            "role": "reviewer",
            "jurisdiction_code": TOWN,
            "password": "password123",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.post("/users/act/user_enable", data={"user_id": uid}, follow_redirects=False).status_code == 403
    for action, extra in (("user_enable", {}), ("user_reset_password", {"password": "another-pass"})):
        r = client.post(
            f"/users/act/{action}", data={"csrf_token": csrf, "user_id": uid, **extra}, follow_redirects=False
        )
        assert r.status_code == 303
    page = client.get("/users").text
    trail = page[page.index("账号操作记录") :]
    for label in ("创建账号", "停用账号", "启用账号", "重置密码"):
        assert label in trail
    assert "复核员七" in page
    r = client.post("/api/v1/auth/token", json={"username": "new1", "password": "another-pass"})
    assert r.status_code == 200
    # field staff have no user page (not in the navigation, refused when typed)
    login(client, "staff")
    assert 'href="/users"' not in client.get("/pool").text
    assert client.get("/users").status_code == 403


def test_notifications_bell_and_list(client, platform):
    p = platform
    user(p, "staff", "field_staff", COMMUNITY)
    rev = user(p, "rev", "reviewer", TOWN)
    staff = token(client, "staff")
    oid = add_order(p, "0300000310", COMMUNITY)
    assert client.get("/api/v1/notifications/count", headers=staff).json() == {"count": 1}
    assert client.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 200
    assert client.post(f"/api/v1/orders/{oid}/verify", headers=staff, data={"outcome": "vacant"}).status_code == 200
    p.orders.review(rev, oid, decision="return", reason="photo missing")
    assert client.get("/api/v1/notifications/count", headers=staff).json() == {"count": 2}
    login(client, "staff")
    assert 'id="bell"' in client.get("/mine").text
    page = client.get("/notifications").text
    assert "核查被退回" in page and "新工单入池" in page and f"/orders/{oid}" in page
    assert client.get("/api/v1/notifications/count", headers=staff).json() == {"count": 0}
    listed = client.get("/api/v1/notifications", headers=staff).json()
    assert [(n["kind"], n["new"]) for n in listed] == [("returned", False), ("new_in_pool", False)]


def test_checklist_on_the_form_and_in_the_history(client, platform):
    p = platform
    staff = user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000320", COMMUNITY)
    p.orders.claim(staff, oid)
    csrf = login(client, "staff")
    form = client.get(f"/orders/{oid}/verify").text
    assert 'data-trade="electroplating"' in form and 'value="plating_hidden_pipe"' in form
    assert 'value="no_business_licence"' in form  # common items
    r = client.post(
        f"/orders/{oid}/act/verify",
        data={
            "csrf_token": csrf,
            "outcome": "confirmed",
            "trade": "electroplating",
            "check": ["plating_tanks", "plating_hidden_pipe", "workers_present"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/orders/{oid}").text
    assert '<span class="chip">暗管/直排</span>' in page and "(3/" in page
    assert "现场发现: 有工人在岗、电镀槽、暗管/直排" in history(page)
    api = client.get("/api/v1/checklists", headers=token(client, "staff")).json()
    assert api["food"][0]["key"] == "food_cooking_fumes" and len(api[""]) == 6


def test_reviewer_sees_photo_warnings(client, platform):
    from sqlalchemy import update

    from gridwatch.workflow.tables import WorkOrder
    from tests.workflow.helpers import jpeg

    p = platform
    user(p, "staff", "field_staff", COMMUNITY)
    user(p, "rev", "reviewer", TOWN)
    oid = add_order(p, "0300000330", COMMUNITY)
    with p.sessions.begin() as s:
        s.execute(update(WorkOrder).where(WorkOrder.id == oid).values(lon=113.34, lat=23.15))
    staff = token(client, "staff")
    assert client.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 200
    far = jpeg(113.36, 23.15, "2020:01:02 09:30:00")  # ~2 km away, years old
    r = client.post(
        f"/api/v1/orders/{oid}/verify",
        headers=staff,
        data={"outcome": "vacant"},
        files=[("photos", ("far.jpg", far, "image/jpeg"))],
    )
    assert r.status_code == 200  # a warning, not a refusal
    d = client.get(f"/api/v1/orders/{oid}", headers=token(client, "rev")).json()
    assert [w["code"] for w in d["photos"][0]["warnings"]] == ["far_from_site", "taken_before_visit"]
    login(client, "rev")
    page = client.get(f"/orders/{oid}").text
    assert "拍摄地点距工单位置约 2.0 公里" in page and "拍摄于核查前约" in page
    assert "照片存疑: 1" in history(page)
    login(client, "rev", lang="en")
    assert "taken about 2.0 km from the site" in client.get(f"/orders/{oid}").text


def test_my_orders_show_why_an_order_came_back(client, platform):
    p = platform
    user(p, "staff", "field_staff", COMMUNITY)
    rev = user(p, "rev", "reviewer", TOWN)
    staff = token(client, "staff")
    oid = add_order(p, "0300000320", COMMUNITY)
    assert client.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 200
    assert client.post(f"/api/v1/orders/{oid}/verify", headers=staff, data={"outcome": "vacant"}).status_code == 200
    login(client, "staff")
    assert "退回原因" not in client.get("/mine").text  # verified, not returned
    p.orders.review(rev, oid, decision="return", reason="门牌照片不清楚")
    page = client.get("/mine").text
    assert "退回原因: 门牌照片不清楚" in page
    login(client, "staff", "en")
    assert "Returned because: 门牌照片不清楚" in client.get("/mine").text

"""What a field officer and a reviewer need beyond the pages, through HTTP on SQLite and PostgreSQL:
replayed verifications stored once, no caching of unmasked personal data, photo warnings in the re-check
queue, the offline base map."""

from __future__ import annotations

import re
import threading

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from gridwatch.web.app import create_app
from gridwatch.workflow.tables import Event, Photo, Verification, WorkOrder
from tests.web.live import serve
from tests.web.test_field_pages import login, token
from tests.workflow.fixtures import COMMUNITY, OTHER_TOWN, TOWN
from tests.workflow.helpers import PNG, add_order, jpeg, user, write_address_registry


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform.workspace, platform)) as c:
        yield c


def counts(p, oid: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with p.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Verification).where(Verification.order_id == oid)),
            s.scalar(select(func.count()).select_from(Photo).where(Photo.order_id == oid)),
            s.scalar(select(func.count()).select_from(Event).where(Event.order_id == oid, Event.action == "verify")),
        )


def test_the_same_form_post_twice_is_one_verification(client, platform):
    """The outbox sends a queued form; the answer is lost; it sends the same form again."""
    p = platform
    staff = user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000601", COMMUNITY)
    p.orders.claim(staff, oid)
    csrf = login(client, "staff")
    form = {"csrf_token": csrf, "outcome": "vacant", "notes": "空置", "request_key": "f00dfeed0001",
            "visited_at": "2026-11-23T08:00:00Z", "next": "/mine"}
    photo = [("photos", ("a.png", PNG, "image/png"))]
    for _ in range(2):
        r = client.post(f"/orders/{oid}/act/verify", data=form, files=photo, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/mine")
    assert counts(p, oid) == (1, 1, 1)
    # without the key a second send is what it always was: refused, the order is verified already
    r = client.post(f"/orders/{oid}/act/verify", data=form | {"request_key": ""}, follow_redirects=False)
    assert r.status_code == 409 and counts(p, oid) == (1, 1, 1)


def test_racing_duplicates_over_real_http_store_one(platform):
    """Six copies of one API request (Idempotency-Key header) at the same instant against a running server."""
    p = platform
    staff = user(p, "staff", "field_staff", COMMUNITY)
    raw = p.accounts.create_token(staff.user_id, "phone")  # type: ignore[arg-type]
    oid = add_order(p, "0300000602", COMMUNITY)
    p.orders.claim(staff, oid)
    n = 6
    codes: list[int] = [0] * n
    orders: list[dict] = [{}] * n
    barrier = threading.Barrier(n)
    with serve(create_app(p.workspace, p)) as base:

        def send(i: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                barrier.wait()
                r = c.post(
                    f"/api/v1/orders/{oid}/verify",
                    headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "race-0602-key"},
                    data={"outcome": "confirmed", "trade": "wood"},
                    files=[("photos", ("a.png", PNG, "image/png"))],
                )
                codes[i] = r.status_code
                orders[i] = r.json().get("order", {})

        threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert codes == [200] * n
    assert {o["state"] for o in orders} == {"verified"}
    assert counts(p, oid) == (1, 1, 1)


def test_unmasked_personal_data_is_never_cached(client, platform):
    p = platform
    user(p, "analyst", "analyst", "4401")
    user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000603", COMMUNITY)
    login(client, "analyst")
    for path in ("/suspects", f"/orders/{oid}", "/api/v1/orders", f"/api/v1/orders/{oid}", "/export/orders.xlsx"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store", path
    assert "0300000603" in client.get(f"/orders/{oid}").text  # unmasked: exactly why it is not kept
    r = client.get("/api/v1/orders", headers=token(client, "analyst"))
    assert r.headers["cache-control"] == "no-store"
    csrf = login(client, "staff")
    for path in ("/mine", f"/orders/{oid}", "/api/v1/orders"):
        r = client.get(path)
        assert r.headers["cache-control"] == "private, no-cache", path  # masked: the phone may keep it
    assert "0300000603" not in client.get(f"/orders/{oid}").text
    assert "cache-control" not in client.get("/login").headers  # nobody's data
    assert client.get("/api/v1/session/csrf").json()["user_id"] > 0
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["clear-site-data"] == '"cache"'


def test_reviewer_sees_photo_warnings_in_the_queue(client, platform):
    p = platform
    staff = user(p, "staff", "field_staff", COMMUNITY)
    user(p, "rev", "reviewer", TOWN)
    user(p, "rev2", "reviewer", OTHER_TOWN)
    flagged, clean = add_order(p, "0300000604", COMMUNITY), add_order(p, "0300000605", COMMUNITY)
    with p.sessions.begin() as s:
        s.execute(update(WorkOrder).values(lon=113.34, lat=23.15))
    now = p.orders.clock()
    near = jpeg(113.3401, 23.1501, now.strftime("%Y:%m:%d %H:%M:%S"), "+00:00")
    p.orders.claim(staff, flagged)
    p.orders.claim(staff, clean)
    from gridwatch.workflow.photos import Upload

    p.orders.verify(staff, flagged, outcome="vacant", trade=None, lon=None, lat=None, notes="",
                    uploads=[Upload("far.jpg", jpeg(113.36, 23.15, "2020:01:02 09:30:00")), Upload("s.png", PNG),
                             Upload("ok.jpg", near)])
    p.orders.verify(staff, clean, outcome="vacant", trade=None, lon=None, lat=None, notes="",
                    uploads=[Upload("ok.jpg", near)])
    login(client, "rev")
    page = client.get("/review").text
    cards = {int(m.group(1)): m.group(2) for m in re.finditer(r'data-order="(\d+)">(.*?)</article>', page, re.S)}
    assert "照片存疑 2/3" in cards[flagged]
    assert "拍摄地点距工单位置约 2.0 公里" in cards[flagged] and "拍摄于核查前约" in cards[flagged]
    assert "无拍摄时间和位置信息" in cards[flagged]
    assert "照片存疑" not in cards[clean]
    order = client.get(f"/orders/{flagged}").text
    panel = order[order.index("actions-panel"):order.index("</section>", order.index("actions-panel"))]
    assert "照片存疑 2/3" in panel  # next to the approve and return buttons
    login(client, "rev", lang="en")
    assert "Photos flagged 2/3" in client.get("/review").text
    api = client.get(f"/api/v1/photo-flags?order={flagged}&order={clean}", headers=token(client, "rev")).json()
    assert api[str(flagged)]["flagged"] == 2 and api[str(clean)] == {"photos": 1, "flagged": 0, "warnings": []}
    assert client.get(f"/api/v1/photo-flags?order={flagged}", headers=token(client, "rev2")).json() == {}


def test_offline_base_map_of_the_area(client, platform):
    p = platform
    user(p, "staff", "field_staff", COMMUNITY)
    user(p, "district", "district_admin", "440106")
    assert client.get("/api/v1/basemap").status_code == 401
    login(client, "staff")
    empty = client.get("/api/v1/basemap").json()  # no registry in the lake yet: nothing, and no error
    assert empty["communities"] == [] and empty["plates"] == []
    truth = write_address_registry(
        p.workspace.lake_dir, {COMMUNITY: (113.34, 23.15), "440106001002": (113.35, 23.16)}, roads=2, plates=6
    )
    b = client.get("/api/v1/basemap").json()
    assert [c["code"] for c in b["communities"]] == [COMMUNITY]  # the officer's community only
    assert len(b["roads"]) == 2 and len(b["plates"]) == 12 and len(b["grid_cells"]) == 2
    road = b["roads"][0]
    first, last = truth[(COMMUNITY, road["name"], "1号")], truth[(COMMUNITY, road["name"], "6号")]
    assert road["line"][0] == pytest.approx(list(first), abs=1e-5)
    assert road["line"][1] == pytest.approx(list(last), abs=1e-5)
    assert "map" in client.get("/map").text and "离线底图" in client.get("/map").text
    login(client, "district")
    b = client.get("/api/v1/basemap").json()
    assert len(b["communities"]) == 2 and len(b["plates"]) == 24

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

"""The REST API and pages through HTTP (TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gridwatch.config import Settings, WebSettings
from gridwatch.web.app import create_app
from gridwatch.web.security import InsecureConfig
from gridwatch.workspace import Workspace
from tests.workflow.fixtures import COMMUNITY, OTHER_TOWN, TOWN
from tests.workflow.helpers import PNG, add_order, user


@pytest.fixture
def client(platform):
    app = create_app(platform.workspace, platform)
    with TestClient(app) as c:
        yield c


def token(client, p, name, role, code) -> dict[str, str]:
    user(p, name, role, code)
    r = client.post("/api/v1/auth/token", json={"username": name, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_openapi_and_auth_required(client):
    schema = client.get("/openapi.json").json()
    assert "/api/v1/orders/{order_id}/claim" in schema["paths"]
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get("/api/v1/orders", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_loop_over_the_api(client, platform):
    p = platform
    staff = token(client, p, "staff", "field_staff", COMMUNITY)
    stranger = token(client, p, "stranger", "field_staff", OTHER_TOWN)
    rev = token(client, p, "rev", "reviewer", TOWN)
    oid = add_order(p, "0300000100", COMMUNITY)
    assert client.get("/api/v1/orders", headers=stranger).json()["total"] == 0
    assert client.get(f"/api/v1/orders/{oid}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/orders/{oid}/claim", headers=stranger).status_code == 404
    r = client.post(f"/api/v1/orders/{oid}/claim", headers=staff)
    assert r.status_code == 200 and r.json()["order"]["state"] == "claimed"
    assert client.post(f"/api/v1/orders/{oid}/claim", headers=staff).status_code == 409
    bad = client.post(
        f"/api/v1/orders/{oid}/verify",
        headers=staff,
        data={"outcome": "confirmed", "trade": "wood"},
        files=[("photos", ("x.jpg", b"GIF89a....", "image/jpeg"))],
    )
    assert bad.status_code == 422 and "photos" in bad.json()["detail"]
    r = client.post(
        f"/api/v1/orders/{oid}/verify",
        headers=staff,
        data={"outcome": "confirmed", "trade": "wood", "lon": "113.3", "lat": "23.1", "notes": "n"},
        files=[("photos", ("x.png", PNG, "image/png"))],
    )
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/orders/{oid}/review", headers=rev, json={"decision": "approve"})
    assert r.json()["order"]["state"] == "confirmed"
    d = client.get(f"/api/v1/orders/{oid}", headers=rev).json()
    assert [e["action"] for e in d["events"]] == ["intake", "claim", "verify", "approve"]
    assert d["order"]["account_no"] == "03*****100"
    dash = client.get("/api/v1/dashboard", headers=rev).json()
    assert dash["funnel"]["confirmed"] == 1 and dash["hit_rate"] == 1.0
    assert dash["areas"][0]["code"] == COMMUNITY


def test_pages_session_csrf_and_lang(client, platform):
    p = platform
    user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300000200", COMMUNITY)
    r = client.post(
        "/login",
        data={"username": "staff", "password": "password123", "next": "/pool"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/pool"
    page = client.get("/pool")
    assert page.status_code == 200 and "工单池" in page.text and f"#{oid}" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    # without the CSRF token the claim is refused; with it, it succeeds
    assert client.post(f"/orders/{oid}/act/claim", data={}, follow_redirects=False).status_code == 403
    assert (
        client.post(f"/api/v1/orders/{oid}/claim").status_code == 403
    )  # session API calls need X-CSRF-Token
    r = client.post(
        f"/orders/{oid}/act/claim", data={"csrf_token": csrf, "next": "/mine"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert f"/orders/{oid}/verify" in client.get("/mine").text
    client.get("/lang/en?next=/mine")
    assert "My orders" in client.get("/mine").text
    assert client.get("/export/orders.xlsx").content[:2] == b"PK"


def test_login_rate_limit(client, platform):
    user(platform, "staff", "field_staff", COMMUNITY)
    for _ in range(5):
        assert client.post("/login", data={"username": "staff", "password": "wrong"}).status_code == 401
    r = client.post("/login", data={"username": "staff", "password": "password123"})
    assert r.status_code == 429


def test_production_refuses_default_secret(tmp_path):
    ws = Workspace(home=tmp_path, settings=Settings(web=WebSettings(mode="production")))
    with pytest.raises(InsecureConfig):
        create_app(ws)

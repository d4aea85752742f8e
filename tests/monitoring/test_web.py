"""Monitoring pages and API inside the web app (TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from gridwatch.monitoring.hj212 import parse_frame
from gridwatch.monitoring.ingest import Accepted, Ingestor
from gridwatch.monitoring.registry import ChannelSpec, add_device
from gridwatch.monitoring.settings import MonitoringSettings
from gridwatch.web.app import create_app
from tests.workflow.fixtures import COMMUNITY, DISTRICT, OTHER_TOWN, db_kind, pg_schemas, platform  # noqa: F401
from tests.workflow.helpers import user

from .helpers import T0, minutes, power_frame


@pytest.fixture
def client(platform):  # noqa: F811
    with TestClient(create_app(platform.workspace, platform)) as c:
        yield c


def _token(client, p, name, role, code) -> dict[str, str]:
    user(p, name, role, code)
    r = client.post("/api/v1/auth/token", json={"username": name, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _feed(p) -> None:
    with p.sessions() as s, s.begin():
        add_device(
            s,
            mn="MNWEB1",
            password="pw",
            enterprise_id="E1",
            enterprise_name="天河五金厂",
            division_code=COMMUNITY,
            channels=[ChannelSpec("p1", "production", rated_kw=30), ChannelSpec("t1", "treatment", "p1", 5)],
        )
    ing = Ingestor(p.engine, MonitoringSettings())
    batch = []
    for i in range(40):
        raw = power_frame("MNWEB1", "pw", T0 + minutes(i), {"p1": 20 + i % 3, "t1": 0.0 if i >= 5 else 3.0})
        frame = parse_frame(raw)
        batch.append(Accepted(frame, raw, ing.check(frame), datetime.now(), time.time()))
    ing.commit(batch)


def test_board_and_point_page(client, platform) -> None:  # noqa: F811
    _feed(platform)
    district = _token(client, platform, "d", "district_admin", DISTRICT)
    rows = client.get("/api/v1/monitoring/board", headers=district).json()
    assert [r["mn"] for r in rows] == ["MNWEB1"]
    assert {f["kind"]: f["state"] for f in rows[0]["facilities"]} == {"production": "on", "treatment": "off"}
    assert rows[0]["worst"] == "severe"
    other = _token(client, platform, "o", "field_staff", OTHER_TOWN)
    assert client.get("/api/v1/monitoring/board", headers=other).json() == []  # outside its jurisdiction
    client.post("/login", data={"username": "d", "password": "password123"})
    page = client.get("/monitoring")
    assert page.status_code == 200 and "MNWEB1" in page.text and "治污设施监控" in page.text
    point = client.get("/monitoring/points/MNWEB1")
    assert point.status_code == 200 and "echarts" in point.text and "treatment_off" in point.text
    assert client.get("/monitoring/points/NOPE").status_code == 404


def test_declare_restriction_over_the_api(client, platform) -> None:  # noqa: F811
    body = {
        "level": "orange",
        "starts_at": "2026-11-24T00:00:00",
        "ends_at": "2026-11-25T00:00:00",
        "action": "limit",
        "limit_pct": 30,
    }
    staff = _token(client, platform, "s", "field_staff", COMMUNITY)
    assert client.post("/api/v1/monitoring/restrictions", json=body, headers=staff).status_code == 403
    admin = _token(client, platform, "c", "city_admin", "4401")
    r = client.post("/api/v1/monitoring/restrictions", json=body, headers=admin)
    assert r.status_code == 201 and r.json()["id"] >= 1
    bad = client.post("/api/v1/monitoring/restrictions", json={**body, "action": "pause"}, headers=admin)
    assert bad.status_code == 422

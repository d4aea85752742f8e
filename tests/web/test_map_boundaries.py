"""The map API sends the shipped district boundaries of the user's area (all districts for the city)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridwatch.web.app import create_app
from tests.workflow.fixtures import COMMUNITY, DISTRICT
from tests.workflow.helpers import user


def test_map_boundaries_by_area(platform) -> None:
    user(platform, "cityadm", "city_admin", "4401")
    user(platform, "staff", "field_staff", COMMUNITY)
    with TestClient(create_app(platform.workspace, platform)) as client:
        def boundaries(name: str) -> list[str]:
            r = client.post("/api/v1/auth/token", json={"username": name, "password": "password123"})
            headers = {"Authorization": f"Bearer {r.json()['token']}"}
            return [b["code"] for b in client.get("/api/v1/map", headers=headers).json()["boundaries"]]

        assert len(boundaries("cityadm")) == 11
        assert boundaries("staff") == [DISTRICT]  # a community's officer sees the outline of its district

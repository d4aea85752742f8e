"""Health-code conditions: versions in the store (SQLite and PostgreSQL), roles, activation into the
workspace file that screening reads, repair after an interrupted activation, pages and API over HTTP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gridwatch.healthcode.service import RuleBook
from gridwatch.screening.rules import load_rules
from gridwatch.screening.run import _active_rules
from gridwatch.web.app import create_app
from gridwatch.workflow.actor import system_actor
from gridwatch.workflow.errors import Forbidden, InvalidInput
from tests.workflow.fixtures import DISTRICT
from tests.workflow.helpers import user


def _book(p) -> RuleBook:  # type: ignore[no-untyped-def]
    return RuleBook(p.sessions, "4401", "广州市", p.workspace.active_rules_path)


def _edited(book: RuleBook, version: str, red: float = 0.85) -> str:
    text = book.default_for_city()
    text = re.sub(r'^version: "[^"]*"', f'version: "{version}"', text, count=1, flags=re.M)
    return re.sub(r"red_score: [0-9.]+", f"red_score: {red}", text)


def test_save_activate_and_screening_picks_the_file(platform) -> None:
    book = _book(platform)
    admin = user(platform, "cityadm", "city_admin", "4401")
    assert book.active() is None and _active_rules(platform.workspace) is None
    assert 'code: "4401"' in book.starting_text()
    vid = book.save(admin, _edited(book, "th-2026.12", red=0.85), "stricter red")
    assert book.active() is None  # a draft is not in force
    v = book.activate(admin, vid)
    assert v.status == "active" and v.activated_by == "cityadm"
    path = _active_rules(platform.workspace)
    assert path is not None and load_rules(path).codes.red_score == 0.85
    # a second version retires the first
    v2 = book.save(admin, _edited(book, "th-2027.01", red=0.9))
    book.activate(admin, v2)
    statuses = {v.id: v.status for v in book.versions(admin)}
    assert statuses == {vid: "retired", v2: "active"}
    assert load_rules(platform.workspace.active_rules_path).version == "th-2027.01"
    diff = book.diff(admin, vid, v2)
    assert any(line.startswith("-  red_score: 0.85") for line in diff)
    assert any(line.startswith("+  red_score: 0.9") for line in diff)


def test_invalid_files_are_refused_with_their_paths(platform) -> None:
    book = _book(platform)
    admin = user(platform, "cityadm", "city_admin", "4401")
    with pytest.raises(InvalidInput, match=r"jurisdiction\.code"):
        book.save(admin, book.default_for_city().replace('code: "4401"', 'code: "3301"'))
    bad = _edited(book, "x1").replace("red_score: 0.8", "red_score: 1.7")
    with pytest.raises(InvalidInput, match=r"codes\.red_score"):
        book.save(admin, bad)
    unknown = _edited(book, "x2").replace("level_vs_peer >=", "level_vs_peer >=").replace(
        "feature: level_vs_peer", "feature: no_such_feature", 1)
    with pytest.raises(InvalidInput, match="no_such_feature"):
        book.save(admin, unknown)
    book.save(admin, _edited(book, "x3"))
    with pytest.raises(InvalidInput, match="exists already"):
        book.save(admin, _edited(book, "x3"))
    assert [v.version for v in book.versions(admin)] == ["x3"]


def test_roles(platform) -> None:
    book = _book(platform)
    analyst = user(platform, "ana", "analyst", "4401")
    district = user(platform, "dadm", "district_admin", DISTRICT)
    staff = user(platform, "staff", "field_staff", DISTRICT + "001001")
    vid = book.save(analyst, _edited(book, "a1"))  # analysts draft
    with pytest.raises(Forbidden):
        book.activate(analyst, vid)  # only the city administrator puts conditions in force
    with pytest.raises(Forbidden):
        book.save(district, _edited(book, "d1"))
    assert [v.id for v in book.versions(district)] == [vid]  # district administrators see them
    with pytest.raises(Forbidden):
        book.versions(staff)


def test_an_interrupted_activation_is_repaired(platform) -> None:
    book = _book(platform)
    sysact = system_actor("4401")
    v1 = book.save(sysact, _edited(book, "r1"))
    book.activate(sysact, v1)
    v2 = book.save(sysact, _edited(book, "r2", red=0.9))
    book.activate(sysact, v2)
    # the process died after the store committed v2 and before the file was renamed: the file is v1
    platform.workspace.active_rules_path.write_text(book.text(v1), encoding="utf-8")
    assert book.sync_file() is True
    assert load_rules(platform.workspace.active_rules_path).version == "r2"
    assert book.sync_file() is False


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform.workspace, platform)) as c:
        yield c


def _login(client, name: str) -> str:  # type: ignore[no-untyped-def]
    r = client.post("/login", data={"username": name, "password": "password123", "next": "/rules"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/rules")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_pages_check_save_and_activate(client, platform) -> None:
    user(platform, "cityadm", "city_admin", "4401")
    csrf = _login(client, "cityadm")
    page = client.get("/rules").text
    assert "健康码判定条件" in page and "居民户工业负荷特征" in page and "内置默认" in page
    text = _edited(_book(platform), "web-1", red=0.86)
    bad = client.post("/rules", data={"csrf_token": csrf, "text": text.replace("red_score: 0.86", "red_score: 2"),
                                      "do": "check"})
    assert bad.status_code == 422 and "codes.red_score" in bad.text
    ok = client.post("/rules", data={"csrf_token": csrf, "text": text, "do": "check"})
    assert ok.status_code == 200 and "校验通过" in ok.text
    assert client.post("/rules", data={"text": text, "do": "save"}, follow_redirects=False).status_code == 403
    r = client.post("/rules", data={"csrf_token": csrf, "text": text, "note": "试行", "do": "save"},
                    follow_redirects=False)
    assert r.status_code == 303
    vpage = client.get(r.headers["location"])
    assert "red_score: 0.86" in vpage.text and 'id="activate"' in vpage.text
    r = client.post(r.headers["location"] + "/activate", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert load_rules(platform.workspace.active_rules_path).version == "web-1"
    client.get("/lang/en?next=/rules")
    assert "Health-code conditions" in client.get("/rules").text


def test_api(client, platform) -> None:
    user(platform, "ana", "analyst", "4401")
    user(platform, "staff", "field_staff", DISTRICT + "001001")

    def tok(name: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", json={"username": name, "password": "password123"})
        return {"Authorization": f"Bearer {r.json()['token']}"}

    ana, staff = tok("ana"), tok("staff")
    text = _edited(_book(platform), "api-1")
    assert client.post("/api/v1/rules/validate", json={"text": "format: nope"}, headers=ana).json()["valid"] is False
    assert client.post("/api/v1/rules/validate", json={"text": text}, headers=ana).json()["valid"] is True
    r = client.post("/api/v1/rules", json={"text": text, "note": "n"}, headers=ana)
    assert r.status_code == 201 and r.json()["status"] == "draft"
    vid = r.json()["id"]
    assert client.get(f"/api/v1/rules/{vid}", headers=ana).json()["text"] == text
    assert client.post(f"/api/v1/rules/{vid}/activate", headers=ana).status_code == 403
    assert client.get("/api/v1/rules", headers=staff).status_code == 403
    assert client.post("/api/v1/rules", json={"text": "x: 1"}, headers=ana).status_code == 422


def test_cli(tmp_path) -> None:
    from typer.testing import CliRunner

    from gridwatch.cli.app import app
    from gridwatch.healthcode.service import default_text

    home = tmp_path / "h"
    runner = CliRunner()
    good = tmp_path / "rules.yaml"
    good.write_text(default_text().replace('{code: "00", name: "default / 默认"}', '{code: "4401", name: "广州市"}')
                    .replace(load_rules(None).version, "cli-1", 1), encoding="utf-8")
    wrong_city = tmp_path / "default.yaml"
    wrong_city.write_text(default_text(), encoding="utf-8")
    r = runner.invoke(app, ["--home", str(home), "rules", "validate", str(wrong_city)])
    assert r.exit_code == 2 and "jurisdiction.code" in r.output
    r = runner.invoke(app, ["--home", str(home), "rules", "import", str(good), "--activate", "--note", "first"])
    assert r.exit_code == 0, r.output
    assert load_rules(home / "results" / "rules" / "active.yaml").version == "cli-1"
    r = runner.invoke(app, ["--home", str(home), "rules", "list"])
    assert r.exit_code == 0 and "active\tcli-1" in r.output and "first" in r.output
    r = runner.invoke(app, ["--home", str(home), "rules", "show"])
    assert r.exit_code == 0 and 'version: "cli-1"' in r.output

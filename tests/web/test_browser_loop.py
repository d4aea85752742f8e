"""The whole loop in a real headless browser (Debian chromium via Playwright), with screenshots.

Screenshots go to ``test-artifacts/browser/`` (or ``$GRIDWATCH_ARTIFACTS/browser``).
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher

from gridwatch.config import Settings
from gridwatch.web.app import create_app
from gridwatch.workflow.events import verify_chain
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.tables import WorkOrder
from gridwatch.workspace import Workspace
from tests.web.live import serve
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import PNG, add_order, user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("GRIDWATCH_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _write_daily(lake: Path, account: str) -> None:
    """A month of daily kWh for one account, in the lake layout (so the load chart has data)."""
    out = lake / "readings_daily" / "month=2026-10"
    out.mkdir(parents=True)
    start = date(2026, 10, 1)
    rows = ", ".join(
        f"('{account}', DATE '{start + timedelta(days=i)}', {40 + (i % 7) * 9 + (i % 3) * 4}.0)"
        for i in range(31)
    )
    duckdb.sql(
        f"COPY (SELECT * FROM (VALUES {rows}) t(account_no, date, kwh)) TO '{out / 'part-t-0.parquet'}'"
    )


@pytest.fixture
def site(tmp_path):
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    pytest.importorskip("playwright")
    ws = Workspace(home=tmp_path / "home", settings=Settings())
    ws.home.mkdir()
    p = Platform.open(ws, hasher=PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))
    p.accounts.sync_jurisdictions("4401")
    user(p, "staff", "field_staff", COMMUNITY)
    user(p, "reviewer", "reviewer", TOWN)
    user(p, "enforcer", "enforcement", TOWN)
    user(p, "street", "street_admin", TOWN)
    ids = []
    for i in range(14):
        oid = add_order(p, f"03000{i:05d}", COMMUNITY, score=0.95 - i * 0.03)
        ids.append(oid)
    with p.sessions.begin() as s:  # give the orders positions around 五山 so the map has points
        for k, oid in enumerate(ids):
            o = s.get(WorkOrder, oid)
            o.lon, o.lat = 113.34 + (k % 5) * 0.004, 23.15 + (k // 5) * 0.004
            o.address_text = f"广州市天河区五山路{100 + k}号"
    _write_daily(ws.lake_dir, "0300000000")
    app = create_app(ws, p)
    with serve(app) as base:
        yield base, ids[0], p
    p.close()


def _state(p: Platform, oid: int) -> str:
    with p.sessions() as s:
        return s.get(WorkOrder, oid).state


def test_whole_loop_in_browser(site):
    from playwright.sync_api import sync_playwright

    base, oid, p = site
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    photo = shots.parent / "site-photo.png"
    photo.write_bytes(PNG)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
        )

        def login(ctx, name):  # type: ignore[no-untyped-def]
            ctx.clear_cookies()
            page = ctx.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", "password123")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            return page

        # field staff on a phone: pool → claim → my orders → verification form
        page = login(phone, "staff")
        page.goto(f"{base}/pool")
        page.screenshot(path=str(shots / "01-pool-phone.png"), full_page=False)
        page.click(f"article[data-order='{oid}'] button:has-text('抢单')")
        page.wait_for_url(f"{base}/mine*")
        page.screenshot(path=str(shots / "02-mine-phone.png"))
        page.click(f"article[data-order='{oid}'] a:has-text('现场核查')")
        page.check("input[name=outcome][value=confirmed]")
        page.select_option("select[name=trade]", "metal")
        page.set_input_files("input[name=photos]", str(photo))
        page.fill("#lon", "113.3412")
        page.fill("#lat", "23.1501")
        page.fill("textarea[name=notes]", "一楼有车床三台,正在生产")
        page.screenshot(path=str(shots / "03-verify-phone.png"), full_page=True)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/mine*")
        assert _state(p, oid) == "verified"

        # reviewer on a desktop: queue → order → approve
        page = login(desk, "reviewer")
        page.goto(f"{base}/review")
        page.screenshot(path=str(shots / "04-review-queue.png"))
        page.click(f"a[href='/orders/{oid}']")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "05-order-review.png"), full_page=True)
        assert page.locator("button:has-text('复核通过')").count() == 1  # only the approve that applies
        page.click("button:has-text('复核通过')")
        page.wait_for_url(f"{base}/review*")
        assert _state(p, oid) == "confirmed"

        # enforcement: order disposal (shut down, 两断三清 steps), complete
        page = login(desk, "enforcer")
        page.goto(f"{base}/orders/{oid}")
        page.select_option("select[name=measure]", "shutdown")
        page.click("button:has-text('下达处置')")
        page.wait_for_load_state("networkidle")
        for _ in range(5):
            page.click("ul.steps button:has-text('完成') >> nth=0")
            page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / "06-disposal-steps.png"), full_page=True)
        page.click("button:has-text('处置完成')")
        page.wait_for_load_state("networkidle")

        # street administrator closes with evidence, then looks at the dashboard, suspects and map
        page = login(desk, "street")
        page.goto(f"{base}/orders/{oid}")
        page.fill("textarea[name=evidence]", "已断水断电,设备已清除")
        page.click("button:has-text('办结')")
        page.wait_for_load_state("networkidle")
        assert "已办结" in page.inner_text("h1")
        page.screenshot(path=str(shots / "07-order-closed.png"), full_page=True)
        page.goto(f"{base}/")
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "08-dashboard.png"), full_page=True)
        assert "命中率" in page.content()
        page.goto(f"{base}/suspects")
        page.screenshot(path=str(shots / "09-suspects.png"), full_page=True)
        page.goto(f"{base}/map")
        page.wait_for_timeout(1000)
        page.screenshot(path=str(shots / "10-map.png"))
        page.goto(f"{base}/lang/en?next=/")
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "11-dashboard-en.png"), full_page=True)
        assert "Dashboard" in page.content()
        browser.close()

    with p.sessions() as s:
        _n, brk = verify_chain(s)
        o = s.get(WorkOrder, oid)
        assert brk is None
        assert o.state == "closed" and o.resolution == "disposed" and o.outcome == "confirmed"
    assert len(list(shots.glob("*.png"))) == 11

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
        page.check("input[name=check][value=metal_grinding]")
        assert page.is_hidden("fieldset[data-trade=wood]")  # only the chosen trade's checklist
        page.screenshot(path=str(shots / "03-verify-phone.png"), full_page=True)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/mine*")
        assert _state(p, oid) == "verified"
        # before the re-check the officer corrects the verification (adds what was missed)
        page.goto(f"{base}/orders/{oid}")
        page.click("a:has-text('修改核查')")
        page.check("input[name=check][value=no_eia_permit]")
        page.fill("textarea[name=notes]", "一楼有车床三台,正在生产;无环评手续")
        page.screenshot(path=str(shots / "03b-amend-phone.png"), full_page=True)
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
        assert "无环评/排污许可" in page.inner_text(".checklist >> nth=-1")
        assert "修改核查" in page.inner_text("ol.history")
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
        assert "步骤: 断水" in page.inner_text("ol.history")
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
        # the street administrator manages the street's accounts
        page.goto(f"{base}/users")
        page.click("summary:has-text('新建账号')")
        page.fill("form.user-form input[name=username]", "newstaff")
        page.fill("form.user-form input[name=display_name]", "新网格员")
        page.select_option("form.user-form select[name=role]", "field_staff")
        page.fill("form.user-form input[name=jurisdiction_code]", COMMUNITY)
        page.fill("form.user-form input[name=password]", "password123")
        page.click("form.user-form button")
        page.wait_for_url(f"{base}/users*")
        page.click("article[data-user=newstaff] button:has-text('停用')")
        page.wait_for_url(f"{base}/users*")
        assert "已停用" in page.inner_text("article[data-user=newstaff]")
        page.screenshot(path=str(shots / "15-users-desktop.png"), full_page=True)
        page.goto(f"{base}/lang/en?next=/")
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "11-dashboard-en.png"), full_page=True)
        assert "Dashboard" in page.content()
        page.goto(f"{base}/orders/{oid}")
        assert "Step: Cut water" in page.inner_text("ol.history")
        page.screenshot(path=str(shots / "16-order-history-en.png"), full_page=True)
        page.goto(f"{base}/lang/zh?next=/")

        # phone: the administrator's user page, the officer's notifications
        page = login(phone, "street")
        page.goto(f"{base}/users")
        page.screenshot(path=str(shots / "17-users-phone.png"), full_page=True)
        add_order(p, "0300077777", COMMUNITY)  # a new suspect lands in the officer's pool
        page = login(phone, "staff")
        page.goto(f"{base}/pool")
        page.wait_for_function("!document.getElementById('bell-n').hidden")
        assert int(page.inner_text("#bell-n")) >= 1
        page.click("#bell")
        page.wait_for_url(f"{base}/notifications")
        assert "新工单入池" in page.content()
        page.screenshot(path=str(shots / "18-notifications-phone.png"), full_page=True)
        browser.close()

    with p.sessions() as s:
        _n, brk = verify_chain(s)
        o = s.get(WorkOrder, oid)
        assert brk is None
        assert o.state == "closed" and o.resolution == "disposed" and o.outcome == "confirmed"
    names = {f.name for f in shots.glob("*.png")}
    assert {"03b-amend-phone.png", "15-users-desktop.png", "17-users-phone.png", "18-notifications-phone.png"} <= names
    assert len([n for n in names if n[:2] in {f"{i:02d}" for i in (*range(1, 12), 15, 16, 17, 18)}]) == 16


def test_offline_verification_is_queued_and_sent_when_back_online(tmp_path):
    """A field officer claims an order, loses the signal (browser offline and the server unreachable), opens
    the order from the service worker's cache, submits the verification (queued in IndexedDB), and when
    the signal is back it is sent with the session's CSRF token: the order is verified."""
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    from gridwatch.workflow.tables import Photo, Verification
    from tests.web.live import LiveServer
    from tests.workflow.helpers import jpeg

    ws = Workspace(home=tmp_path / "home", settings=Settings())
    ws.home.mkdir()
    p = Platform.open(ws, hasher=PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))
    p.accounts.sync_jurisdictions("4401")
    staff = user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300099001", COMMUNITY)
    other = add_order(p, "0300099002", COMMUNITY)
    with p.sessions.begin() as s:
        o = s.get(WorkOrder, oid)
        o.lon, o.lat, o.address_text = 113.3412, 23.1501, "广州市天河区五山路(城中村)18号地下室"
    p.orders.claim(staff, oid)
    p.orders.claim(staff, other)
    admin = user(p, "street", "street_admin", TOWN)
    colleague = user(p, "colleague", "field_staff", COMMUNITY)
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg(113.3413, 23.1502))
    server = LiveServer(create_app(ws, p))
    server.start()
    base = server.base
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            ctx = browser.new_context(
                viewport={"width": 390, "height": 844},
                locale="zh-CN",
                is_mobile=True,
                has_touch=True,
                service_workers="allow",
            )
            page = ctx.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=username]", "staff")
            page.fill("input[name=password]", "password123")
            page.click("button[type=submit]")
            page.goto(f"{base}/mine")
            # the service worker is installed and has stored the claimed order's pages (the list and the
            # order's page and form); the next page load is under its control
            page.wait_for_function("document.body.dataset.precached === '8'", timeout=15000)
            page.reload()
            page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)

            # basement: no signal
            ctx.set_offline(True)
            server.stop()
            page.goto(f"{base}/orders/{oid}/verify")
            assert "现场核查" in page.inner_text("h1")
            # the banner is filled after the outbox (IndexedDB) has been counted: wait for it, do not race it
            page.wait_for_function(
                "(() => { const n = document.getElementById('net');"
                " return n && !n.hidden && n.textContent.includes('离线'); })()",
                timeout=15000,
            )
            assert page.is_visible("#net")
            page.check("input[name=outcome][value=confirmed]")
            page.select_option("select[name=trade]", "metal")
            page.check("input[name=check][value=metal_welding_fumes]")
            page.check("input[name=check][value=no_eia_permit]")
            page.set_input_files("input[name=photos]", str(photo))
            page.fill("textarea[name=notes]", "地下室焊接,无信号时填写")
            page.click("button[type=submit]")
            page.wait_for_selector("#queued", state="visible")
            page.wait_for_function("document.getElementById('net').textContent.includes('1 条待发送')")
            page.screenshot(path=str(shots / "12-offline-queued-phone.png"), full_page=True)
            assert _state(p, oid) == "claimed"  # nothing reached the server
            # a second one, for an order the street office hands to a colleague meanwhile
            page.goto(f"{base}/orders/{other}/verify")
            page.check("input[name=outcome][value=vacant]")
            page.click("button[type=submit]")
            page.wait_for_function("document.getElementById('net').textContent.includes('2 条待发送')")
            p.orders.reassign(admin, other, colleague.user_id, "staff unreachable")
            page.goto(f"{base}/mine")  # the cached list, with the outbox
            page.wait_for_selector(f"#outbox li[data-order='{oid}']")
            page.screenshot(path=str(shots / "13-offline-outbox-phone.png"), full_page=True)

            # signal back: the queue is sent by itself
            server.start()
            ctx.set_offline(False)
            # the first is sent; the second is refused (the order is no longer theirs) and stays listed
            page.wait_for_function(
                "document.getElementById('net').textContent === '1 条发送失败'", timeout=20000
            )
            assert _state(p, oid) == "verified"
            assert _state(p, other) == "claimed"
            page.reload()
            page.wait_for_selector(f"#outbox li[data-order='{other}'] button")
            assert "403" in page.inner_text(f"#outbox li[data-order='{other}']")
            page.screenshot(path=str(shots / "14-back-online-phone.png"), full_page=True)
            page.click(f"#outbox li[data-order='{other}'] button")
            page.wait_for_function("document.getElementById('net').hidden === true")
            # what went stays listed as sent (for a day); the refused one is gone
            assert page.locator("#outbox li").count() == 1
            assert page.get_attribute("#outbox li", "data-status") == "sent"
            browser.close()
    finally:
        server.stop()
    with p.sessions() as s:
        v = s.query(Verification).filter_by(order_id=oid).one()
        ph = s.query(Photo).filter_by(order_id=oid).one()
        _n, brk = verify_chain(s)
    assert v.outcome == "confirmed" and v.trade == "metal" and v.visited_at is not None
    assert v.checklist["metal_welding_fumes"] is True and v.checklist["no_eia_permit"] is True
    assert ph.gps_lon is not None and ph.warnings == []
    assert brk is None
    p.close()

"""A field officer's phone in a real headless Chromium (Playwright): a verification whose answer is lost is
replayed and stored once; logging out purges the officer's outbox and cached pages, and another user's
queue is never sent under the wrong session; the reviewer sees photo warnings in the queue; the offline
base map works without tiles and without a server.  Screenshots go to ``test-artifacts/browser/``."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from gridwatch.config import Settings
from gridwatch.web.app import create_app
from gridwatch.workflow.events import verify_chain
from gridwatch.workflow.photos import Upload
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.tables import Event, Verification, WorkOrder
from gridwatch.workspace import Workspace
from tests.web.live import LiveServer
from tests.web.test_browser_loop import ARGS, ARTIFACTS, CHROMIUM
from tests.workflow.fixtures import COMMUNITY, TOWN
from tests.workflow.helpers import PNG, add_order, jpeg, user, write_address_registry

pytestmark = pytest.mark.browser

OUTBOX_COUNT = """(user) => new Promise((ok, bad) => {
  const r = indexedDB.open("gridwatch-offline", 2);
  r.onupgradeneeded = () => r.result.createObjectStore("outbox", {keyPath: "id", autoIncrement: true});
  r.onsuccess = () => { const t = r.result.transaction("outbox").objectStore("outbox").getAll();
    t.onsuccess = () => { r.result.close(); ok(t.result.filter(i => user === null || i.user === String(user)).length); }; };
  r.onerror = () => bad(r.error);
})"""


@pytest.fixture
def field(tmp_path):
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    ws = Workspace(home=tmp_path / "home", settings=Settings())
    ws.home.mkdir()
    p = Platform.open(ws, hasher=PasswordHasher(time_cost=1, memory_cost=256, parallelism=1))
    p.accounts.sync_jurisdictions("4401")
    server = LiveServer(create_app(ws, p))
    server.start()
    shots = ARTIFACTS / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        ctx = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True,
            service_workers="allow",
        )
        try:
            yield p, server, ctx, shots
        finally:
            browser.close()
            server.stop()
            p.close()


def login(ctx, base: str, name: str):  # type: ignore[no-untyped-def]
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", "password123")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def verifications(p: Platform, oid: int) -> tuple[int, int]:
    with p.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Verification).where(Verification.order_id == oid)) or 0,
            s.scalar(select(func.count()).select_from(Event).where(Event.order_id == oid, Event.action == "verify"))
            or 0,
        )


def state(p: Platform, oid: int) -> str:
    with p.sessions() as s:
        return s.get(WorkOrder, oid).state


def fill_vacant(page, base: str, oid: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/orders/{oid}/verify")
    page.check("input[name=outcome][value=vacant]")
    page.fill("textarea[name=notes]", "门窗紧闭,无人")
    page.click("button[type=submit]")


def test_a_lost_answer_is_replayed_and_stored_once(field):
    """The server stores the verification but the answer never reaches the phone (the signal drops on
    the way back): the phone keeps it in its outbox and sends it again when the network is back — the same
    idempotency key, so the second request changes nothing, and the outbox shows it as sent."""
    p, server, ctx, shots = field
    base = server.base
    staff = user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300088001", COMMUNITY)
    p.orders.claim(staff, oid)
    posts: list[str] = []

    def lose_the_answer(route) -> None:  # type: ignore[no-untyped-def]
        posts.append(route.request.headers.get("idempotency-key", ""))
        if len(posts) == 1:
            route.fetch()  # reaches the server, which stores it ...
            route.abort("connectionreset")  # ... and the answer is lost
        else:
            route.continue_()

    ctx.route("**/orders/*/act/verify", lose_the_answer)
    page = login(ctx, base, "staff")
    fill_vacant(page, base, oid)
    page.wait_for_selector("#queued", state="visible")  # the page could not tell: kept in the outbox
    assert verifications(p, oid) == (1, 1) and state(p, oid) == "verified"
    # the network comes back (the `online` event; Background Sync where the browser fires it)
    ctx.set_offline(True)
    ctx.set_offline(False)
    page.goto(f"{base}/mine")
    page.wait_for_selector(f"#outbox li[data-order='{oid}'][data-status='sent']", timeout=20000)
    page.screenshot(path=str(shots / "20-outbox-sent-phone.png"), full_page=True)
    assert len(posts) == 2 and posts[0] == posts[1] and len(posts[0]) == 32  # the same key, twice
    assert verifications(p, oid) == (1, 1)  # stored once
    assert page.is_hidden("#net")  # nothing pending, nothing failed
    with p.sessions() as s:
        assert verify_chain(s)[1] is None


def test_background_sync_sends_with_no_page_open(field):
    """Queued in a basement, the page closed: when the network is back the service worker sends the queue
    by itself (Background Sync), with the session's CSRF token."""
    p, server, ctx, _ = field
    base = server.base
    staff = user(p, "staff", "field_staff", COMMUNITY)
    oid = add_order(p, "0300088051", COMMUNITY)
    p.orders.claim(staff, oid)
    page = login(ctx, base, "staff")
    page.goto(f"{base}/mine")
    page.wait_for_function("document.body.dataset.precached !== undefined", timeout=15000)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    ctx.set_offline(True)
    fill_vacant(page, base, oid)
    page.wait_for_selector("#queued", state="visible")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.sync.getTags())") == ["gw-outbox"]
    page.close()  # the officer puts the phone away
    assert ctx.pages == [] and state(p, oid) == "claimed"
    ctx.set_offline(False)
    deadline = time.monotonic() + 20
    while state(p, oid) != "verified" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state(p, oid) == "verified" and verifications(p, oid) == (1, 1)


def test_logout_purges_the_outbox_and_pages_and_never_sends_another_users_queue(field):
    p, server, ctx, shots = field
    base = server.base
    staff = user(p, "staff", "field_staff", COMMUNITY)
    mate = user(p, "mate", "field_staff", COMMUNITY)
    oid, mine2, theirs = (add_order(p, f"030008810{i}", COMMUNITY) for i in range(3))
    p.orders.claim(staff, oid)
    p.orders.claim(staff, mine2)
    p.orders.claim(mate, theirs)
    ctx.route("**/orders/*/act/verify", lambda route: route.abort("internetdisconnected"))  # no signal

    # 1. the officer queues a verification, then the phone is handed over without logging out
    page = login(ctx, base, "staff")
    page.wait_for_function("document.body.dataset.precached !== undefined", timeout=15000)
    fill_vacant(page, base, oid)
    page.wait_for_selector("#queued", state="visible")
    assert page.evaluate(OUTBOX_COUNT, staff.user_id) == 1
    ctx.clear_cookies()  # the session ends (expired, or ended elsewhere)
    ctx.unroute("**/orders/*/act/verify")

    # 2. a colleague logs in on the same phone: the queue of the first officer is not theirs to send
    page = login(ctx, base, "mate")
    page.goto(f"{base}/mine")
    page.evaluate("window.gwOffline.drain()")
    page.wait_for_timeout(500)
    assert state(p, oid) == "claimed"  # never sent under the colleague's session
    assert page.is_hidden("#outbox") and page.is_hidden("#net")  # nor shown to them
    page.screenshot(path=str(shots / "21-other-user-phone.png"), full_page=True)
    page.click("header form[action='/logout'] button")  # nothing of theirs pending: no question
    page.wait_for_url(f"{base}/login*")
    assert page.evaluate(OUTBOX_COUNT, staff.user_id) == 1  # the first officer's item is still there

    # 3. the first officer is back: the queue goes out under their own session
    page = login(ctx, base, "staff")
    page.goto(f"{base}/mine")
    page.wait_for_selector(f"#outbox li[data-order='{oid}'][data-status='sent']", timeout=20000)
    assert state(p, oid) == "verified"

    # 4. another verification stays unsent; logging out asks, then purges the outbox and every cached page
    ctx.route("**/orders/*/act/verify", lambda route: route.abort("internetdisconnected"))
    page.goto(f"{base}/orders/{mine2}")  # a page of a claimed order, in the worker's cache
    fill_vacant(page, base, mine2)
    page.wait_for_selector("#queued", state="visible")
    page.goto(f"{base}/mine")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15000)
    assert page.evaluate("caches.keys().then(k => k.filter(n => n.endsWith('-pages')).length)") == 1
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    page.click("header form[action='/logout'] button")
    page.wait_for_url(f"{base}/login*")
    assert questions and "1 条核查未发送" in questions[0]
    assert page.evaluate(OUTBOX_COUNT, None) == 0
    assert page.evaluate("caches.keys().then(k => k.filter(n => n.endsWith('-pages')).length)") == 0
    assert page.evaluate("localStorage.getItem('gw-precache')") is None
    # without signal, nothing of the officer's pages is left on the phone
    server.stop()
    ctx.set_offline(True)
    page.goto(f"{base}/orders/{mine2}")
    assert "没有离线副本" in page.content() and "0300088101" not in page.content()
    page.screenshot(path=str(shots / "22-after-logout-offline-phone.png"), full_page=True)
    ctx.set_offline(False)
    server.start()
    assert state(p, mine2) == "claimed" and state(p, theirs) == "claimed"


def test_reviewer_sees_photo_warnings_in_the_queue(field):
    p, server, ctx, shots = field
    base = server.base
    staff = user(p, "staff", "field_staff", COMMUNITY)
    user(p, "reviewer", "reviewer", TOWN)
    oid = add_order(p, "0300088201", COMMUNITY)
    with p.sessions.begin() as s:
        o = s.get(WorkOrder, oid)
        o.lon, o.lat = 113.34, 23.15
    p.orders.claim(staff, oid)
    far_old = jpeg(113.36, 23.15, "2020:01:02 09:30:00")
    p.orders.verify(staff, oid, outcome="vacant", trade=None, lon=None, lat=None, notes="",
                    uploads=[Upload("far.jpg", far_old), Upload("shot.png", PNG)])
    page = login(ctx, base, "reviewer")
    page.goto(f"{base}/review")
    card = page.locator(f"article[data-order='{oid}'] .photo-flags")
    assert card.is_visible()
    text = card.inner_text()
    assert "照片存疑 2/2" in text and "约 2.0 公里" in text and "无拍摄时间和位置信息" in text
    page.screenshot(path=str(shots / "23-review-queue-warnings-phone.png"), full_page=True)
    page.click(f"article[data-order='{oid}'] a[href='/orders/{oid}']")
    page.wait_for_load_state("networkidle")
    assert "照片存疑 2/2" in page.inner_text(".actions-panel .photo-flags")
    assert page.locator(".photo .photo-warning").count() == 3  # under the photos too
    # this store's lake has no readings of the account: a line of text, not an empty chart
    page.wait_for_selector("#load.empty")
    assert page.inner_text("#load") == "暂无该户的日用电量读数"
    page.screenshot(path=str(shots / "24-order-warnings-phone.png"), full_page=True)


def test_offline_base_map_without_tiles_and_without_server(field):
    p, server, ctx, shots = field
    base = server.base
    staff = user(p, "staff", "field_staff", COMMUNITY)
    write_address_registry(p.workspace.lake_dir, {COMMUNITY: (113.34, 23.15), "440106001002": (113.35, 23.16)})
    oid = add_order(p, "0300088301", COMMUNITY)
    with p.sessions.begin() as s:
        o = s.get(WorkOrder, oid)
        o.lon, o.lat = 113.3412, 23.1503
    p.orders.claim(staff, oid)
    page = login(ctx, base, "staff")
    page.wait_for_function("document.body.dataset.precached !== undefined", timeout=15000)
    page.goto(f"{base}/map?order={oid}")
    page.wait_for_selector("#map[data-ready='1']", timeout=15000)
    assert page.locator("img.leaflet-tile").count() == 0  # no tile server
    assert "离线底图" in page.inner_text("p.note")
    page.screenshot(path=str(shots / "25-map-offline-base-phone.png"))
    overlays = page.text_content(".leaflet-control-layers-overlays") or ""
    assert all(x in overlays for x in ("社区轮廓", "网格轮廓", "道路", "门牌"))
    # basement: no network and no server; the map and its base layer come from the service worker
    ctx.set_offline(True)
    server.stop()
    page.goto(f"{base}/map?order={oid}")
    page.wait_for_selector("#map[data-ready='1']", timeout=15000)
    assert "门牌" in (page.text_content(".leaflet-control-layers-overlays") or "")
    assert page.locator(".road-label").count() >= 1  # zoomed in on the order: road names show
    page.screenshot(path=str(shots / "26-map-offline-no-server-phone.png"))
    ctx.set_offline(False)
    server.start()


TARGETS = """() => {
  const vw = window.innerWidth, out = {overflow: document.documentElement.scrollWidth - vw, small: []};
  document.querySelectorAll('a, button, input, select, textarea, summary, label.check, label.radio').forEach(e => {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || e.type === 'hidden' || e.closest('.leaflet-control-attribution')) return;
    if (e.tagName === 'A' && e.closest('p, dd, li, td, .reasons, figcaption, .meta')) return;  // links in text
    if (e.tagName === 'INPUT' && e.closest('label.check, label.radio')) return;  // the label is the target
    if (r.height < 40) out.small.push(`${e.tagName}.${e.className} "${(e.innerText || e.name || '').slice(0, 20)}" ${Math.round(r.height)}px`);
  });
  return out;
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_pages_fit_and_have_40px_targets(field, lang):
    """390×844: no page scrolls sideways, and everything one taps is at least 40 px high."""
    p, server, ctx, shots = field
    base = server.base
    staff = user(p, "staff", "field_staff", COMMUNITY)
    user(p, "reviewer", "reviewer", TOWN)
    write_address_registry(p.workspace.lake_dir, {COMMUNITY: (113.34, 23.15)})
    ids = [add_order(p, f"030008840{i}", COMMUNITY) for i in range(3)]
    with p.sessions.begin() as s:
        for oid in ids:
            o = s.get(WorkOrder, oid)
            o.lon, o.lat, o.address_text = 113.3405, 23.1502, "广州市天河区五山路一百二十八号之三(城中村出租屋)"
    for oid in ids[:2]:
        p.orders.claim(staff, oid)
    p.orders.verify(staff, ids[0], outcome="vacant", trade=None, lon=None, lat=None, notes="",
                    uploads=[Upload("s.png", PNG)])
    pages = {
        "staff": ["/pool", "/mine", f"/orders/{ids[1]}/verify", f"/orders/{ids[1]}", "/notifications", "/map"],
        "reviewer": ["/review", f"/orders/{ids[0]}", "/"],
    }
    problems = {}
    for who, paths in pages.items():
        ctx.clear_cookies()
        page = login(ctx, base, who)
        page.goto(f"{base}/lang/{lang}?next=/")
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            r = page.evaluate(TARGETS)
            if r["overflow"] > 0 or r["small"]:
                problems[f"{who} {path}"] = r
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=str(shots / f"30-{lang}-{who}-{name}.png"), full_page=True)
    assert problems == {}

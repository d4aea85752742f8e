"""Shared page machinery: the Jinja2 environment, navigation registry and ``render``."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from gridwatch.web.i18n import Translator
from gridwatch.web.response_cache import Body
from gridwatch.web.security import LANG_COOKIE
from gridwatch.workflow.roles import Role

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time (naive or aware, or ISO text) in China's local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).strftime(fmt)


TEMPLATES.env.filters["local"] = local_time


def add_template_dir(directory: Path) -> None:
    """Let a capability keep its templates beside its code (idempotent: a directory is added once)."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    loaders = getattr(TEMPLATES.env.loader, "loaders", [TEMPLATES.env.loader])
    if any(isinstance(ld, FileSystemLoader) and str(directory) in ld.searchpath for ld in loaders):
        return
    TEMPLATES.env.loader = ChoiceLoader([*loaders, FileSystemLoader(str(directory))])


@dataclass(frozen=True)
class NavItem:
    path: str
    key: str  # message key (gridwatch.web.i18n.MESSAGES) or literal label
    roles: tuple[Role, ...] | None = None  # None = every role
    order: int = 50


NAV_ITEMS: list[NavItem] = []
"""Filled by create_app from the NAV lists of ROUTER_MODULES."""


def render(
    request: Request, auth: Any, template: str, ctx: dict[str, Any], status: int = 200
) -> HTMLResponse:
    t = Translator(request.cookies.get(LANG_COOKIE, "zh"))
    return TEMPLATES.TemplateResponse(request, template, base_context(request, auth, t) | ctx, status_code=status)


CSRF_HOLE = f"\x00csrf-{secrets.token_hex(8)}\x00"
"""Stands in for the session's CSRF token in a cached content block; filled in per request (random per
process, so no stored text can forge it)."""

PageCompute = Callable[[], tuple[dict[str, Any], datetime | None]]
"""Computes a page's data (template context) and the moment it stops being true on its own."""


def render_cached(
    request: Request, auth: Any, template: str, key: tuple[Hashable, ...], compute: PageCompute, ctx: dict[str, Any]
) -> HTMLResponse:
    """Render ``template`` with its ``content`` block taken from the response cache.

    The block is rendered once per ``key`` (which the caller builds with
    :func:`gridwatch.web.response_cache.key_of`: jurisdiction, masking class, role, parameters) and language,
    at the caller's area version, with a placeholder for the session's CSRF token; the rest of the page (who
    is logged in, navigation, flash message) is rendered per request around it.  ``ctx`` is what the
    template needs outside that block (e.g. its title); the template shows ``cached_content`` instead of its
    block when given.  Without a response cache, or for a role whose reads are logged, ``compute`` runs on
    every request as before."""
    cache = request.app.state.responses
    if cache is None or auth.actor.sees_personal_data:
        data, _ = compute()
        return render(request, auth, template, ctx | data)
    t = Translator(request.cookies.get(LANG_COOKIE, "zh"))

    def make() -> tuple[Body, datetime | None]:
        data, valid_until = compute()
        tpl = TEMPLATES.env.get_template(template)
        full = base_context(request, auth, t) | {"csrf": CSRF_HOLE} | ctx | data
        html = "".join(tpl.blocks["content"](tpl.new_context(full)))
        return Body(html.encode(), ""), valid_until

    now = request.app.state.platform.orders.clock()
    body = cache.get((*key, "html", t.lang), auth.area_version, now, make)
    content = Markup(body.content.decode().replace(CSRF_HOLE, auth.csrf or ""))
    return TEMPLATES.TemplateResponse(
        request, template, base_context(request, auth, t) | ctx | {"cached_content": content}
    )


def base_context(request: Request, auth: Any, t: Translator) -> dict[str, Any]:
    """What every page's base template shows: language, who is logged in, navigation, flash message."""
    actor = auth.actor if auth else None
    nav = sorted(
        (n for n in NAV_ITEMS if actor and (n.roles is None or actor.role in n.roles)), key=lambda n: n.order
    )
    return {
        "request": request,
        "t": t,
        "lang": t.lang,
        "actor": actor,
        "csrf": auth.csrf if auth else "",
        "nav": nav,
        "path": request.url.path,
        "msg": request.query_params.get("msg", ""),
        "jname": request.app.state.platform.accounts.jurisdiction_name(actor.jurisdiction_code)
        if actor
        else "",
    }

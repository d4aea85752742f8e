"""Shared page machinery: the Jinja2 environment, navigation registry and ``render``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gridwatch.web.i18n import Translator
from gridwatch.web.security import LANG_COOKIE
from gridwatch.workflow.roles import Role

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))


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
    actor = auth.actor if auth else None
    nav = sorted(
        (n for n in NAV_ITEMS if actor and (n.roles is None or actor.role in n.roles)), key=lambda n: n.order
    )
    base = {
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
    return TEMPLATES.TemplateResponse(request, template, base | ctx, status_code=status)

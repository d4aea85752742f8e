"""Shared page machinery: the Jinja2 environment, navigation registry and ``render``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gridwatch.web.i18n import Translator
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

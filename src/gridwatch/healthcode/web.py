"""Pages and API for the health-code conditions (registered through ``gridwatch.web.app.ROUTER_MODULES``).

- ``/rules`` — the active conditions in words, the versions, and an editor that validates before saving;
- ``/rules/{id}`` — one version: its text, the difference to the active one, activation;
- ``/api/v1/rules`` (GET list, POST save), ``/api/v1/rules/validate``, ``/api/v1/rules/{id}``,
  ``/api/v1/rules/{id}/activate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from gridwatch.healthcode.service import ACTIVATORS, EDITORS, VIEWERS, RuleBook
from gridwatch.screening.feature_catalog import FEATURES
from gridwatch.screening.models import MODELS
from gridwatch.screening.rules import RuleFileError, RuleSet
from gridwatch.web.deps import ApiAuth, PageAuth, PlatformDep, csrf_ok
from gridwatch.web.i18n import MESSAGES
from gridwatch.web.pages.base import NavItem, add_template_dir, render
from gridwatch.web.security import LANG_COOKIE
from gridwatch.workflow.errors import Forbidden
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.roles import Role

add_template_dir(Path(__file__).parent / "templates")

router = APIRouter()
MESSAGES.update({"rules_nav": ("判定条件", "Code rules")})  # this capability's UI strings
NAV = [NavItem("/rules", "rules_nav", tuple(r for r in VIEWERS if r is not Role.SYSTEM), 70)]

OPS_ZH = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠", "in": "属于", "not_in": "不属于",
          "is_null": "为空", "not_null": "不为空"}
OPS_EN = {"in": "in", "not_in": "not in", "is_null": "is empty", "not_null": "is present"}


def rulebook(p: Platform) -> RuleBook:
    city = p.workspace.settings.city_code
    return RuleBook(p.sessions, city, p.accounts.jurisdiction_name(city), p.workspace.active_rules_path)


def on_app(app: FastAPI) -> None:
    """At start-up: the workspace file follows the active version (repairs an interrupted activation)."""
    rulebook(app.state.platform).sync_file()


def describe(rules: RuleSet, lang: str) -> list[dict[str, Any]]:
    """The models' conditions in words, for officials who do not read YAML."""
    en = lang == "en"

    def cond(c) -> str:  # type: ignore[no-untyped-def]
        f = FEATURES.get(c.feature)
        name = c.feature if en or f is None or not f.zh else f"{f.zh}({c.feature})"
        op = (OPS_EN.get(c.op, c.op) if en else OPS_ZH.get(c.op, c.op))
        if isinstance(c.value, bool):
            return f"{name} {op} {('yes' if c.value else 'no') if en else ('是' if c.value else '否')}"
        value = "" if c.value is None else (", ".join(map(str, c.value)) if isinstance(c.value, list) else c.value)
        numeric = isinstance(c.value, (int, float))
        unit = f" {f.unit}" if f and numeric and f.unit not in ("-", "", "bool") else ""
        return f"{name} {op} {value}{unit}".strip()

    out = []
    for name, m in rules.models.items():
        spec = MODELS.get(name)
        out.append({
            "name": name,
            "title": (spec.title_en if en else spec.title_zh) if spec else name,
            "enabled": m.enabled, "severity": m.severity, "weight": m.weight,
            "all_of": [cond(c) for c in m.all_of],
            "any_of": [cond(c) for c in m.any_of], "any_min": m.any_min,
        })
    return out


def _page(request: Request, auth, p: Platform, *, text: str | None = None, errors: str = "",  # type: ignore[no-untyped-def]
          checked: RuleSet | None = None, note: str = "", status: int = 200):
    book = rulebook(p)
    versions = book.versions(auth.actor)
    active = book.active()
    shown = book.validate(book.text(active.id)) if active else book.validate(book.default_for_city())
    lang = request.cookies.get(LANG_COOKIE, "zh")
    return render(request, auth, "rules.html", {
        "versions": versions, "active": active, "models": describe(shown, lang), "codes": shown.codes,
        "editor_text": text if text is not None else book.starting_text(), "errors": errors,
        "checked": describe(checked, lang) if checked else None, "note": note,
        "can_edit": auth.actor.role in EDITORS, "can_activate": auth.actor.role in ACTIVATORS,
        "active_file": str(p.workspace.active_rules_path.relative_to(p.workspace.home)),
    }, status=status)


@router.get("/rules", include_in_schema=False)
def rules_page(request: Request, auth: PageAuth, p: PlatformDep, start: int | None = None):  # type: ignore[no-untyped-def]
    text = rulebook(p).get(auth.actor, start)[1] if start is not None else None
    return _page(request, auth, p, text=text)


@router.post("/rules", include_in_schema=False)
async def rules_post(request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    form = await request.form()
    if not csrf_ok(auth, str(form.get("csrf_token", ""))):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page")
    text, note = str(form.get("text", "")), str(form.get("note", ""))
    book = rulebook(p)
    try:
        checked = book.validate(text.replace("\r\n", "\n"))
    except RuleFileError as exc:
        return _page(request, auth, p, text=text, errors=str(exc), note=note, status=422)
    if form.get("do") != "save":
        return _page(request, auth, p, text=text, checked=checked, note=note)
    new_id = book.save(auth.actor, text, note)
    return RedirectResponse(f"/rules/{new_id}", status_code=303)


@router.get("/rules/{version_id}", include_in_schema=False)
def version_page(version_id: int, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    book = rulebook(p)
    view, text = book.get(auth.actor, version_id)
    active = book.active()
    diff = book.diff(auth.actor, active.id if active else None, version_id)
    return render(request, auth, "rules_version.html", {
        "v": view, "text": text, "diff": diff, "active": active,
        "can_activate": auth.actor.role in ACTIVATORS and view.status != "active",
    })


@router.post("/rules/{version_id}/activate", include_in_schema=False)
async def activate_page(version_id: int, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    form = await request.form()
    if not csrf_ok(auth, str(form.get("csrf_token", ""))):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page")
    rulebook(p).activate(auth.actor, version_id)
    return RedirectResponse(f"/rules/{version_id}?msg=activated", status_code=303)


# ---------------------------------------------------------------------- API


class RulesIn(BaseModel):
    text: str = Field(description="The rule file (YAML or JSON), format gridwatch-rules/1.")
    note: str = Field("", max_length=2000, description="Why this version (shown in the history).")


def _version_json(v) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"id": v.id, "version": v.version, "status": v.status, "note": v.note, "sha256": v.sha256,
            "created_by": v.created_by, "created_at": v.created_at.isoformat(),
            "activated_by": v.activated_by, "activated_at": v.activated_at.isoformat() if v.activated_at else None}


@router.get("/api/v1/rules")
def list_api(auth: ApiAuth, p: PlatformDep) -> dict[str, Any]:
    book = rulebook(p)
    active = book.active()
    return {"active_id": active.id if active else None,
            "versions": [_version_json(v) for v in book.versions(auth.actor)]}


@router.post("/api/v1/rules/validate")
def validate_api(body: RulesIn, auth: ApiAuth, p: PlatformDep) -> dict[str, Any]:
    if auth.actor.role not in VIEWERS:
        raise Forbidden(f"{auth.actor.role.value} may not view health-code conditions")
    try:
        rules = rulebook(p).validate(body.text)
    except RuleFileError as exc:
        return {"valid": False, "errors": str(exc).splitlines()}
    return {"valid": True, "errors": [], "version": rules.version, "models": sorted(rules.models)}


@router.post("/api/v1/rules", status_code=201)
def save_api(body: RulesIn, auth: ApiAuth, p: PlatformDep) -> dict[str, Any]:
    book = rulebook(p)
    new_id = book.save(auth.actor, body.text, body.note)
    return _version_json(book.get(auth.actor, new_id)[0])


@router.get("/api/v1/rules/{version_id}")
def get_api(version_id: int, auth: ApiAuth, p: PlatformDep) -> dict[str, Any]:
    view, text = rulebook(p).get(auth.actor, version_id)
    return _version_json(view) | {"text": text}


@router.post("/api/v1/rules/{version_id}/activate")
def activate_api(version_id: int, auth: ApiAuth, p: PlatformDep) -> dict[str, Any]:
    return _version_json(rulebook(p).activate(auth.actor, version_id))

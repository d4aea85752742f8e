"""Pages: suspect list, order pool, my orders, re-check queue, order detail with its actions,
verification form, Excel export and photos."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from gridwatch.web.deps import PageAuth, PlatformDep, csrf_ok
from gridwatch.web.pages.base import NavItem, render, render_cached
from gridwatch.web.response_cache import key_of
from gridwatch.workflow import checklists, loop
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.errors import InvalidInput
from gridwatch.workflow.exports import orders_to_excel
from gridwatch.workflow.photos import Upload
from gridwatch.workflow.platform import Platform
from gridwatch.workflow.roles import Role

router = APIRouter(include_in_schema=False)

REVIEWERS = (Role.REVIEWER, Role.STREET_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN)
NAV = [
    NavItem("/suspects", "suspects", None, 20),
    NavItem("/pool", "pool", (Role.FIELD_STAFF, Role.STREET_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN), 30),
    NavItem("/mine", "mine", (Role.FIELD_STAFF,), 35),
    NavItem("/review", "review", REVIEWERS, 40),
]


@dataclass(frozen=True)
class ListView:
    title: str
    states: tuple[str, ...] | None
    mine: bool = False
    cards: bool = True
    order_by: str = "score"
    photo_flags: bool = False  # show the photo warnings of each order's verification (the re-check queue)


LISTS: dict[str, ListView] = {
    "suspects": ListView("suspects", None, cards=False),
    "pool": ListView("pool", ("pooled",)),
    "mine": ListView("mine", ("claimed", "returned", "verified"), mine=True, order_by="due"),
    "review": ListView("review", ("verified",), order_by="due", photo_flags=True),
}


def _list(kind: str):  # type: ignore[no-untyped-def]
    view = LISTS[kind]

    def handler(
        request: Request,
        auth: PageAuth,
        p: PlatformDep,
        page: int = 1,
        state: str = "",  # type: ignore[no-untyped-def]
        code: str = "",
        overdue: bool = False,
        after: str = "",
    ):
        states = [state] if state else (list(view.states) if view.states else None)

        def compute() -> tuple[dict[str, Any], datetime | None]:
            res = p.orders.list_orders(
                auth.actor,
                states=states,
                mine=view.mine,
                overdue=overdue,
                code=code or None,
                page=page,
                page_size=p.workspace.settings.web.page_size,
                order_by=view.order_by,
                after=after or None,
            )
            data = {
                "res": res,
                "state": state,
                "code": code,
                "overdue": overdue,
                "states": list(loop.STATES),
                "jnames": p.accounts.names(list({o.jurisdiction_code for o in res.items})),
                "flags": p.orders.photo_flags(auth.actor, [o.id for o in res.items]) if view.photo_flags else {},
                "returns": p.orders.return_reasons(
                    auth.actor, [o.id for o in res.items if o.state == "returned"]) if view.mine else {},
            }
            return data, res.valid_until

        ctx = {"kind": kind, "view": view}
        if overdue:  # which orders are late moves with the clock: rendered afresh
            return render(request, auth, "orders.html", ctx | compute()[0])
        uid = auth.actor.user_id if view.mine else None
        key = key_of(auth, "page", kind, state, uid, code, page, after)
        return render_cached(request, auth, "orders.html", key, compute, ctx)

    handler.__name__ = f"list_{kind}"
    return handler


for _kind in LISTS:
    router.add_api_route(f"/{_kind}", _list(_kind), methods=["GET"])


@router.get("/orders/{order_id}")
def order_page(order_id: int, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    d = p.orders.get(auth.actor, order_id)
    staff = p.accounts.field_staff_in(auth.actor) if "reassign" in d.actions else []
    return render(
        request,
        auth,
        "order.html",
        {
            "d": d,
            "o": d.order,
            "staff": staff,
            "measures": loop.MEASURES,
            "evaluations": loop.EVALUATIONS,
            "order_jname": p.accounts.jurisdiction_name(d.order.jurisdiction_code),
            "flags": p.orders.photo_flags(auth.actor, [order_id]).get(order_id),
        },
    )


@router.get("/orders/{order_id}/verify")
def verify_form(order_id: int, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    d = p.orders.get(auth.actor, order_id)
    action = next((a for a in VERIFY_ACTIONS if a in d.actions), None)
    if action is None:
        raise HTTPException(409, "this order cannot be verified by you now")
    current = next((v for v in reversed(d.verifications) if v["status"] == "submitted"), None)
    return render(
        request,
        auth,
        "verify.html",
        {
            "o": d.order,
            "action": action,
            "current": current if action == "amend_verification" else None,
            "outcomes": loop.OUTCOMES,
            "trades": loop.TRADES,
            "common_checks": checklists.COMMON,
            "trade_checks": checklists.CHECKLISTS,
            "max_photos": p.workspace.settings.workflow.max_photos,
        },
    )


async def _uploads(form: FormData, max_bytes: int) -> list[Upload]:
    out = []
    for f in form.getlist("photos"):
        if isinstance(f, UploadFile) and f.filename:
            out.append(Upload(f.filename, await f.read(max_bytes + 1)))
    return out


def _opt_float(v: Any) -> float | None:
    return float(v) if v not in (None, "") else None


Handler = Callable[[Platform, Actor, int, FormData, list[Upload]], None]

VERIFY_ACTIONS = ("verify", "amend_verification")
"""Actions answered by the verification form (a first submission, or editing it before the re-check)."""


def _verification_fields(f: FormData, u: list[Upload]) -> dict[str, Any]:
    return {
        "outcome": str(f.get("outcome", "")),
        "trade": str(f.get("trade") or "") or None,
        "lon": _opt_float(f.get("lon")),
        "lat": _opt_float(f.get("lat")),
        "notes": str(f.get("notes", "")),
        "uploads": u,
        "visited_at": _opt_time(f.get("visited_at")),
        "checklist": [str(k) for k in f.getlist("check")],
        "request_key": str(f.get("request_key") or "") or None,  # idempotency key of a replayable send
    }


def _opt_time(v: Any) -> datetime | None:
    if v in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"visited_at: {v!r} is not an ISO time") from exc


PAGE_ACTIONS: dict[str, Handler] = {
    "claim": lambda p, a, o, f, u: p.orders.claim(a, o),
    "release": lambda p, a, o, f, u: p.orders.release(a, o, str(f.get("reason", ""))),
    "reassign": lambda p, a, o, f, u: p.orders.reassign(
        a, o, int(str(f.get("user_id"))), str(f.get("reason", ""))
    ),
    "verify": lambda p, a, o, f, u: p.orders.verify(a, o, **_verification_fields(f, u)),
    "amend_verification": lambda p, a, o, f, u: p.orders.amend_verification(
        a, o, **_verification_fields(f, u)
    ),
    "withdraw_verification": lambda p, a, o, f, u: p.orders.withdraw_verification(
        a, o, str(f.get("reason", ""))
    ),
    "approve": lambda p, a, o, f, u: p.orders.review(a, o, decision="approve"),
    "return": lambda p, a, o, f, u: p.orders.review(a, o, decision="return", reason=str(f.get("reason", ""))),
    "dispose": lambda p, a, o, f, u: p.orders.dispose(
        a,
        o,
        measure=str(f.get("measure", "")),
        days=int(str(f.get("days") or 0)) or None,
        notes=str(f.get("notes", "")),
    ),
    "complete_step": lambda p, a, o, f, u: p.orders.complete_step(a, o, str(f.get("step", ""))),
    "complete_disposal": lambda p, a, o, f, u: p.orders.complete_disposal(a, o, str(f.get("notes", ""))),
    "close": lambda p, a, o, f, u: p.orders.close(a, o, evidence=str(f.get("evidence", "")), uploads=u),
    "evaluate": lambda p, a, o, f, u: p.orders.evaluate(
        a, o, result=str(f.get("result", "")), notes=str(f.get("notes", ""))
    ),
}
"""Form posts of the order pages, by action (each calls one service method)."""


@router.post("/orders/{order_id}/act/{action}")
async def act(order_id: int, action: str, request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    form = await request.form()
    if not csrf_ok(auth, str(form.get("csrf_token", ""))):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page")
    handler = PAGE_ACTIONS.get(action)
    if handler is None:
        raise HTTPException(404, f"unknown action {action!r}")
    uploads = await _uploads(form, p.workspace.settings.workflow.max_photo_bytes)
    await run_in_threadpool(handler, p, auth.actor, order_id, form, uploads)
    nxt = str(form.get("next") or f"/orders/{order_id}")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = f"/orders/{order_id}"
    sep = "&" if "?" in nxt else "?"
    return RedirectResponse(f"{nxt}{sep}msg={action}", status_code=303)


@router.get("/export/orders.xlsx")
def export_orders(request: Request, auth: PageAuth, p: PlatformDep, state: str = ""):  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    orders_to_excel(p.orders, auth.actor, buf, states=[state] if state else None)
    buf.seek(0)
    return StreamingResponse(
        buf,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="gridwatch-orders.xlsx"'},
    )


@router.get("/photos/{photo_id}")
def photo(photo_id: int, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    path, ctype = p.orders.photo_path(auth.actor, photo_id)
    return FileResponse(path, media_type=ctype)

"""API: work orders.  Handlers only translate HTTP to service calls; services check role and jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from pydantic import BaseModel

from gridwatch.web.deps import ApiAuth, PlatformDep
from gridwatch.web.response_cache import CACHED_READS, CachedRead, cached_read
from gridwatch.workflow import checklists, loop
from gridwatch.workflow.curves import daily_kwh
from gridwatch.workflow.photos import Upload
from gridwatch.workflow.views import OrderView, Page

router = APIRouter(prefix="/api/v1", tags=["orders"])


class OrderOut(BaseModel):
    id: int
    account_no: str | None
    customer_name: str | None
    masked: bool
    source: str
    demo: bool
    health_code: str
    score: float
    model_hits: list[str]
    reasons_zh: str
    reasons_en: str
    address_text: str | None
    lon: float | None
    lat: float | None
    dispatch_basis: str
    jurisdiction_code: str
    state: str
    version: int
    assignee_id: int | None
    assignee_name: str | None
    outcome: str | None
    resolution: str | None
    measure: str | None
    reopen_count: int
    created_at: datetime
    due_at: datetime
    overdue: bool

    @classmethod
    def of(cls, v: OrderView) -> OrderOut:
        return cls.model_validate(v, from_attributes=True)


class OrderPage(BaseModel):
    items: list[OrderOut]
    total: int
    page: int
    page_size: int
    pages: int
    next_cursor: str | None = None
    """Pass as ``after`` (with ``page`` + 1) for the next page: a keyset read however deep the page."""


class EventOut(BaseModel):
    seq: int
    action: str
    from_state: str | None
    to_state: str | None
    actor_name: str
    actor_role: str
    data: dict[str, Any]
    at: str


class OrderDetailOut(BaseModel):
    order: OrderOut
    events: list[EventOut]
    verifications: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    disposal: dict[str, Any] | None
    evaluations: list[dict[str, Any]]
    photos: list[dict[str, Any]]
    evidence: dict[str, Any]
    actions: list[str]


class Ok(BaseModel):
    ok: bool = True
    order: OrderOut


class ReviewIn(BaseModel):
    decision: str
    reason: str = ""


class ReassignIn(BaseModel):
    user_id: int
    reason: str = ""


class DisposeIn(BaseModel):
    measure: str
    days: int | None = None
    notes: str = ""


class CloseIn(BaseModel):
    evidence: str


class EvaluateIn(BaseModel):
    result: str
    notes: str = ""


class TransitionOut(BaseModel):
    action: str
    from_states: list[str]
    to_state: str
    roles: list[str]
    actor: str


def _ok(p, auth, oid: int) -> Ok:  # type: ignore[no-untyped-def]
    return Ok(order=OrderOut.of(p.orders.get(auth.actor, oid).order))


class CheckItemOut(BaseModel):
    key: str
    label_zh: str
    label_en: str


@router.get("/checklists", response_model=dict[str, list[CheckItemOut]])
def checklist_items(auth: ApiAuth) -> dict[str, list[CheckItemOut]]:
    """Inspection items per trade (the common items under ``""``)."""
    out = {"": [CheckItemOut.model_validate(i, from_attributes=True) for i in checklists.COMMON]}
    for trade, items in checklists.CHECKLISTS.items():
        out[trade] = [CheckItemOut.model_validate(i, from_attributes=True) for i in items]
    return out


@router.get("/transitions", response_model=list[TransitionOut])
def transitions(auth: ApiAuth) -> list[TransitionOut]:
    """The transition table (the loop as data)."""
    return [
        TransitionOut(
            action=t.action,
            from_states=[str(s) for s in t.from_states],
            to_state=str(t.to_state),
            roles=[str(r) for r in t.roles],
            actor=t.actor,
        )
        for t in loop.TRANSITIONS
    ]


@router.get("/orders", response_model=OrderPage)
def list_orders(
    request: Request,
    auth: ApiAuth,
    p: PlatformDep,
    state: Annotated[list[str] | None, Query()] = None,
    mine: bool = False,
    overdue: bool = False,
    code: str | None = None,
    page: int = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    after: str | None = None,
) -> Response:
    """A page of the orders of the caller's jurisdiction (masked by role).  Reused from the response cache
    until an order of the jurisdiction changes or an item falls due; ETag / ``If-None-Match`` supported."""

    def compute() -> tuple[bytes, datetime | None]:
        res = p.orders.list_orders(
            auth.actor,
            states=state,
            mine=mine,
            overdue=overdue,
            code=code,
            page=page,
            page_size=page_size,
            after=after,
        )
        return page_json(res), res.valid_until

    if overdue:  # which orders are late moves with the clock: computed afresh
        return Response(compute()[0], media_type="application/json")
    return cached_read(request, auth, compute)


CACHED_READS["/api/v1/orders"] = CachedRead("application/json", per_user=lambda query: b"mine" in query)


OUT_FIELDS = tuple(OrderOut.model_fields)


def page_json(res: Page) -> bytes:
    """A page of order views as JSON in the :class:`OrderPage` schema.  The views come from the service,
    typed and already masked, so they are serialised (orjson) without a second validation pass."""
    return orjson.dumps(
        {
            "items": [{f: getattr(v, f) for f in OUT_FIELDS} for v in res.items],
            "total": res.total,
            "page": res.page,
            "page_size": res.page_size,
            "pages": res.pages,
            "next_cursor": res.next_cursor,
        }
    )


@router.get("/orders/{order_id}", response_model=OrderDetailOut)
def get_order(order_id: int, auth: ApiAuth, p: PlatformDep) -> OrderDetailOut:
    d = p.orders.get(auth.actor, order_id)
    return OrderDetailOut(
        order=OrderOut.of(d.order),
        events=[EventOut.model_validate(e, from_attributes=True) for e in d.events],
        verifications=d.verifications,
        reviews=d.reviews,
        disposal=d.disposal,
        evaluations=d.evaluations,
        photos=d.photos,
        evidence=d.evidence,
        actions=d.actions,
    )


class PhotoFlagsOut(BaseModel):
    photos: int
    flagged: int
    warnings: list[dict[str, Any]]


@router.get("/photo-flags", response_model=dict[int, PhotoFlagsOut])
def photo_flags(
    auth: ApiAuth, p: PlatformDep, order: Annotated[list[int], Query(max_length=500)]
) -> dict[int, PhotoFlagsOut]:
    """Photo warnings of each order's current verification (far from the site, taken long before the
    visit, no EXIF), summed up per order, as the re-check queue shows them; orders without photos or
    outside the caller's area are left out."""
    flags = p.orders.photo_flags(auth.actor, order)
    return {oid: PhotoFlagsOut.model_validate(f, from_attributes=True) for oid, f in flags.items()}


@router.get("/orders/{order_id}/load")
def load_curve(order_id: int, auth: ApiAuth, p: PlatformDep, days: int = 180) -> dict[str, Any]:
    """The customer's daily kWh (aggregate curve; the account number is never returned)."""
    acc = p.orders.account_of(auth.actor, order_id)
    rows = daily_kwh(p.workspace.lake_dir, acc, days)
    return {"order_id": order_id, "dates": [d for d, _ in rows], "kwh": [k for _, k in rows]}


@router.post("/orders/{order_id}/claim", response_model=Ok)
def claim(order_id: int, auth: ApiAuth, p: PlatformDep, version: int | None = None) -> Ok:
    """Grab an order from the pool; exactly one of several racing claims wins (others get 409)."""
    p.orders.claim(auth.actor, order_id, version)
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/release", response_model=Ok)
def release(order_id: int, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.release(auth.actor, order_id)
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/reassign", response_model=Ok)
def reassign(order_id: int, body: ReassignIn, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.reassign(auth.actor, order_id, body.user_id, body.reason)
    return _ok(p, auth, order_id)


@dataclass(frozen=True)
class VerificationForm:
    """The multipart fields of a verification (shared by verify and amend)."""

    fields: dict[str, Any]  # outcome, trade, lon, lat, notes, visited_at, checklist, request_key
    photos: list[UploadFile] | None


def verification_form(
    outcome: Annotated[str, Form()],
    trade: Annotated[str | None, Form()] = None,
    lon: Annotated[float | None, Form()] = None,
    lat: Annotated[float | None, Form()] = None,
    notes: Annotated[str, Form()] = "",
    visited_at: Annotated[datetime | None, Form()] = None,
    check: Annotated[list[str] | None, Form()] = None,
    photos: Annotated[list[UploadFile] | None, File()] = None,
    request_key: Annotated[str | None, Form()] = None,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> VerificationForm:
    """``request_key`` (or the ``Idempotency-Key`` header): a replay with the same key changes nothing."""
    return VerificationForm(
        {"outcome": outcome, "trade": trade or None, "lon": lon, "lat": lat, "notes": notes,
         "visited_at": visited_at, "checklist": check, "request_key": request_key or idempotency_key},
        photos,
    )


@router.post("/orders/{order_id}/verify", response_model=Ok)
async def verify(
    order_id: int,
    auth: ApiAuth,
    p: PlatformDep,
    form: Annotated[VerificationForm, Depends(verification_form)],
) -> Ok:
    """On-site verification (multipart: outcome, trade, lon, lat, notes, photos; ``visited_at`` when the
    form was filled in offline and is sent later; ``check`` repeated: the trade's checklist items observed).
    JPEG photos are checked against the site by EXIF."""
    uploads = await read_uploads(form.photos, p.workspace.settings.workflow.max_photo_bytes)
    p.orders.verify(
        auth.actor,
        order_id,
        **form.fields,
        uploads=uploads,
    )
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/amend-verification", response_model=Ok)
async def amend_verification(
    order_id: int,
    auth: ApiAuth,
    p: PlatformDep,
    form: Annotated[VerificationForm, Depends(verification_form)],
) -> Ok:
    """Edit a submitted verification before the re-check (its author only; same fields as verify)."""
    uploads = await read_uploads(form.photos, p.workspace.settings.workflow.max_photo_bytes)
    p.orders.amend_verification(
        auth.actor,
        order_id,
        **form.fields,
        uploads=uploads,
    )
    return _ok(p, auth, order_id)


class WithdrawIn(BaseModel):
    reason: str = ""


@router.post("/orders/{order_id}/withdraw-verification", response_model=Ok)
def withdraw_verification(order_id: int, body: WithdrawIn, auth: ApiAuth, p: PlatformDep) -> Ok:
    """Take a submitted verification back before the re-check; the order returns to its author."""
    p.orders.withdraw_verification(auth.actor, order_id, body.reason)
    return _ok(p, auth, order_id)


async def read_uploads(files: list[UploadFile] | None, max_bytes: int) -> list[Upload]:
    """Read uploads, stopping one byte past the limit so a huge file is never held in memory."""
    out = []
    for f in files or []:
        if not f.filename:
            continue
        out.append(Upload(f.filename, await f.read(max_bytes + 1)))
    return out


@router.post("/orders/{order_id}/review", response_model=Ok)
def review(order_id: int, body: ReviewIn, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.review(auth.actor, order_id, decision=body.decision, reason=body.reason)
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/dispose", response_model=Ok)
def dispose(order_id: int, body: DisposeIn, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.dispose(auth.actor, order_id, measure=body.measure, days=body.days, notes=body.notes)
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/steps/{step}", response_model=Ok)
def complete_step(order_id: int, step: str, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.complete_step(auth.actor, order_id, step)
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/complete-disposal", response_model=Ok)
def complete_disposal(order_id: int, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.complete_disposal(auth.actor, order_id)
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/close", response_model=Ok)
def close(order_id: int, body: CloseIn, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.close(auth.actor, order_id, evidence=body.evidence, uploads=[])
    return _ok(p, auth, order_id)


@router.post("/orders/{order_id}/evaluate", response_model=Ok)
def evaluate(order_id: int, body: EvaluateIn, auth: ApiAuth, p: PlatformDep) -> Ok:
    p.orders.evaluate(auth.actor, order_id, result=body.result, notes=body.notes)
    return _ok(p, auth, order_id)

"""Notifications: the bell's count (API, polled by the page) and the list page (marks them seen)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gridwatch.web.deps import ApiAuth, PageAuth, PlatformDep
from gridwatch.web.pages.base import render
from gridwatch.workflow.notices import NOTICE_RULES

router = APIRouter()


class CountOut(BaseModel):
    count: int


class NoticeOut(BaseModel):
    seq: int
    kind: str
    order_id: int
    at: str
    new: bool
    address: str | None


@router.get("/api/v1/notifications/count", response_model=CountOut, tags=["notifications"])
def notice_count(auth: ApiAuth, p: PlatformDep) -> CountOut:
    """Unseen notifications of the caller (new orders in the pool, returned verifications, ...)."""
    return CountOut(count=p.notices.count(auth.actor))


@router.get("/api/v1/notifications", response_model=list[NoticeOut], tags=["notifications"])
def notice_list(auth: ApiAuth, p: PlatformDep) -> list[NoticeOut]:
    return [NoticeOut.model_validate(n, from_attributes=True) for n in p.notices.recent(auth.actor)]


@router.post("/api/v1/notifications/seen", status_code=204, tags=["notifications"])
def notices_seen(auth: ApiAuth, p: PlatformDep) -> None:
    p.notices.mark_seen(auth.actor)


@router.get("/notifications", include_in_schema=False)
def notices_page(request: Request, auth: PageAuth, p: PlatformDep):  # type: ignore[no-untyped-def]
    items = p.notices.recent(auth.actor)
    p.notices.mark_seen(auth.actor)  # opening the list is reading it
    labels = {r.kind: (r.label_zh, r.label_en) for r in NOTICE_RULES}
    return render(request, auth, "notices.html", {"items": items, "labels": labels})

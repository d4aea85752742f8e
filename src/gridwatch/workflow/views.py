"""Read models handed to the web layer and the CLI (plain dataclasses; personal data already masked)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class OrderView:
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
    district_code: str | None
    town_code: str | None
    community_code: str | None
    grid_cell: str | None
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
    closed_at: datetime | None


@dataclass
class EventView:
    seq: int
    action: str
    from_state: str | None
    to_state: str | None
    actor_id: int | None
    actor_name: str
    actor_role: str
    data: dict[str, Any]
    at: str


@dataclass
class OrderDetail:
    order: OrderView
    events: list[EventView]
    verifications: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    disposal: dict[str, Any] | None
    evaluations: list[dict[str, Any]]
    photos: list[dict[str, Any]]
    evidence: dict[str, Any]
    actions: list[str] = field(default_factory=list)


@dataclass
class PhotoFlags:
    """The photo checks of an order's current (submitted) verification, summed up for the re-check list:
    how many photos, how many flagged, and each warning code once with its largest figure."""

    photos: int = 0
    flagged: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    page_size: int
    valid_until: datetime | None = None
    """When an item's overdue flag flips without any write (the earliest due time of an open item not yet
    overdue); None when only a write can change the page."""
    next_cursor: str | None = None
    """Keyset cursor of the page after this one (None on the last page)."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass
class UserView:
    """A user as an administrator sees it (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    jurisdiction_code: str
    phone: str | None
    active: bool
    created_at: datetime

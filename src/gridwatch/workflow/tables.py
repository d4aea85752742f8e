"""Store tables of the workflow capability (prefix ``wf_``).  ORM rows never double as API schemas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridwatch.store.base import Base


class Jurisdiction(Base):
    __tablename__ = "wf_jurisdiction"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)


class User(Base):
    __tablename__ = "wf_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    jurisdiction_code: Mapped[str] = mapped_column(String(32), ForeignKey("wf_jurisdiction.code"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiToken(Base):
    __tablename__ = "wf_api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LoginAttempt(Base):
    __tablename__ = "wf_login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class WorkOrder(Base):
    __tablename__ = "wf_order"
    # one covering index per level: (area, next level, state, resolution, due_at, created_at, closed_at)
    # serves the whole dashboard aggregate without touching the table rows
    __table_args__ = (
        Index(
            "ix_wf_order_city_cover",
            "city_code",
            "district_code",
            "state",
            "resolution",
            "due_at",
            "created_at",
            "closed_at",
        ),
        Index(
            "ix_wf_order_district_cover",
            "district_code",
            "town_code",
            "state",
            "resolution",
            "due_at",
            "created_at",
            "closed_at",
        ),
        Index(
            "ix_wf_order_town_cover",
            "town_code",
            "community_code",
            "state",
            "resolution",
            "due_at",
            "created_at",
            "closed_at",
        ),
        Index(
            "ix_wf_order_community_cover",
            "community_code",
            "grid_cell",
            "state",
            "resolution",
            "due_at",
            "created_at",
            "closed_at",
        ),
        Index(
            "ix_wf_order_grid_cover", "grid_cell", "state", "resolution", "due_at", "created_at", "closed_at"
        ),
        # the order lists of every level (WHERE <level> = ? AND state IN (...) ORDER BY score DESC, id):
        # an index range in score order, so a page reads its rows and no sort of the whole area
        Index("ix_wf_order_community_state_score", "community_code", "state", "score"),
        Index("ix_wf_order_town_state_score", "town_code", "state", "score"),
        Index("ix_wf_order_district_state_score", "district_code", "state", "score"),
        Index("ix_wf_order_city_state_score", "city_code", "state", "score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_no: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(32))  # screening | outbox:<source> | demo_truth
    source_ref: Mapped[str] = mapped_column(String(128))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    health_code: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    model_hits: Mapped[str] = mapped_column(String(255), default="")
    reasons_zh: Mapped[str] = mapped_column(Text, default="")
    reasons_en: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    customer_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    address_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    dispatch_basis: Mapped[str] = mapped_column(String(32))  # matched | demo_truth | raw_district | city
    city_code: Mapped[str] = mapped_column(String(8))
    district_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    town_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    community_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    grid_cell: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("wf_user.id"), nullable=True, index=True)
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("wf_user.id"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(32), nullable=True)  # dismissed | disposed
    measure: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    disposed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class VerificationStatus:
    """A verification is ``submitted``; editing it before the re-check makes it ``amended`` (a new record
    replaces it); taking it back makes it ``withdrawn``.  Only a ``submitted`` one can be re-checked."""

    SUBMITTED = "submitted"
    AMENDED = "amended"
    WITHDRAWN = "withdrawn"


class Verification(Base):
    __tablename__ = "wf_verification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("wf_order.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"))
    outcome: Mapped[str] = mapped_column(String(32))
    trade: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=VerificationStatus.SUBMITTED)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("wf_verification.id"), nullable=True)
    visited_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # when filled in offline
    checklist: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # item key -> observed (bool)


class Photo(Base):
    __tablename__ = "wf_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("wf_order.id"), index=True)
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("wf_verification.id"), nullable=True)
    stage: Mapped[str] = mapped_column(String(16))  # verify | close
    path: Mapped[str] = mapped_column(String(255))  # relative to the workspace uploads dir
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # EXIF, UTC
    gps_lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # EXIF GPS
    gps_lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    warnings: Mapped[list] = mapped_column(JSON, default=list)  # [{"code": ..., ...}] for the reviewer


class RequestKey(Base):
    """A client's idempotency key for a submission that may be replayed (a verification queued offline and
    sent again after a lost answer): the first request does the work, a replay finds its row and does
    nothing.  Keys are per user; the row is written in the transaction of the work it stands for."""

    __tablename__ = "wf_request_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_wf_request_key_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"))
    key: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int] = mapped_column(ForeignKey("wf_order.id"))
    action: Mapped[str] = mapped_column(String(32))
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("wf_verification.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime)


class Review(Base):
    __tablename__ = "wf_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("wf_order.id"), index=True)
    verification_id: Mapped[int] = mapped_column(ForeignKey("wf_verification.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"))
    reviewer_level: Mapped[str] = mapped_column(String(16))
    verifier_level: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))  # approve | return
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class Disposal(Base):
    __tablename__ = "wf_disposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("wf_order.id"), index=True)
    measure: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[datetime] = mapped_column(DateTime)
    steps: Mapped[dict] = mapped_column(JSON, default=dict)  # step key -> completion time (ISO) or None
    ordered_by: Mapped[int] = mapped_column(ForeignKey("wf_user.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PostEvaluation(Base):
    __tablename__ = "wf_evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("wf_order.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"))
    result: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class ChainHead(Base):
    """One row: the sequence number and hash of the newest event (row lock serialises appends)."""

    __tablename__ = "wf_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AreaVersion(Base):
    """Per-area change counter: the ``seq`` of the newest event about an order of the area (any level's
    code: city, district, street, community, grid cell).  Written with the event, in its transaction."""

    __tablename__ = "wf_area_version"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)


class Counter(Base):
    """A named change counter, incremented in the transaction of the change it counts (migration
    ``wfp003``): ``accounts`` moves with every change that can end a session or token."""

    __tablename__ = "wf_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Event(Base):
    """Append-only, hash-chained record of every transition (and intake)."""

    __tablename__ = "wf_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("wf_order.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("wf_user.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[str] = mapped_column(String(32))  # ISO UTC text: hashed exactly as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DataAccess(Base):
    """Log of every read of unmasked personal or raw meter data."""

    __tablename__ = "wf_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"), index=True)
    what: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class NoticeCursor(Base):
    """Per user: the sequence number of the newest event already seen in the notification list."""

    __tablename__ = "wf_notice_cursor"

    user_id: Mapped[int] = mapped_column(ForeignKey("wf_user.id"), primary_key=True, autoincrement=False)
    seen_seq: Mapped[int] = mapped_column(Integer, default=0)

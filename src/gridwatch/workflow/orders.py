"""Work-order service: every action is one transaction = guarded state change + its chained event.

The guard is a conditional UPDATE (``WHERE id = :id AND state = :state AND version = :version``): when two
people race for the same order, exactly one UPDATE matches a row and the other gets :class:`Conflict`.
"""

from __future__ import annotations

import functools
import re
import time
from collections import namedtuple
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.config import WorkflowSettings
from gridwatch.workflow import checklists, cursor, loop, photos
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.cache import VersionedCache, area_version
from gridwatch.workflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridwatch.workflow.events import append_event
from gridwatch.workflow.jurisdiction import ORDER_COLUMN, Level, Place, level_of
from gridwatch.workflow.loop import MEASURES, Evaluation, Measure, Outcome, State
from gridwatch.workflow.masking import mask_account, mask_name
from gridwatch.workflow.roles import Role
from gridwatch.workflow.tables import (
    DataAccess,
    Disposal,
    Event,
    Photo,
    PostEvaluation,
    RequestKey,
    Review,
    User,
    Verification,
    VerificationStatus,
    WorkOrder,
)
from gridwatch.workflow.views import EventView, OrderDetail, OrderView, Page, PhotoFlags


def utcnow() -> datetime:
    return datetime.utcnow().replace(tzinfo=None)


@dataclass(frozen=True)
class SuspectIn:
    """A suspect handed to intake (from screening, the outbox or the demo seed)."""

    account_no: str
    source: str
    source_ref: str
    health_code: str
    score: float
    model_hits: tuple[str, ...] = ()
    reasons_zh: str = ""
    reasons_en: str = ""
    evidence: dict[str, Any] | None = None
    customer_name: str | None = None
    address_text: str | None = None
    lon: float | None = None
    lat: float | None = None
    demo: bool = False


def scope(stmt: Select, actor: Actor) -> Select:  # type: ignore[type-arg]
    """Restrict a query on WorkOrder to the actor's jurisdiction."""
    col = getattr(WorkOrder, ORDER_COLUMN[actor.level])
    return stmt.where(col == actor.jurisdiction_code)


LARGE_AREAS = frozenset({Level.CITY, Level.DISTRICT, Level.TOWN})
"""Levels whose list counts are cached (a community's count is cheaper than reading the change counter)."""

LIST_COLUMNS = tuple(
    WorkOrder.__table__.c[name]
    for name in (
        "id", "account_no", "customer_name", "source", "demo", "health_code", "score", "model_hits",
        "reasons_zh", "reasons_en", "address_text", "lon", "lat", "dispatch_basis", "city_code",
        "district_code", "town_code", "community_code", "grid_cell", "state", "version", "assignee_id",
        "outcome", "resolution", "measure", "reopen_count", "created_at", "due_at", "closed_at",
    )
)
"""What a list row reads: the columns of an :class:`OrderView` (rows, not ORM objects; no evidence JSON,
no timestamps a list does not show — on SQLite every timestamp is parsed from text)."""

ListRow = namedtuple("ListRow", [c.name for c in LIST_COLUMNS])  # type: ignore[misc]
"""A list row as a plain tuple with named fields (cheaper to read than a result row)."""


@functools.cache
def list_statements(
    level: Level, states: bool, mine: bool, overdue: bool, code: bool, order_by: str, keyset: bool = False
) -> tuple[Select, Select]:  # type: ignore[type-arg]
    """The page and count statements of one shape of order list, built once per process.  Values are bound
    per request: ``area`` (the actor's own jurisdiction code, always), ``states``, ``uid``, ``open`` and
    ``now``, ``code``, ``lim`` and ``off``; with ``keyset`` the page starts after the cursor's row
    (``ks``/``kd`` and ``kid``, :mod:`gridwatch.workflow.cursor`) instead of at an offset."""
    conds = [getattr(WorkOrder, ORDER_COLUMN[level]) == bindparam("area")]
    if states:
        conds.append(WorkOrder.state.in_(bindparam("states", expanding=True)))
    if mine:
        conds.append(WorkOrder.assignee_id == bindparam("uid"))
    if overdue:
        conds += [WorkOrder.state.in_(bindparam("open", expanding=True)), WorkOrder.due_at < bindparam("now")]
    if code:
        conds.append(WorkOrder.health_code == bindparam("code"))
    sort = WorkOrder.score.desc() if order_by == "score" else WorkOrder.due_at.asc()
    count = select(func.count()).select_from(WorkOrder).where(*conds)
    if keyset:
        kid = bindparam("kid")
        if order_by == "score":
            ks = bindparam("ks")
            conds.append(or_(WorkOrder.score < ks, and_(WorkOrder.score == ks, WorkOrder.id > kid)))
        else:
            kd = bindparam("kd")
            conds.append(or_(WorkOrder.due_at > kd, and_(WorkOrder.due_at == kd, WorkOrder.id > kid)))
    page = select(*LIST_COLUMNS).where(*conds).order_by(sort, WorkOrder.id).limit(bindparam("lim"))
    return (page if keyset else page.offset(bindparam("off"))), count


_USER_NAMES = select(User.id, User.display_name).where(User.id.in_(bindparam("ids", expanding=True)))
_OPEN_STATES = [str(x) for x in loop.OPEN_STATES]


def finest_code(o: Any) -> str:
    """The finest jurisdiction code of an order (an ORM object or a row of :data:`LIST_COLUMNS`)."""
    return o.grid_cell or o.community_code or o.town_code or o.district_code or o.city_code


class OrderService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: WorkflowSettings,
        uploads_dir: Path,
        clock: Callable[[], datetime] = utcnow,
        counts: VersionedCache[int] | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.uploads_dir = uploads_dir
        self.clock = clock
        self.counts = counts

    @property
    def engine(self) -> Engine:
        return self.sessions.kw["bind"]

    # ---------------------------------------------------------------- transactions
    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self.sessions.begin() as s:
            yield s

    def _retrying(self, fn: Callable[[Session], Any]) -> Any:
        """Run ``fn`` in a transaction; retry when SQLite reports a busy/locked database."""
        for attempt in range(8):
            try:
                with self._tx() as s:
                    return fn(s)
            except OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc).lower()) or attempt == 7:
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    # ---------------------------------------------------------------- core transition
    def _load(self, s: Session, order_id: int) -> WorkOrder:
        o = s.get(WorkOrder, order_id)
        if o is None:
            raise NotFound(f"order {order_id} does not exist")
        return o

    def _check(self, actor: Actor, o: WorkOrder, action: str) -> loop.Transition:
        if actor.role is not Role.SYSTEM and not actor.covers(finest_code(o)):
            raise NotFound(f"order {o.id} does not exist")  # not in the actor's area: do not reveal it
        t = loop.find(action, State(o.state))
        if t is None:
            raise Conflict(f"order {o.id} is '{o.state}'; action '{action}' is not possible now")
        if actor.role not in t.roles:
            raise Forbidden(f"role '{actor.role}' may not '{action}'")
        if t.actor == "assignee" and o.assignee_id != actor.user_id:
            raise Forbidden(f"order {o.id} is held by another user")
        if t.actor == "verifier" and (o.verifier_id is None or o.verifier_id != actor.user_id):
            raise Forbidden("only the author of the verification may change it")
        if t.actor == "not_verifier" and o.verifier_id is not None and o.verifier_id == actor.user_id:
            raise Forbidden("the verifier may not re-check their own verification")
        return t

    def _apply(
        self,
        s: Session,
        actor: Actor,
        o: WorkOrder,
        action: str,
        *,
        data: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Event:
        t = self._check(actor, o, action)
        now = self.clock()
        version = o.version if expected_version is None else expected_version
        res = s.execute(
            update(WorkOrder)
            .where(WorkOrder.id == o.id, WorkOrder.state == o.state, WorkOrder.version == version)
            .values(state=str(t.to_state), version=WorkOrder.version + 1, updated_at=now, **(values or {}))
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"order {o.id} was changed by someone else; reload and try again")
        ev = append_event(
            s,
            order_id=o.id,
            action=action,
            from_state=o.state,
            to_state=str(t.to_state),
            actor=actor,
            data=data or {},
            at=now,
        )
        s.expire(o)
        return ev

    def claim(self, actor: Actor, order_id: int, version: int | None = None) -> None:
        def run(s: Session) -> None:
            o = self._load(s, order_id)
            self._apply(
                s,
                actor,
                o,
                "claim",
                values={"assignee_id": actor.user_id, "claimed_at": self.clock()},
                expected_version=version,
            )

        self._retrying(run)

    def release(self, actor: Actor, order_id: int, reason: str = "") -> None:
        def run(s: Session) -> None:
            o = self._load(s, order_id)
            self._apply(s, actor, o, "release", data={"reason": reason}, values={"assignee_id": None})

        self._retrying(run)

    def reassign(self, actor: Actor, order_id: int, to_user_id: int, reason: str = "") -> None:
        def run(s: Session) -> None:
            o = self._load(s, order_id)
            target = s.get(User, to_user_id)
            if target is None or not target.active or target.role != Role.FIELD_STAFF:
                raise InvalidInput(f"user {to_user_id} is not active field staff")
            target_actor = Actor(target.id, target.username, Role(target.role), target.jurisdiction_code)
            if not target_actor.covers(finest_code(o)) and not actor.covers(target.jurisdiction_code):
                raise InvalidInput(f"user {target.username} does not work in this order's area")
            self._apply(
                s,
                actor,
                o,
                "reassign",
                data={"to_user": target.id, "reason": reason},
                values={"assignee_id": target.id, "claimed_at": self.clock()},
            )

        self._retrying(run)

    # ---------------------------------------------------------------- verification
    def verify(
        self,
        actor: Actor,
        order_id: int,
        *,
        outcome: str,
        trade: str | None,
        lon: float | None,
        lat: float | None,
        notes: str,
        uploads: list[photos.Upload],
        visited_at: datetime | None = None,
        checklist: list[str] | None = None,
        request_key: str | None = None,
    ) -> int:
        """Submit the on-site verification of a claimed (or returned) order; returns its id.

        ``visited_at`` is when the form was filled in on site, for a submission queued offline and sent
        later (defaults to now); photo times are compared with it.  ``checklist`` lists the keys of the
        trade's inspection items observed on site (:mod:`gridwatch.workflow.checklists`).
        ``request_key`` is the client's idempotency key: a second request with the same key (a replay of a
        submission whose answer was lost) changes nothing and returns the first one's verification id.
        """
        return self._submit_verification(
            actor, order_id, "verify", outcome=outcome, trade=trade, lon=lon, lat=lat, notes=notes,
            uploads=uploads, visited_at=visited_at, checklist=checklist, request_key=request_key,
        )

    def amend_verification(
        self,
        actor: Actor,
        order_id: int,
        *,
        outcome: str,
        trade: str | None,
        lon: float | None,
        lat: float | None,
        notes: str,
        uploads: list[photos.Upload],
        visited_at: datetime | None = None,
        checklist: list[str] | None = None,
        request_key: str | None = None,
    ) -> int:
        """Edit a submitted verification before the re-check (its author only).

        The submitted record is kept (status ``amended``) and a new one replaces it; photos of the earlier
        submission stay on the order, new photos belong to the new record.
        """
        return self._submit_verification(
            actor, order_id, "amend_verification", outcome=outcome, trade=trade, lon=lon, lat=lat,
            notes=notes, uploads=uploads, visited_at=visited_at, checklist=checklist, request_key=request_key,
        )

    def withdraw_verification(self, actor: Actor, order_id: int, reason: str = "") -> None:
        """Take a submitted verification back before the re-check; the order returns to its author."""

        def run(s: Session) -> None:
            o = self._load(s, order_id)
            self._check(actor, o, "withdraw_verification")
            v = self._current_verification(s, o.id)
            v.status = VerificationStatus.WITHDRAWN
            self._apply(
                s,
                actor,
                o,
                "withdraw_verification",
                data={"verification": v.id, "reason": reason},
                values={"verifier_id": None, "outcome": None, "verified_at": None},
            )

        self._retrying(run)

    def _current_verification(self, s: Session, order_id: int) -> Verification:
        v = s.scalars(
            select(Verification)
            .where(Verification.order_id == order_id, Verification.status == VerificationStatus.SUBMITTED)
            .order_by(Verification.id.desc())
            .limit(1)
        ).first()
        if v is None:
            raise Conflict(f"order {order_id} has no submitted verification")
        return v

    def _submit_verification(
        self,
        actor: Actor,
        order_id: int,
        action: str,
        *,
        outcome: str,
        trade: str | None,
        lon: float | None,
        lat: float | None,
        notes: str,
        uploads: list[photos.Upload],
        visited_at: datetime | None = None,
        checklist: list[str] | None = None,
        request_key: str | None = None,
    ) -> int:
        if request_key is not None and actor.user_id is None:
            request_key = None  # keys are per user; the system does not replay
        if request_key is not None:
            request_key = _checked_key(request_key)
            done = self._replayed(actor, order_id, action, request_key)
            if done is not None:
                return done
        now = self.clock()
        if visited_at is not None:
            if visited_at.tzinfo is not None:  # stored times are naive UTC
                visited_at = visited_at.astimezone(UTC).replace(tzinfo=None)
            oldest = now - timedelta(days=self.settings.verify_days + 7)
            if not oldest <= visited_at <= now + timedelta(minutes=5):
                raise InvalidInput(f"visited_at: must lie between {oldest:%Y-%m-%d} and now (UTC)")
        try:
            outcome_v = Outcome(outcome)
        except ValueError as exc:
            raise InvalidInput(f"outcome: {outcome!r} is not one of {[o.value for o in Outcome]}") from exc
        if trade and trade not in loop.TRADES:
            raise InvalidInput(f"trade: {trade!r} is not one of {list(loop.TRADES)}")
        if outcome_v is Outcome.CONFIRMED and not trade:
            raise InvalidInput("trade: required when the site is confirmed")
        checks = checklists.record(trade, checklist or [])
        if (lon is None) != (lat is None):
            raise InvalidInput("gps: give both longitude and latitude, or neither")
        if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(f"gps: ({lon}, {lat}) is not a position")
        types = photos.check(
            uploads, max_bytes=self.settings.max_photo_bytes, max_count=self.settings.max_photos
        )
        try:
            with self._tx() as s:  # fail fast on permission before writing files
                self._check(actor, self._load(s, order_id), action)
        except (Conflict, Forbidden):
            # a duplicate whose twin committed after the replay check above: the twin's answer stands
            done = self._replayed(actor, order_id, action, request_key) if request_key is not None else None
            if done is not None:
                return done
            raise
        stored = photos.store(self.uploads_dir, order_id, uploads, types, self.settings.photo_timezone)

        def run(s: Session) -> int:
            o = self._load(s, order_id)
            self._check(actor, o, action)
            replaced = self._current_verification(s, o.id) if o.state == State.VERIFIED else None
            v = Verification(
                order_id=o.id,
                user_id=actor.user_id,
                outcome=str(outcome_v),
                trade=trade or None,
                lon=lon,
                lat=lat,
                notes=notes,
                at=now,
                status=VerificationStatus.SUBMITTED,
                replaces_id=replaced.id if replaced else None,
                visited_at=visited_at,
                checklist=checks,
            )
            if replaced is not None:
                replaced.status = VerificationStatus.AMENDED
            s.add(v)
            s.flush()
            if request_key is not None:
                s.add(
                    RequestKey(
                        user_id=actor.user_id, key=request_key, order_id=o.id, action=action,
                        verification_id=v.id, at=now,
                    )
                )
            site = _site(o) or ((lon, lat) if lon is not None and lat is not None else None)
            flags = self._add_photos(s, o.id, stored, "verify", now, site, visited_at or now, v.id)
            data: dict[str, Any] = {
                "verification": v.id,
                "outcome": str(outcome_v),
                "trade": trade,
                "photos": [p.sha256 for p in stored],
                "checklist": [k for k, seen in checks.items() if seen],
            }
            if replaced is not None:
                data["replaces"] = replaced.id
            if flags:
                data["photo_warnings"] = flags
            if visited_at is not None:
                data["visited_at"] = visited_at.isoformat(timespec="seconds")
            self._apply(
                s,
                actor,
                o,
                action,
                data=data,
                values={"verifier_id": actor.user_id, "outcome": str(outcome_v), "verified_at": now},
            )
            return v.id

        try:
            return self._retrying(run)
        except Exception as exc:
            photos.discard(self.uploads_dir, stored)
            if request_key is not None and isinstance(exc, Conflict | Forbidden | IntegrityError):
                # a duplicate that raced the first request: it lost the guarded UPDATE or the key's
                # unique index, and the first one (now committed) stands for both
                done = self._replayed(actor, order_id, action, request_key)
                if done is not None:
                    return done
            raise

    def _replayed(self, actor: Actor, order_id: int, action: str, key: str) -> int | None:
        """The verification a request with this key of this user already submitted, or None."""
        with self._tx() as s:
            row = s.scalars(
                select(RequestKey).where(RequestKey.user_id == actor.user_id, RequestKey.key == key)
            ).first()
            if row is None:
                return None
            if row.order_id != order_id or row.action != action:
                raise InvalidInput(f"request_key: {key!r} was already used for another submission")
            return row.verification_id

    # ---------------------------------------------------------------- re-check
    def review(self, actor: Actor, order_id: int, *, decision: str, reason: str = "") -> None:
        if decision not in ("approve", "return"):
            raise InvalidInput(f"decision: {decision!r} must be 'approve' or 'return'")
        if decision == "return" and not reason.strip():
            raise InvalidInput("reason: required when returning a verification")

        def run(s: Session) -> None:
            o = self._load(s, order_id)
            v = self._current_verification(s, o.id)
            verifier = s.get(User, v.user_id)
            now = self.clock()
            if decision == "return":
                action, values = "return", {}
            elif o.outcome == Outcome.CONFIRMED:
                action, values = "approve", {"confirmed_at": now}
            else:
                action, values = (
                    "approve_dismiss",
                    {
                        "resolution": "dismissed",
                        "closed_at": now,
                        "due_at": now + timedelta(days=self.settings.evaluation_days),
                    },
                )
            self._check(actor, o, action)
            s.add(
                Review(
                    order_id=o.id,
                    verification_id=v.id,
                    reviewer_id=actor.user_id,
                    reviewer_level=str(actor.level),
                    verifier_level=str(level_of(verifier.jurisdiction_code)) if verifier else "",
                    decision=decision,
                    reason=reason,
                    at=now,
                )
            )
            self._apply(s, actor, o, action, data={"verification": v.id, "reason": reason}, values=values)

        self._retrying(run)

    # ---------------------------------------------------------------- disposal
    def dispose(
        self, actor: Actor, order_id: int, *, measure: str, days: int | None = None, notes: str = ""
    ) -> None:
        try:
            m = Measure(measure)
        except ValueError as exc:
            raise InvalidInput(f"measure: {measure!r} is not one of {[x.value for x in Measure]}") from exc
        days = days or self.settings.disposal_days
        if days < 1 or days > 365:
            raise InvalidInput("days: must be between 1 and 365")

        def run(s: Session) -> None:
            o = self._load(s, order_id)
            now = self.clock()
            deadline = now + timedelta(days=days)
            self._check(actor, o, "dispose")
            s.add(
                Disposal(
                    order_id=o.id,
                    measure=str(m),
                    deadline=deadline,
                    steps={k: None for k, _, _ in MEASURES[m].steps},
                    ordered_by=actor.user_id,
                    notes=notes,
                    at=now,
                )
            )
            self._apply(
                s,
                actor,
                o,
                "dispose",
                data={"measure": str(m), "deadline": deadline.isoformat()},
                values={"measure": str(m), "due_at": deadline},
            )

        self._retrying(run)

    def _disposal(self, s: Session, order_id: int) -> Disposal:
        d = s.scalars(
            select(Disposal).where(Disposal.order_id == order_id).order_by(Disposal.id.desc()).limit(1)
        ).first()
        if d is None:
            raise Conflict(f"order {order_id} has no disposal")
        return d

    def complete_step(self, actor: Actor, order_id: int, step: str) -> None:
        def run(s: Session) -> None:
            o = self._load(s, order_id)
            d = self._disposal(s, o.id)
            if step not in d.steps:
                raise InvalidInput(f"step: {step!r} is not a step of {d.measure} ({list(d.steps)})")
            if d.steps[step] is not None:
                raise Conflict(f"step {step!r} is already done")
            now = self.clock()
            d.steps = {**d.steps, step: now.isoformat(timespec="seconds")}
            self._apply(s, actor, o, "complete_step", data={"step": step})

        self._retrying(run)

    def complete_disposal(self, actor: Actor, order_id: int, notes: str = "") -> None:
        def run(s: Session) -> None:
            o = self._load(s, order_id)
            d = self._disposal(s, o.id)
            missing = [k for k, v in d.steps.items() if v is None]
            if missing:
                raise Conflict(f"disposal steps not done yet: {', '.join(missing)}")
            now = self.clock()
            d.completed_at = now
            self._apply(s, actor, o, "complete_disposal", data={"notes": notes}, values={"disposed_at": now})

        self._retrying(run)

    def close(self, actor: Actor, order_id: int, *, evidence: str, uploads: list[photos.Upload]) -> None:
        if not evidence.strip():
            raise InvalidInput("evidence: describe the evidence for closing")
        types = photos.check(
            uploads, max_bytes=self.settings.max_photo_bytes, max_count=self.settings.max_photos
        )
        with self._tx() as s:
            self._check(actor, self._load(s, order_id), "close")
        stored = photos.store(self.uploads_dir, order_id, uploads, types, self.settings.photo_timezone)

        def run(s: Session) -> None:
            o = self._load(s, order_id)
            now = self.clock()
            self._add_photos(s, o.id, stored, "close", now, _site(o), now)
            self._apply(
                s,
                actor,
                o,
                "close",
                data={"evidence": evidence, "photos": [p.sha256 for p in stored]},
                values={
                    "resolution": "disposed",
                    "closed_at": now,
                    "due_at": now + timedelta(days=self.settings.evaluation_days),
                },
            )

        try:
            self._retrying(run)
        except Exception:
            photos.discard(self.uploads_dir, stored)
            raise

    def evaluate(self, actor: Actor, order_id: int, *, result: str, notes: str = "") -> None:
        try:
            r = Evaluation(result)
        except ValueError as exc:
            raise InvalidInput(f"result: {result!r} is not one of {[x.value for x in Evaluation]}") from exc

        def run(s: Session) -> None:
            o = self._load(s, order_id)
            now = self.clock()
            s.add(PostEvaluation(order_id=o.id, user_id=actor.user_id, result=str(r), notes=notes, at=now))
            self._apply(s, actor, o, "evaluate", data={"result": str(r), "notes": notes})
            if r is Evaluation.RESURGED:
                self._reopen(s, actor, self._load(s, order_id), {"signal": "post_evaluation", "notes": notes})

        self._retrying(run)

    # ---------------------------------------------------------------- resurgence
    def _reopen(self, s: Session, actor: Actor, o: WorkOrder, signal: dict[str, Any]) -> None:
        now = self.clock()
        self._apply(
            s,
            actor,
            o,
            "reopen",
            data=signal,
            values={
                "assignee_id": None,
                "verifier_id": None,
                "outcome": None,
                "resolution": None,
                "measure": None,
                "claimed_at": None,
                "verified_at": None,
                "confirmed_at": None,
                "disposed_at": None,
                "closed_at": None,
                "reopen_count": WorkOrder.reopen_count + 1,
                "due_at": now + timedelta(days=self.settings.verify_days),
            },
        )

    def reopen_on_resurgence(self, actor: Actor, account_no: str, signal: dict[str, Any]) -> int | None:
        """The resurgence seam: re-open the newest closed order of ``account_no``; None when there is none."""

        def run(s: Session) -> int | None:
            o = s.scalars(
                select(WorkOrder)
                .where(WorkOrder.account_no == account_no)
                .order_by(WorkOrder.id.desc())
                .limit(1)
            ).first()
            if o is None or o.state != State.CLOSED:
                return None
            self._reopen(s, actor, o, signal)
            return o.id

        return self._retrying(run)

    # ---------------------------------------------------------------- intake
    def open_order_exists(self, s: Session, account_no: str) -> WorkOrder | None:
        return s.scalars(
            select(WorkOrder).where(WorkOrder.account_no == account_no).order_by(WorkOrder.id.desc()).limit(1)
        ).first()

    def intake(self, s: Session, actor: Actor, sus: SuspectIn, place: Place, basis: str) -> int | None:
        """Create one order in the pool of ``place`` (inside the caller's transaction).

        Returns None when the account already has an order (open orders are not duplicated; a closed one
        is re-opened only through the resurgence seam).
        """
        if self.open_order_exists(s, sus.account_no) is not None:
            return None
        now = self.clock()
        o = WorkOrder(
            account_no=sus.account_no,
            source=sus.source,
            source_ref=sus.source_ref,
            demo=sus.demo,
            health_code=sus.health_code,
            score=float(sus.score),
            model_hits=",".join(sus.model_hits),
            reasons_zh=sus.reasons_zh,
            reasons_en=sus.reasons_en,
            evidence=sus.evidence or {},
            customer_name=sus.customer_name,
            address_text=sus.address_text,
            lon=sus.lon,
            lat=sus.lat,
            dispatch_basis=basis,
            city_code=place.city_code,
            district_code=place.district_code,
            town_code=place.town_code,
            community_code=place.community_code,
            grid_cell=place.grid_cell,
            state=str(State.POOLED),
            version=1,
            reopen_count=0,
            created_at=now,
            updated_at=now,
            due_at=now + timedelta(days=self.settings.verify_days),
        )
        s.add(o)
        s.flush()
        append_event(
            s,
            order_id=o.id,
            action="intake",
            from_state=None,
            to_state=str(State.POOLED),
            actor=actor,
            data={
                "source": sus.source,
                "source_ref": sus.source_ref,
                "code": sus.health_code,
                "score": round(float(sus.score), 6),
                "basis": basis,
            },
            at=now,
        )
        return o.id

    # ---------------------------------------------------------------- reads
    def _view(self, o: Any, actor: Actor, names: dict[int, str], now: datetime) -> OrderView:
        raw = actor.sees_personal_data
        return OrderView(
            id=o.id,
            account_no=o.account_no if raw else mask_account(o.account_no),
            customer_name=o.customer_name if raw else mask_name(o.customer_name),
            masked=not raw,
            source=o.source,
            demo=o.demo,
            health_code=o.health_code,
            score=o.score,
            model_hits=[h for h in o.model_hits.split(",") if h],
            reasons_zh=o.reasons_zh,
            reasons_en=o.reasons_en,
            address_text=o.address_text,
            lon=o.lon,
            lat=o.lat,
            dispatch_basis=o.dispatch_basis,
            jurisdiction_code=finest_code(o),
            district_code=o.district_code,
            town_code=o.town_code,
            community_code=o.community_code,
            grid_cell=o.grid_cell,
            state=o.state,
            version=o.version,
            assignee_id=o.assignee_id,
            assignee_name=names.get(o.assignee_id) if o.assignee_id else None,
            outcome=o.outcome,
            resolution=o.resolution,
            measure=o.measure,
            reopen_count=o.reopen_count,
            created_at=o.created_at,
            due_at=o.due_at,
            overdue=o.state in loop.OPEN_STATES and o.due_at < now,
            closed_at=o.closed_at,
        )

    def _log_raw(self, s: Session, actor: Actor, what: str, subject: str) -> None:
        if actor.sees_personal_data and actor.user_id is not None:
            s.add(DataAccess(user_id=actor.user_id, what=what, subject=subject[:128], at=self.clock()))

    def list_orders(
        self,
        actor: Actor,
        *,
        states: list[str] | None = None,
        mine: bool = False,
        overdue: bool = False,
        code: str | None = None,
        page: int = 1,
        page_size: int = 50,
        order_by: str = "score",
        after: str | None = None,
    ) -> Page:
        """One page of the orders of the actor's jurisdiction, masked for the actor.  ``after`` (the
        ``next_cursor`` of the previous page) starts the page after that page's last row (keyset; ``page``
        then only numbers it), otherwise the page is found by offset."""
        page = max(1, page)
        now = self.clock()
        sort = "score" if order_by == "score" else "due"
        # plain rows on a plain connection (no ORM session, identity map or lazy loading): a list page
        # never needs order objects; the statements are built once per shape, the values bound here
        stmt, count = list_statements(actor.level, bool(states), mine, overdue, bool(code), sort, bool(after))
        where = cursor.decode(sort, after) if after else {"off": (page - 1) * page_size}
        params: dict[str, Any] = {"area": actor.jurisdiction_code}
        if states:
            params["states"] = list(states)
        if mine:
            params["uid"] = actor.user_id
        if overdue:
            params |= {"open": _OPEN_STATES, "now": now}
        if code:
            params["code"] = code
        with self.engine.connect() as con:
            if overdue or self.counts is None or actor.level not in LARGE_AREAS:
                # small area, or a count that moves with the clock
                total = con.execute(count, params).scalar() or 0
            else:  # a large area's count scans its index range: reuse it until an order of the area changes
                key = ("order_count", actor.jurisdiction_code, tuple(states or ()), mine and actor.user_id, code)
                version = area_version(con, actor.jurisdiction_code)
                total = self.counts.get(key, version, now, lambda: (con.execute(count, params).scalar() or 0, None))
            rows = [ListRow._make(r) for r in con.execute(stmt, params | where | {"lim": page_size})]
            names = self._names(con, {o.assignee_id for o in rows if o.assignee_id})
        items = [self._view(o, actor, names, now) for o in rows]
        if items and actor.sees_personal_data:
            with self._tx() as s:  # logged before the page is returned
                self._log_raw(s, actor, "order_list", f"page {page} of {len(items)} orders")
        more = len(rows) == page_size and page * page_size < total
        # the page stays true until an item falls due (an overdue filter's page: until now, i.e. never reused)
        falls_due = (v.due_at for v in items if v.state in _OPEN_STATES and not v.overdue)
        return Page(
            items,
            total,
            page,
            page_size,
            valid_until=now if overdue else min(falls_due, default=None),
            next_cursor=cursor.encode(sort, rows[-1]) if more else None,
        )

    def _names(self, s: Session | Connection, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(s.execute(_USER_NAMES, {"ids": sorted(ids)}).all())  # type: ignore[call-overload]

    def get(self, actor: Actor, order_id: int) -> OrderDetail:
        now = self.clock()
        with self._tx() as s:
            o = self._load(s, order_id)
            if actor.role is not Role.SYSTEM and not actor.covers(finest_code(o)):
                raise NotFound(f"order {order_id} does not exist")
            evs = s.scalars(select(Event).where(Event.order_id == o.id).order_by(Event.seq)).all()
            user_ids = {e.actor_id for e in evs if e.actor_id} | ({o.assignee_id} if o.assignee_id else set())
            names = self._names(s, user_ids)
            vers = s.scalars(
                select(Verification).where(Verification.order_id == o.id).order_by(Verification.id)
            ).all()
            revs = s.scalars(select(Review).where(Review.order_id == o.id).order_by(Review.id)).all()
            disp = s.scalars(
                select(Disposal).where(Disposal.order_id == o.id).order_by(Disposal.id.desc())
            ).first()
            evals = s.scalars(select(PostEvaluation).where(PostEvaluation.order_id == o.id)).all()
            phs = s.scalars(select(Photo).where(Photo.order_id == o.id).order_by(Photo.id)).all()
            names |= self._names(s, {v.user_id for v in vers} | {r.reviewer_id for r in revs})
            self._log_raw(s, actor, "order", str(o.id))
            actions = []
            for t in loop.actions_from(State(o.state)):
                try:
                    self._check(actor, o, t.action)
                    actions.append(t.action)
                except (Forbidden, Conflict, NotFound):
                    pass
            # the re-check outcome follows the verification: offer only the approve that applies
            drop = "approve_dismiss" if o.outcome == Outcome.CONFIRMED else "approve"
            actions = [a for a in actions if a != drop]
            return OrderDetail(
                order=self._view(o, actor, names, now),
                events=[
                    EventView(
                        e.seq,
                        e.action,
                        e.from_state,
                        e.to_state,
                        e.actor_id,
                        names.get(e.actor_id, "系统/system") if e.actor_id else "系统/system",
                        e.actor_role,
                        e.data,
                        e.at,
                    )
                    for e in evs
                ],
                verifications=[
                    {
                        "id": v.id,
                        "user": names.get(v.user_id, ""),
                        "outcome": v.outcome,
                        "trade": v.trade,
                        "lon": v.lon,
                        "lat": v.lat,
                        "notes": v.notes,
                        "at": v.at,
                        "status": v.status,
                        "replaces": v.replaces_id,
                        "visited_at": v.visited_at,
                        "checklist": v.checklist or {},
                    }
                    for v in vers
                ],
                reviews=[
                    {
                        "reviewer": names.get(r.reviewer_id, ""),
                        "decision": r.decision,
                        "reason": r.reason,
                        "reviewer_level": r.reviewer_level,
                        "verifier_level": r.verifier_level,
                        "at": r.at,
                    }
                    for r in revs
                ],
                disposal=None
                if disp is None
                else {
                    "measure": disp.measure,
                    "deadline": disp.deadline,
                    "steps": disp.steps,
                    "notes": disp.notes,
                    "completed_at": disp.completed_at,
                    "overdue": disp.completed_at is None and disp.deadline < now,
                },
                evaluations=[{"result": e.result, "notes": e.notes, "at": e.at} for e in evals],
                photos=[
                    {
                        "id": p.id,
                        "stage": p.stage,
                        "verification": p.verification_id,
                        "content_type": p.content_type,
                        "size": p.size,
                        "taken_at": p.taken_at,
                        "gps_lon": p.gps_lon,
                        "gps_lat": p.gps_lat,
                        "warnings": p.warnings or [],
                    }
                    for p in phs
                ],
                evidence=o.evidence or {},
                actions=actions,
            )

    def return_reasons(self, actor: Actor, order_ids: list[int]) -> dict[int, str]:
        """The reason of the latest re-check that returned each order (for the orders in state ``returned``
        among ``order_ids``), so the field officer sees what to redo before opening the order."""
        if not order_ids:
            return {}
        q = scope(
            select(Review.order_id, Review.reason)
            .join(WorkOrder, WorkOrder.id == Review.order_id)
            .where(Review.order_id.in_(order_ids), Review.decision == "return", WorkOrder.state == State.RETURNED)
            .order_by(Review.id),
            actor,
        )
        with self.engine.connect() as con:
            return {oid: reason for oid, reason in con.execute(q)}  # the latest return wins

    def photo_flags(self, actor: Actor, order_ids: list[int]) -> dict[int, PhotoFlags]:
        """Photo warnings of the current (submitted) verification of each order, for the re-check list.

        Orders outside the actor's jurisdiction are left out (as if they had no photos)."""
        if not order_ids:
            return {}
        q = scope(
            select(Photo.order_id, Photo.warnings)
            .join(Verification, Verification.id == Photo.verification_id)
            .join(WorkOrder, WorkOrder.id == Photo.order_id)
            .where(Photo.order_id.in_(order_ids), Verification.status == VerificationStatus.SUBMITTED)
            .order_by(Photo.id),
            actor,
        )
        out: dict[int, PhotoFlags] = {}
        with self.engine.connect() as con:
            for oid, warnings in con.execute(q):
                f = out.setdefault(oid, PhotoFlags())
                f.photos += 1
                f.flagged += bool(warnings)
                for w in warnings or []:
                    seen = next((x for x in f.warnings if x["code"] == w["code"]), None)
                    if seen is None:
                        f.warnings.append(dict(w))
                    else:  # the worst figure of each kind
                        for k, v in w.items():
                            if k != "code" and v > seen.get(k, v):
                                seen[k] = v
        return out

    def _add_photos(
        self,
        s: Session,
        order_id: int,
        stored: list[photos.StoredPhoto],
        stage: str,
        at: datetime,
        site: tuple[float, float] | None,
        visit: datetime,
        verification_id: int | None = None,
    ) -> int:
        """Record stored photo files against an order (and verification), with their EXIF checks.

        Returns how many photos carry a warning (far from ``site``, taken long before ``visit``).
        """
        rules = photos.PhotoRules(self.settings.photo_max_distance_m, self.settings.photo_max_age_hours)
        flagged = 0
        for p in stored:
            warnings = photos.warnings_for(p.meta, site=site, visit=visit, rules=rules)
            flagged += bool(warnings)
            s.add(
                Photo(
                    order_id=order_id,
                    verification_id=verification_id,
                    stage=stage,
                    path=p.path,
                    content_type=p.content_type,
                    size=p.size,
                    sha256=p.sha256,
                    at=at,
                    taken_at=p.meta.taken_at,
                    gps_lon=p.meta.lon,
                    gps_lat=p.meta.lat,
                    warnings=warnings,
                )
            )
        return flagged

    def photo_path(self, actor: Actor, photo_id: int) -> tuple[Path, str]:
        with self._tx() as s:
            p = s.get(Photo, photo_id)
            if p is None:
                raise NotFound(f"photo {photo_id} does not exist")
            o = self._load(s, p.order_id)
            if not actor.covers(finest_code(o)):
                raise NotFound(f"photo {photo_id} does not exist")
            return self.uploads_dir / p.path, p.content_type

    def account_of(self, actor: Actor, order_id: int) -> str:
        """The unmasked account number (for internal joins such as the load chart; never shown masked-off)."""
        with self._tx() as s:
            o = self._load(s, order_id)
            if actor.role is not Role.SYSTEM and not actor.covers(finest_code(o)):
                raise NotFound(f"order {order_id} does not exist")
            return o.account_no


REQUEST_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _checked_key(key: str) -> str:
    if not REQUEST_KEY.fullmatch(key):
        raise InvalidInput("request_key: 8 to 64 letters, digits, '-' or '_'")
    return key


def _site(o: WorkOrder) -> tuple[float, float] | None:
    return (o.lon, o.lat) if o.lon is not None and o.lat is not None else None

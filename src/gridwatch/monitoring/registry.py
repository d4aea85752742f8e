"""Device registry: enterprises, monitoring points (MN + password), channels; emergency plans; restrictions.

Write functions take a SQLAlchemy ``Session``; :func:`load_snapshot` reads everything the gateway needs
into plain immutable objects (the gateway reloads it periodically, so devices added while it runs are
picked up).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridwatch.monitoring.tables import (
    MonChannel,
    MonEmergencyPlan,
    MonEnterprise,
    MonMeta,
    MonPoint,
    MonRestriction,
)

KINDS = ("production", "treatment")
ACTIONS = ("stop", "limit")
SUBMETER_COLUMNS = (
    "enterprise_id",
    "enterprise_name",
    "account_no",
    "mn",
    "password",
    "channel_id",
    "facility_kind",
    "pairs_with",
    "rated_kw",
)


class RegistryError(ValueError):
    """Bad registry input; the message names the file, row and field when there is one."""


@dataclass(frozen=True)
class ChannelSpec:
    channel_id: str
    kind: str
    pairs_with: str | None = None
    rated_kw: float | None = None
    current_code: str | None = None
    power_code: str | None = None
    kwh_code: str | None = None

    def codes(self) -> tuple[str, str, str]:
        """Factor codes of current, power and kWh; default ``I<ch>``, ``P<ch>``, ``E<ch>``."""
        c = self.channel_id
        return (self.current_code or f"I{c}", self.power_code or f"P{c}", self.kwh_code or f"E{c}")


@dataclass(frozen=True)
class ChannelInfo:
    channel_id: str
    kind: str
    pairs_with: str | None
    rated_kw: float | None
    current_code: str
    power_code: str
    kwh_code: str


@dataclass(frozen=True)
class PointInfo:
    mn: str
    password: str
    enterprise_id: str
    enabled: bool
    channels: tuple[ChannelInfo, ...]
    account_no: str | None = None
    division_code: str | None = None


@dataclass(frozen=True)
class Restriction:
    id: int
    level: str
    enterprise_id: str | None
    action: str
    limit_pct: float
    starts_at: datetime
    ends_at: datetime


@dataclass
class Snapshot:
    """Everything the gateway needs, read in one go."""

    version: int = -1
    points: dict[str, PointInfo] = field(default_factory=dict)
    plans: dict[tuple[str, str], tuple[str, float]] = field(default_factory=dict)
    restrictions: list[Restriction] = field(default_factory=list)

    def restriction_for(self, enterprise_id: str, at: datetime) -> tuple[Restriction, str, float] | None:
        """Active restriction of an enterprise at ``at`` with the action/limit its plan prescribes."""
        for r in self.restrictions:
            if r.starts_at <= at < r.ends_at and r.enterprise_id in (None, enterprise_id):
                action, pct = self.plans.get((enterprise_id, r.level), (r.action, r.limit_pct))
                return r, action, pct
        return None


VERSION_KEY = "registry_version"


def bump_version(session: Session) -> None:
    """Tell running gateways that the registry changed (they compare :func:`registry_version`)."""
    session.execute(update(MonMeta).where(MonMeta.key == VERSION_KEY).values(value=MonMeta.value + 1))


def registry_version(session: Session) -> int:
    return session.scalar(select(MonMeta.value).where(MonMeta.key == VERSION_KEY)) or 0


def validate_channels(mn: str, channels: list[ChannelSpec]) -> None:
    ids = [c.channel_id for c in channels]
    if len(set(ids)) != len(ids):
        raise RegistryError(f"MN {mn}: channel ids repeat: {ids}")
    for c in channels:
        if c.kind not in KINDS:
            raise RegistryError(f"MN {mn} channel {c.channel_id}: kind {c.kind!r} is not one of {KINDS}")
        if c.pairs_with is not None:
            if c.kind != "treatment":
                raise RegistryError(f"MN {mn} channel {c.channel_id}: only a treatment channel pairs_with")
            partner = next((p for p in channels if p.channel_id == c.pairs_with), None)
            if partner is None or partner.kind != "production":
                raise RegistryError(
                    f"MN {mn} channel {c.channel_id}: pairs_with {c.pairs_with!r} is not a production channel"
                )
        if c.rated_kw is not None and c.rated_kw <= 0:
            raise RegistryError(f"MN {mn} channel {c.channel_id}: rated_kw must be > 0")


def add_device(
    session: Session,
    *,
    mn: str,
    password: str,
    enterprise_id: str,
    enterprise_name: str | None = None,
    account_no: str | None = None,
    division_code: str | None = None,
    channels: list[ChannelSpec] | None = None,
    now: datetime | None = None,
) -> None:
    """Create or update an enterprise, its monitoring point ``mn`` and the point's channels."""
    now = now or datetime.now()
    channels = channels or []
    if not mn or len(mn) > 32:
        raise RegistryError(f"MN {mn!r} must have 1 to 32 characters")
    if not password or len(password) > 32:
        raise RegistryError(f"MN {mn}: password must have 1 to 32 characters")
    validate_channels(mn, channels)
    ent = session.get(MonEnterprise, enterprise_id)
    if ent is None:
        ent = MonEnterprise(
            enterprise_id=enterprise_id, name=enterprise_name or enterprise_id, created_at=now
        )
        session.add(ent)
    if enterprise_name:
        ent.name = enterprise_name
    if account_no:
        ent.account_no = account_no
    if division_code:
        ent.division_code = division_code
    point = session.get(MonPoint, mn)
    if point is None:
        point = MonPoint(mn=mn, enterprise_id=enterprise_id, password=password, enabled=True, created_at=now)
        session.add(point)
    else:
        point.enterprise_id = enterprise_id
        point.password = password
    session.flush()
    existing = {c.channel_id: c for c in session.scalars(select(MonChannel).where(MonChannel.mn == mn))}
    for spec in channels:
        cur, pw_code, kwh = spec.codes()
        row = existing.get(spec.channel_id) or MonChannel(mn=mn, channel_id=spec.channel_id)
        row.kind, row.pairs_with, row.rated_kw = spec.kind, spec.pairs_with, spec.rated_kw
        row.current_code, row.power_code, row.kwh_code = cur, pw_code, kwh
        session.add(row)
    bump_version(session)


def read_submeters(path: Path) -> dict[str, dict]:
    """Read a ``submeters.csv`` (one row per channel) into devices keyed by MN; errors name row and field."""
    devices: dict[str, dict] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in SUBMETER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"{path}: missing columns {missing}")
        for lineno, row in enumerate(reader, start=2):
            where = f"{path}, row {lineno}"
            for col in ("enterprise_id", "mn", "password", "channel_id", "facility_kind"):
                if not (row.get(col) or "").strip():
                    raise RegistryError(f"{where}, field {col}: empty")
            kind = row["facility_kind"].strip()
            if kind not in KINDS:
                raise RegistryError(f"{where}, field facility_kind: {kind!r} is not one of {KINDS}")
            rated: float | None = None
            if (row.get("rated_kw") or "").strip():
                try:
                    rated = float(row["rated_kw"])
                except ValueError:
                    raise RegistryError(
                        f"{where}, field rated_kw: {row['rated_kw']!r} is not a number"
                    ) from None
            mn = row["mn"].strip()
            dev = devices.setdefault(
                mn,
                {
                    "mn": mn,
                    "password": row["password"].strip(),
                    "enterprise_id": row["enterprise_id"].strip(),
                    "enterprise_name": (row.get("enterprise_name") or "").strip() or None,
                    "account_no": (row.get("account_no") or "").strip() or None,
                    "division_code": (row.get("division_code") or "").strip() or None,
                    "scenario": (row.get("scenario") or "").strip() or None,
                    "channels": [],
                },
            )
            if (
                dev["password"] != row["password"].strip()
                or dev["enterprise_id"] != row["enterprise_id"].strip()
            ):
                raise RegistryError(f"{where}: MN {mn} has another password or enterprise on an earlier row")
            dev["channels"].append(
                ChannelSpec(
                    channel_id=row["channel_id"].strip(),
                    kind=kind,
                    pairs_with=(row.get("pairs_with") or "").strip() or None,
                    rated_kw=rated,
                )
            )
    for mn, dev in devices.items():
        try:
            validate_channels(mn, dev["channels"])
        except RegistryError as exc:
            raise RegistryError(f"{path}: {exc}") from None
    return devices


def import_submeters(session: Session, path: Path) -> int:
    """Register every device of a ``submeters.csv``; returns the number of monitoring points."""
    devices = read_submeters(path)
    for dev in devices.values():
        add_device(
            session,
            mn=dev["mn"],
            password=dev["password"],
            enterprise_id=dev["enterprise_id"],
            enterprise_name=dev["enterprise_name"],
            account_no=dev["account_no"],
            division_code=dev["division_code"],
            channels=dev["channels"],
        )
    return len(devices)


def set_plan(session: Session, *, enterprise_id: str, level: str, action: str, limit_pct: float) -> None:
    """Record what an enterprise must do at an alert level (its emergency plan)."""
    _check_action(action, limit_pct)
    if session.get(MonEnterprise, enterprise_id) is None:
        raise RegistryError(f"enterprise {enterprise_id!r} is not registered")
    row = session.scalar(
        select(MonEmergencyPlan).where(
            MonEmergencyPlan.enterprise_id == enterprise_id, MonEmergencyPlan.level == level
        )
    ) or MonEmergencyPlan(enterprise_id=enterprise_id, level=level)
    row.action, row.limit_pct = action, limit_pct
    session.add(row)
    bump_version(session)


def declare_restriction(
    session: Session,
    *,
    level: str,
    starts_at: datetime,
    ends_at: datetime,
    action: str = "limit",
    limit_pct: float = 30.0,
    enterprise_id: str | None = None,
    reason: str = "",
) -> int:
    """Declare a stop/limit period (all enterprises, or one); returns its id."""
    _check_action(action, limit_pct)
    if ends_at <= starts_at:
        raise RegistryError("a restriction must end after it starts")
    row = MonRestriction(
        level=level,
        enterprise_id=enterprise_id,
        action=action,
        limit_pct=limit_pct,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_at=datetime.now(),
    )
    session.add(row)
    session.flush()
    bump_version(session)
    return row.id


def _check_action(action: str, limit_pct: float) -> None:
    if action not in ACTIONS:
        raise RegistryError(f"action {action!r} is not one of {ACTIONS}")
    if not 0 <= limit_pct <= 100:
        raise RegistryError(f"limit_pct {limit_pct} is outside 0-100")


def load_snapshot(session: Session) -> Snapshot:
    channels: dict[str, list[ChannelInfo]] = defaultdict(list)
    for c in session.scalars(select(MonChannel).order_by(MonChannel.mn, MonChannel.channel_id)):
        channels[c.mn].append(
            ChannelInfo(
                c.channel_id, c.kind, c.pairs_with, c.rated_kw, c.current_code, c.power_code, c.kwh_code
            )
        )
    ents = {e.enterprise_id: e for e in session.scalars(select(MonEnterprise))}
    snap = Snapshot(version=registry_version(session))
    for p in session.scalars(select(MonPoint)):
        ent = ents.get(p.enterprise_id)
        snap.points[p.mn] = PointInfo(
            p.mn,
            p.password,
            p.enterprise_id,
            p.enabled,
            tuple(channels[p.mn]),
            ent.account_no if ent else None,
            ent.division_code if ent else None,
        )
    for plan in session.scalars(select(MonEmergencyPlan)):
        snap.plans[(plan.enterprise_id, plan.level)] = (plan.action, plan.limit_pct)
    for r in session.scalars(select(MonRestriction).order_by(MonRestriction.starts_at)):
        snap.restrictions.append(
            Restriction(r.id, r.level, r.enterprise_id, r.action, r.limit_pct, r.starts_at, r.ends_at)
        )
    return snap


def parse_channel_spec(text: str) -> ChannelSpec:
    """``ID:KIND[:pairs=ID][:rated=KW][:codes=I,P,E]`` → :class:`ChannelSpec`.

    >>> spec = parse_channel_spec("t1:treatment:pairs=p1:rated=5.5")
    >>> (spec.kind, spec.pairs_with, spec.rated_kw, spec.codes())
    ('treatment', 'p1', 5.5, ('It1', 'Pt1', 'Et1'))
    """
    parts = text.split(":")
    if len(parts) < 2:
        raise RegistryError(f"channel {text!r}: expected ID:KIND[:pairs=ID][:rated=KW][:codes=I,P,E]")
    opts: dict[str, str] = {}
    for part in parts[2:]:
        key, eq, value = part.partition("=")
        if not eq or key not in ("pairs", "rated", "codes"):
            raise RegistryError(f"channel {text!r}: unknown option {part!r}")
        opts[key] = value
    codes = opts["codes"].split(",") if "codes" in opts else [None, None, None]
    if len(codes) != 3:
        raise RegistryError(f"channel {text!r}: codes must be three factor codes I,P,E")
    try:
        rated = float(opts["rated"]) if "rated" in opts else None
    except ValueError:
        raise RegistryError(f"channel {text!r}: rated {opts['rated']!r} is not a number") from None
    return ChannelSpec(parts[0], parts[1], opts.get("pairs"), rated, codes[0], codes[1], codes[2])

"""Jurisdictions, users, passwords (argon2), API tokens and login rate limiting."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.config import WebSettings, WorkflowSettings
from gridwatch.geo.divisions import city_tree
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.credentials import SESSION_ACTOR, TOKEN_ACTOR, bump_accounts, row_actor
from gridwatch.workflow.errors import AuthFailed, Forbidden, InvalidInput, NotFound, RateLimited
from gridwatch.workflow.events import append_event
from gridwatch.workflow.jurisdiction import Level, contains, grid_cell_codes, level_of
from gridwatch.workflow.orders import utcnow
from gridwatch.workflow.roles import GRANTS, HUMAN_ROLES, ROLE_POLICIES, Role
from gridwatch.workflow.tables import (
    ApiToken,
    ChainHead,
    Event,
    Jurisdiction,
    LoginAttempt,
    NoticeCursor,
    User,
)
from gridwatch.workflow.views import EventView, Page, UserView

USER_ACTIONS: dict[str, tuple[str, str]] = {
    "user_create": ("创建账号", "Account created"),
    "user_reset_password": ("重置密码", "Password reset"),
    "user_disable": ("停用账号", "Account disabled"),
    "user_enable": ("启用账号", "Account enabled"),
}
"""Audited account changes (events outside any order, in the same hash chain as the order events)."""

MIN_PASSWORD = 8

LEVEL_BY_DIVISION = {
    "city": Level.CITY,
    "district": Level.DISTRICT,
    "town": Level.TOWN,
    "community": Level.COMMUNITY,
}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(u: User) -> Actor:
    return Actor(u.id, u.username, Role(u.role), u.jurisdiction_code, u.display_name)


_JURISDICTION_NAMES = select(Jurisdiction.code, Jurisdiction.name).where(
    Jurisdiction.code.in_(bindparam("codes", expanding=True))
)


class AccountService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        workflow: WorkflowSettings,
        web: WebSettings,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.workflow = workflow
        self.web = web
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self._names: dict[str, str] = {}  # jurisdiction names read so far (never renamed)

    # ---------------------------------------------------------------- jurisdictions
    def sync_jurisdictions(self, city_code: str) -> int:
        """Load the city's divisions (+ configured grid cells) into the jurisdiction table; idempotent."""
        with self.sessions.begin() as s:
            have = set(s.scalars(select(Jurisdiction.code)).all())
            added = 0
            for d in city_tree(city_code):
                if d.code in have:
                    continue
                parent = None if d.level == "city" else d.parent
                s.add(
                    Jurisdiction(
                        code=d.code, name=d.name, level=str(LEVEL_BY_DIVISION[d.level]), parent_code=parent
                    )
                )
                added += 1
                if d.level == "community":
                    for g in grid_cell_codes(d.code, self.workflow.grid_cells_per_community):
                        if g not in have:
                            s.add(
                                Jurisdiction(
                                    code=g, name=f"{d.name}{g[-3:]}", level="grid", parent_code=d.code
                                )
                            )
                            added += 1
            return added

    def ensure_grid_cell(self, s: Session, code: str) -> None:
        """Grid cells named by address matches are created under their community on first sight."""
        if level_of(code) is Level.GRID and s.get(Jurisdiction, code) is None:
            parent = code.split("-", 1)[0]
            if s.get(Jurisdiction, parent) is not None:
                s.add(Jurisdiction(code=code, name=code, level="grid", parent_code=parent))
                s.flush()

    def jurisdiction_name(self, code: str) -> str:
        return self.names([code]).get(code, code)

    def names(self, codes: list[str]) -> dict[str, str]:
        """Names of jurisdictions by code (codes not found are left out).  A jurisdiction's name never changes
        once stored (jurisdictions are only added), so names found are kept for the life of the process."""
        known = self._names
        missing = sorted({c for c in codes if c not in known})
        if missing:
            with self.sessions.kw["bind"].connect() as con:
                known.update(con.execute(_JURISDICTION_NAMES, {"codes": missing}).all())  # type: ignore[arg-type]
        return {c: known[c] for c in codes if c in known}

    def children(self, code: str) -> list[tuple[str, str]]:
        with self.sessions() as s:
            return list(
                s.execute(
                    select(Jurisdiction.code, Jurisdiction.name)
                    .where(Jurisdiction.parent_code == code)
                    .order_by(Jurisdiction.code)
                )
            )

    # ---------------------------------------------------------------- users
    def create_user(
        self,
        username: str,
        password: str,
        role: str,
        jurisdiction_code: str,
        display_name: str = "",
        phone: str | None = None,
        *,
        by: Actor | None = None,
        password_hash: str | None = None,
    ) -> int:
        try:
            r = Role(role)
        except ValueError as exc:
            raise InvalidInput(f"role: {role!r} is not one of {[x.value for x in HUMAN_ROLES]}") from exc
        if r is Role.SYSTEM:
            raise InvalidInput("role: 'system' is reserved")
        if not username or len(username) > 64:
            raise InvalidInput("username: 1 to 64 characters")
        if password_hash is None and len(password) < MIN_PASSWORD:
            raise InvalidInput(f"password: at least {MIN_PASSWORD} characters")
        try:
            level = level_of(jurisdiction_code)
        except ValueError as exc:
            raise InvalidInput(f"jurisdiction: {jurisdiction_code!r} is not a jurisdiction code") from exc
        needed = ROLE_POLICIES[r].level
        if needed is not None and level is not needed:
            raise InvalidInput(f"jurisdiction: a {r} is bound to a {needed}-level jurisdiction, not a {level}")
        if by is not None:
            self._may_manage(by, r, jurisdiction_code)
        with self.sessions.begin() as s:
            if s.get(Jurisdiction, jurisdiction_code) is None:
                raise InvalidInput(
                    f"jurisdiction: {jurisdiction_code!r} is unknown (run `gridwatch orders setup`)"
                )
            if s.scalar(select(User.id).where(User.username == username)) is not None:
                raise InvalidInput(f"username: {username!r} is taken")
            u = User(
                username=username,
                display_name=display_name or username,
                role=str(r),
                jurisdiction_code=jurisdiction_code,
                password_hash=password_hash or self.hasher.hash(password),
                phone=phone,
                active=True,
                session_epoch=0,
                created_at=self.clock(),
            )
            s.add(u)
            s.flush()
            # notifications start now: what happened before the account existed is not news to it
            head = s.scalar(select(ChainHead.seq).where(ChainHead.id == 1)) or 0
            s.add(NoticeCursor(user_id=u.id, seen_seq=head))
            if by is not None:
                self._audit(s, by, "user_create", u)
            return u.id

    # ---------------------------------------------------------------- user administration
    def _may_manage(self, by: Actor, role: Role, jurisdiction_code: str) -> None:
        """Raise unless ``by`` may create or manage a ``role`` user bound to ``jurisdiction_code``."""
        if by.role is not Role.SYSTEM:
            if not ROLE_POLICIES[by.role].manages_users:
                raise Forbidden(f"role '{by.role}' may not manage users")
            if not contains(by.jurisdiction_code, jurisdiction_code):
                raise Forbidden("users can only be managed inside your own jurisdiction")
        if role not in GRANTS.get(by.role, ()):
            raise Forbidden(f"role '{by.role}' may not grant or manage the role '{role}'")

    def _managed(self, s: Session, by: Actor, user_id: int) -> User:
        """A user ``by`` may manage; users outside the jurisdiction do not exist for ``by`` (404)."""
        u = s.get(User, user_id)
        if u is None or not (by.role is Role.SYSTEM or contains(by.jurisdiction_code, u.jurisdiction_code)):
            raise NotFound(f"user {user_id} does not exist")
        self._may_manage(by, Role(u.role), u.jurisdiction_code)
        return u

    def _audit(self, s: Session, by: Actor, action: str, u: User) -> None:
        append_event(
            s,
            order_id=None,
            action=action,
            from_state=None,
            to_state=None,
            actor=by,
            data={
                "user": u.id,
                "username": u.username,
                "role": u.role,
                "jurisdiction": u.jurisdiction_code,
            },
            at=self.clock(),
        )

    def list_users(
        self, by: Actor, *, query: str = "", page: int = 1, page_size: int = 50
    ) -> Page:
        """Users inside ``by``'s jurisdiction (codes nest by prefix), newest first."""
        if not ROLE_POLICIES[by.role].manages_users:
            raise Forbidden(f"role '{by.role}' may not manage users")
        page = max(1, page)
        conds = [User.jurisdiction_code.startswith(by.jurisdiction_code, autoescape=True)]
        if query.strip():
            like = f"%{query.strip()}%"
            conds.append(User.username.like(like) | User.display_name.like(like))
        with self.sessions() as s:
            total = s.scalar(select(func.count()).select_from(User).where(*conds)) or 0
            rows = s.scalars(
                select(User).where(*conds).order_by(User.id.desc()).offset((page - 1) * page_size).limit(page_size)
            ).all()
            items = [
                UserView(
                    u.id, u.username, u.display_name, u.role, u.jurisdiction_code, u.phone, u.active, u.created_at
                )
                for u in rows
            ]
        return Page(items, total, page, page_size)

    def reset_password(self, by: Actor, user_id: int, new_password: str) -> None:
        """Set a new password; ends the user's sessions and revokes their API tokens."""
        if len(new_password) < MIN_PASSWORD:
            raise InvalidInput(f"password: at least {MIN_PASSWORD} characters")
        digest = self.hasher.hash(new_password)
        with self.sessions.begin() as s:
            u = self._managed(s, by, user_id)
            u.password_hash = digest
            u.session_epoch += 1
            s.execute(
                update(ApiToken)
                .where(ApiToken.user_id == u.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
            bump_accounts(s)
            self._audit(s, by, "user_reset_password", u)

    def set_active(self, by: Actor, user_id: int, active: bool) -> None:
        """Disable (ends sessions; tokens stop working) or enable an account."""
        with self.sessions.begin() as s:
            u = self._managed(s, by, user_id)
            if u.id == by.user_id:
                raise Forbidden("you may not disable or enable your own account")
            if u.active == active:
                return
            u.active = active
            if not active:
                u.session_epoch += 1
            bump_accounts(s)
            self._audit(s, by, "user_enable" if active else "user_disable", u)

    def user_events(self, by: Actor, limit: int = 50) -> list[EventView]:
        """Recent audited account changes of users inside ``by``'s jurisdiction."""
        if not ROLE_POLICIES[by.role].manages_users:
            raise Forbidden(f"role '{by.role}' may not manage users")
        out: list[EventView] = []
        with self.sessions() as s:
            last = None
            while len(out) < limit:
                q = select(Event).where(Event.order_id.is_(None), Event.action.in_(list(USER_ACTIONS)))
                if last is not None:
                    q = q.where(Event.seq < last)
                rows = s.scalars(q.order_by(Event.seq.desc()).limit(500)).all()
                if not rows:
                    break
                last = rows[-1].seq
                names = dict(
                    s.execute(
                        select(User.id, User.display_name).where(
                            User.id.in_({e.actor_id for e in rows if e.actor_id})
                        )
                    ).all()
                )
                for e in rows:
                    where = e.data.get("jurisdiction")
                    if where and contains(by.jurisdiction_code, str(where)):
                        out.append(
                            EventView(
                                e.seq,
                                e.action,
                                None,
                                None,
                                e.actor_id,
                                names.get(e.actor_id, "系统/system") if e.actor_id else "系统/system",
                                e.actor_role,
                                e.data,
                                e.at,
                            )
                        )
        return out[:limit]

    def grantable(self, by: Actor) -> list[Role]:
        return list(GRANTS.get(by.role, ())) if ROLE_POLICIES[by.role].manages_users else []

    def jurisdictions_within(self, code: str, limit: int = 5000) -> list[tuple[str, str, str]]:
        """(code, name, level) of ``code`` and everything under it down to communities (grid cells are
        typed by code), for choosing where a user works."""
        with self.sessions() as s:
            return [
                (c, n, lv)
                for c, n, lv in s.execute(
                    select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level)
                    .where(Jurisdiction.code.startswith(code, autoescape=True), Jurisdiction.level != "grid")
                    .order_by(Jurisdiction.code)
                    .limit(limit)
                )
            ]

    def get_user(self, user_id: int) -> User:
        with self.sessions() as s:
            u = s.get(User, user_id)
            if u is None:
                raise NotFound(f"user {user_id} does not exist")
            return u

    def field_staff_in(self, actor: Actor) -> list[tuple[int, str, str]]:
        """Field staff inside the actor's jurisdiction (for reassignment)."""
        with self.sessions() as s:
            rows = s.execute(
                select(User.id, User.display_name, User.jurisdiction_code)
                .where(User.role == Role.FIELD_STAFF, User.active.is_(True))
                .order_by(User.username)
                .limit(5000)
            ).all()
        return [(i, n, c) for i, n, c in rows if contains(actor.jurisdiction_code, c)]

    # ---------------------------------------------------------------- login
    def authenticate(self, username: str, password: str, client: str) -> User:
        now = self.clock()
        since = now - timedelta(minutes=self.web.login_window_minutes)
        with self.sessions.begin() as s:
            fails_user = (
                s.scalar(
                    select(func.count()).where(
                        LoginAttempt.username == username,
                        LoginAttempt.ok.is_(False),
                        LoginAttempt.at >= since,
                    )
                )
                or 0
            )
            fails_client = (
                s.scalar(
                    select(func.count()).where(
                        LoginAttempt.client == client, LoginAttempt.ok.is_(False), LoginAttempt.at >= since
                    )
                )
                or 0
            )
            limit = self.web.login_max_failures
            if fails_user >= limit or fails_client >= limit * 4:
                raise RateLimited(
                    f"too many failed logins; try again in {self.web.login_window_minutes} minutes"
                )
            u = s.scalars(select(User).where(User.username == username)).first()
            ok = False
            if u is not None and u.active:
                try:
                    ok = self.hasher.verify(u.password_hash, password)
                except (VerificationError, InvalidHashError):
                    ok = False
            else:
                self.hasher.hash(password)  # same work for unknown users: no timing oracle
            s.add(LoginAttempt(username=username[:64], client=client[:64], ok=ok, at=now))
        if not ok or u is None:
            raise AuthFailed("wrong username or password")
        return u

    def bump_epoch(self, user_id: int) -> None:
        with self.sessions.begin() as s:
            u = s.get(User, user_id)
            if u is not None:
                u.session_epoch += 1
                bump_accounts(s)

    # ---------------------------------------------------------------- tokens
    def create_token(self, user_id: int, name: str) -> str:
        token = "gw_" + secrets.token_urlsafe(32)
        with self.sessions.begin() as s:
            s.add(
                ApiToken(user_id=user_id, name=name, token_hash=token_digest(token), created_at=self.clock())
            )
        return token

    def actor_for_token(self, token: str) -> Actor | None:
        """The actor of a valid API token (one indexed join, plain columns; None when unknown or revoked)."""
        with self.sessions.kw["bind"].connect() as con:
            return row_actor(con.execute(TOKEN_ACTOR, {"digest": token_digest(token)}).first())

    def session_actor(self, user_id: int, epoch: int) -> Actor | None:
        """The actor of a page session: the user must be active and the session of the current epoch."""
        with self.sessions.kw["bind"].connect() as con:
            return row_actor(con.execute(SESSION_ACTOR, {"uid": user_id, "epoch": epoch}).first())

    def user_for_token(self, token: str) -> User | None:
        with self.sessions() as s:
            return s.scalars(
                select(User)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(
                    ApiToken.token_hash == token_digest(token),
                    ApiToken.revoked_at.is_(None),
                    User.active.is_(True),
                )
            ).first()

"""Rule-set versions: validate, save, activate (writing the workspace's active rule file), compare.

Who may do what (by role; every version records its author and activator):

- view the versions and the active conditions: city and district administrators, analysts, auditors;
- save a draft: city administrators and grid-company analysts;
- activate a version: city administrators (the local government sets the conditions).

Activation order, so that the store and the file cannot disagree for long: the new file is written to a
temporary name first, then the store commits, then the file is renamed into place. A crash between the
commit and the rename leaves the previous file; :meth:`RuleBook.sync_file` (run when the web app starts
and by ``gridwatch rules show``) rewrites the file from the active version.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.healthcode.tables import RuleSetVersion
from gridwatch.screening.rules import RuleFileError, RuleSet, parse_rules
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.errors import Forbidden, InvalidInput, NotFound
from gridwatch.workflow.orders import utcnow
from gridwatch.workflow.roles import Role

VIEWERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.ANALYST, Role.AUDITOR, Role.SYSTEM})
EDITORS = frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.SYSTEM})
ACTIVATORS = frozenset({Role.CITY_ADMIN, Role.SYSTEM})
MAX_TEXT = 200_000  # characters; a rule file is a few kB


def default_text() -> str:
    return resources.files("gridwatch.screening").joinpath("default_rules.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class VersionView:
    id: int
    version: str
    status: str
    note: str
    sha256: str
    created_by: str
    created_at: datetime
    activated_by: str | None
    activated_at: datetime | None


def _view(r: RuleSetVersion) -> VersionView:
    return VersionView(r.id, r.version, r.status, r.note, r.sha256, r.created_by, r.created_at,
                       r.activated_by, r.activated_at)


class RuleBook:
    """The health-code conditions of one workspace (city ``city_code``), kept in the store."""

    def __init__(self, sessions: sessionmaker[Session], city_code: str, city_name: str, active_path: Path) -> None:
        self.sessions = sessions
        self.city_code = city_code
        self.city_name = city_name
        self.active_path = active_path

    # ------------------------------------------------------------------ checks
    def _need(self, actor: Actor, roles: frozenset[Role], what: str) -> None:
        if actor.role not in roles:
            raise Forbidden(f"{actor.role.value} may not {what} health-code conditions")

    def validate(self, text: str) -> RuleSet:
        """Parse and check a rule file; :class:`RuleFileError` lists each error with its path."""
        if len(text) > MAX_TEXT:
            raise RuleFileError(f"rule file: {len(text):,} characters, at most {MAX_TEXT:,}")
        rules = parse_rules(text, "rules.yaml")
        if rules.jurisdiction.code != self.city_code:
            raise RuleFileError(
                f"rules.yaml: jurisdiction.code is {rules.jurisdiction.code!r}; this workspace serves "
                f"{self.city_code} ({self.city_name}): set jurisdiction.code to {self.city_code!r}")
        return rules

    # ------------------------------------------------------------------ reads
    def starting_text(self) -> str:
        """What the editor starts from: the active version, else the built-in default for this city."""
        active = self.active()
        return self.text(active.id) if active is not None else self.default_for_city()

    def versions(self, actor: Actor) -> list[VersionView]:
        self._need(actor, VIEWERS, "view")
        with self.sessions() as s:
            rows = s.scalars(select(RuleSetVersion).order_by(RuleSetVersion.id.desc())).all()
            return [_view(r) for r in rows]

    def active(self) -> VersionView | None:
        with self.sessions() as s:
            r = s.scalars(select(RuleSetVersion).where(RuleSetVersion.status == "active")).first()
            return _view(r) if r else None

    def text(self, version_id: int) -> str:
        with self.sessions() as s:
            r = s.get(RuleSetVersion, version_id)
            if r is None:
                raise NotFound(f"no rule-set version {version_id}")
            return r.text

    def get(self, actor: Actor, version_id: int) -> tuple[VersionView, str]:
        self._need(actor, VIEWERS, "view")
        with self.sessions() as s:
            r = s.get(RuleSetVersion, version_id)
            if r is None:
                raise NotFound(f"no rule-set version {version_id}")
            return _view(r), r.text

    def diff(self, actor: Actor, old_id: int | None, new_id: int) -> list[str]:
        """Unified diff of two versions' texts (``old_id`` None: against the built-in default)."""
        self._need(actor, VIEWERS, "view")
        old = self.text(old_id) if old_id is not None else self.default_for_city()
        new = self.text(new_id)
        a = f"v{old_id}" if old_id is not None else "default"
        return list(difflib.unified_diff(old.splitlines(), new.splitlines(), a, f"v{new_id}", lineterm=""))

    def default_for_city(self) -> str:
        """The built-in default rule file, naming this workspace's city."""
        return default_text().replace('jurisdiction: {code: "00", name: "default / 默认"}',
                                      f'jurisdiction: {{code: "{self.city_code}", name: "{self.city_name}"}}')

    # ------------------------------------------------------------------ writes
    def save(self, actor: Actor, text: str, note: str = "") -> int:
        """Validate and keep ``text`` as a new draft version; returns its id."""
        self._need(actor, EDITORS, "edit")
        text = text.replace("\r\n", "\n")
        try:
            rules = self.validate(text)
        except RuleFileError as exc:
            raise InvalidInput(str(exc)) from None
        with self.sessions.begin() as s:
            if s.scalars(select(RuleSetVersion.id).where(RuleSetVersion.version == rules.version)).first():
                raise InvalidInput(f"rules.yaml: version {rules.version!r} exists already: give this set a new version")
            r = RuleSetVersion(jurisdiction_code=self.city_code, version=rules.version, text=text,
                               sha256=hashlib.sha256(text.encode()).hexdigest(), note=note[:2000],
                               status="draft", created_by=actor.username, created_at=utcnow())
            s.add(r)
            s.flush()
            return r.id

    def activate(self, actor: Actor, version_id: int) -> VersionView:
        """Make a version the workspace's conditions (the next screening run uses them)."""
        self._need(actor, ACTIVATORS, "activate")
        text = self.text(version_id)
        try:
            self.validate(text)  # the workspace's city may have changed since it was saved
        except RuleFileError as exc:
            raise InvalidInput(str(exc)) from None
        tmp = self._write_tmp(text, version_id)
        try:
            with self.sessions.begin() as s:
                r = s.get(RuleSetVersion, version_id)
                if r is None:
                    raise NotFound(f"no rule-set version {version_id}")
                s.execute(update(RuleSetVersion).where(RuleSetVersion.status == "active",
                                                       RuleSetVersion.id != version_id).values(status="retired"))
                r.status, r.activated_by, r.activated_at = "active", actor.username, utcnow()
                view = _view(r)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self.active_path)
        self._write_meta(view)
        return view

    def sync_file(self) -> bool:
        """Rewrite the workspace file from the active version when they differ; True when rewritten."""
        active = self.active()
        if active is None:
            return False
        current = self.active_path.read_bytes() if self.active_path.exists() else b""
        if hashlib.sha256(current).hexdigest() == active.sha256:
            return False
        os.replace(self._write_tmp(self.text(active.id), active.id), self.active_path)
        self._write_meta(active)
        return True

    def _write_tmp(self, text: str, version_id: int) -> Path:
        self.active_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.active_path.with_name(f".{self.active_path.name}.{version_id}.tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        return tmp

    def _write_meta(self, v: VersionView) -> None:
        meta = {"id": v.id, "version": v.version, "sha256": v.sha256, "activated_by": v.activated_by,
                "activated_at": v.activated_at.isoformat() if v.activated_at else None}
        path = self.active_path.with_suffix(".json")
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)

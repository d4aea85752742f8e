"""Who is acting: the user's id, role and jurisdiction (built by the web layer or the CLI)."""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.workflow.jurisdiction import Level, contains, level_of
from gridwatch.workflow.roles import ROLE_POLICIES, Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role
    jurisdiction_code: str
    display_name: str = ""

    @property
    def level(self) -> Level:
        return level_of(self.jurisdiction_code)

    @property
    def sees_personal_data(self) -> bool:
        return ROLE_POLICIES[self.role].sees_personal_data

    def covers(self, code: str) -> bool:
        return contains(self.jurisdiction_code, code)


def system_actor(city_code: str) -> Actor:
    return Actor(None, "system", Role.SYSTEM, city_code, "系统")

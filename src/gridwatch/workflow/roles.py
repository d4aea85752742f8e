"""Roles (角色) and what each may see; the actions each may take live in :mod:`gridwatch.workflow.loop`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gridwatch.workflow.jurisdiction import Level


class Role(StrEnum):
    CITY_ADMIN = "city_admin"
    DISTRICT_ADMIN = "district_admin"
    STREET_ADMIN = "street_admin"
    FIELD_STAFF = "field_staff"
    REVIEWER = "reviewer"
    ENFORCEMENT = "enforcement"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    SYSTEM = "system"


@dataclass(frozen=True)
class RolePolicy:
    label_zh: str
    label_en: str
    sees_personal_data: bool  # names, phones, full account numbers (every such read is logged)
    manages_users: bool = False
    level: Level | None = None  # the jurisdiction level the role must be bound to (None: any level)


ROLE_POLICIES: dict[Role, RolePolicy] = {
    Role.CITY_ADMIN: RolePolicy("市级管理员", "City administrator", False, True, Level.CITY),
    Role.DISTRICT_ADMIN: RolePolicy("区级管理员", "District administrator", False, True, Level.DISTRICT),
    Role.STREET_ADMIN: RolePolicy("街道管理员", "Street administrator", False, True, Level.TOWN),
    Role.FIELD_STAFF: RolePolicy("网格员", "Field staff", False),
    Role.REVIEWER: RolePolicy("复核员", "Reviewer", False),
    Role.ENFORCEMENT: RolePolicy("执法人员", "Enforcement officer", False),
    Role.ANALYST: RolePolicy("电网分析师", "Grid-company analyst", True),
    Role.AUDITOR: RolePolicy("审计员", "Auditor", True),
    Role.SYSTEM: RolePolicy("系统", "System", True),
}
"""Registry of role policies (every role must appear; a test checks it)."""

HUMAN_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.SYSTEM)

GRANTS: dict[Role, tuple[Role, ...]] = {
    Role.CITY_ADMIN: HUMAN_ROLES,
    Role.DISTRICT_ADMIN: (
        Role.DISTRICT_ADMIN,
        Role.STREET_ADMIN,
        Role.FIELD_STAFF,
        Role.REVIEWER,
        Role.ENFORCEMENT,
    ),
    Role.STREET_ADMIN: (Role.FIELD_STAFF, Role.REVIEWER, Role.ENFORCEMENT),
    Role.SYSTEM: HUMAN_ROLES,
}
"""Which roles each managing role may create and manage (inside its own jurisdiction).  Roles that see
personal data (analysts, auditors) are granted by the city only."""

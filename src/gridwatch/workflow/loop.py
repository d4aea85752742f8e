"""The work-order loop as data: states and the transition table (action, from, to, roles).

Services look up a :class:`Transition` here and never branch on action names; adding a step to the loop
is adding a row.  ``actor`` says who may act within the allowed roles: ``any`` (role + jurisdiction),
``assignee`` (only the user holding the order), ``verifier`` (only the author of the submitted
verification), ``not_verifier`` (re-check must be someone else).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from gridwatch.workflow.roles import Role


class State(StrEnum):
    POOLED = "pooled"
    CLAIMED = "claimed"
    VERIFIED = "verified"
    RETURNED = "returned"
    CONFIRMED = "confirmed"
    DISPOSING = "disposing"
    DISPOSED = "disposed"
    CLOSED = "closed"


@dataclass(frozen=True)
class StateInfo:
    label_zh: str
    label_en: str
    open: bool


STATES: dict[State, StateInfo] = {
    State.POOLED: StateInfo("待认领", "In pool", True),
    State.CLAIMED: StateInfo("已认领", "Claimed", True),
    State.VERIFIED: StateInfo("待复核", "Awaiting re-check", True),
    State.RETURNED: StateInfo("退回重核", "Returned", True),
    State.CONFIRMED: StateInfo("确认待处置", "Confirmed, awaiting disposal", True),
    State.DISPOSING: StateInfo("处置中", "Disposal under way", True),
    State.DISPOSED: StateInfo("已处置", "Disposed", True),
    State.CLOSED: StateInfo("已办结", "Closed", False),
}

OPEN_STATES: tuple[State, ...] = tuple(s for s, i in STATES.items() if i.open)

Actor = Literal["any", "assignee", "verifier", "not_verifier"]

ADMINS = (Role.STREET_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN)


@dataclass(frozen=True)
class Transition:
    action: str
    from_states: tuple[State, ...]
    to_state: State
    roles: tuple[Role, ...]
    actor: Actor = "any"
    label_zh: str = ""
    label_en: str = ""


TRANSITIONS: tuple[Transition, ...] = (
    Transition("claim", (State.POOLED,), State.CLAIMED, (Role.FIELD_STAFF,), "any", "抢单", "Claim"),
    Transition(
        "release", (State.CLAIMED,), State.POOLED, (Role.FIELD_STAFF,), "assignee", "退回工单池", "Release"
    ),
    Transition(
        "reassign",
        (State.POOLED, State.CLAIMED, State.RETURNED),
        State.CLAIMED,
        ADMINS,
        "any",
        "改派",
        "Reassign",
    ),
    Transition(
        "verify",
        (State.CLAIMED, State.RETURNED),
        State.VERIFIED,
        (Role.FIELD_STAFF,),
        "assignee",
        "提交核查",
        "Submit verification",
    ),
    Transition(
        "amend_verification",
        (State.VERIFIED,),
        State.VERIFIED,
        (Role.FIELD_STAFF,),
        "verifier",
        "修改核查",
        "Edit verification",
    ),
    Transition(
        "withdraw_verification",
        (State.VERIFIED,),
        State.CLAIMED,
        (Role.FIELD_STAFF,),
        "verifier",
        "撤回核查",
        "Withdraw verification",
    ),
    Transition(
        "approve",
        (State.VERIFIED,),
        State.CONFIRMED,
        (Role.REVIEWER, *ADMINS),
        "not_verifier",
        "复核通过(确认散乱污)",
        "Approve (confirmed site)",
    ),
    Transition(
        "approve_dismiss",
        (State.VERIFIED,),
        State.CLOSED,
        (Role.REVIEWER, *ADMINS),
        "not_verifier",
        "复核通过(排除)",
        "Approve (not a workshop)",
    ),
    Transition(
        "return",
        (State.VERIFIED,),
        State.RETURNED,
        (Role.REVIEWER, *ADMINS),
        "not_verifier",
        "退回",
        "Return",
    ),
    Transition(
        "dispose",
        (State.CONFIRMED,),
        State.DISPOSING,
        (Role.ENFORCEMENT, *ADMINS),
        "any",
        "下达处置",
        "Order disposal",
    ),
    Transition(
        "complete_step",
        (State.DISPOSING,),
        State.DISPOSING,
        (Role.ENFORCEMENT, *ADMINS),
        "any",
        "完成处置步骤",
        "Complete a step",
    ),
    Transition(
        "complete_disposal",
        (State.DISPOSING,),
        State.DISPOSED,
        (Role.ENFORCEMENT, *ADMINS),
        "any",
        "处置完成",
        "Disposal done",
    ),
    Transition("close", (State.DISPOSED,), State.CLOSED, ADMINS, "any", "办结", "Close"),
    Transition(
        "evaluate",
        (State.CLOSED,),
        State.CLOSED,
        (Role.REVIEWER, *ADMINS),
        "any",
        "后评估",
        "Post-evaluation",
    ),
    Transition(
        "reopen",
        (State.CLOSED,),
        State.POOLED,
        (Role.SYSTEM, *ADMINS),
        "any",
        "死灰复燃重开",
        "Re-open (resurgence)",
    ),
)
"""The transition table; (action, from_state) pairs are unique (a test checks it)."""


def find(action: str, from_state: State) -> Transition | None:
    for t in TRANSITIONS:
        if t.action == action and from_state in t.from_states:
            return t
    return None


def actions_from(state: State) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.from_states]


ACTIONS: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    LEGAL_BUSINESS = "legal_business"
    HOUSEHOLD = "household"
    VACANT = "vacant"
    NOT_FOUND = "not_found"
    OTHER = "other"


OUTCOMES: dict[Outcome, tuple[str, str]] = {
    Outcome.CONFIRMED: ("确认散乱污", "Confirmed 散乱污 site"),
    Outcome.LEGAL_BUSINESS: ("合法经营", "Legal business"),
    Outcome.HOUSEHOLD: ("居民生活", "Household"),
    Outcome.VACANT: ("空置", "Vacant"),
    Outcome.NOT_FOUND: ("查无此处", "Not found"),
    Outcome.OTHER: ("其他", "Other"),
}

TRADES: dict[str, tuple[str, str]] = {
    "wood": ("木材加工/家具", "Wood / furniture"),
    "metal": ("金属加工", "Metal processing"),
    "electroplating": ("电镀", "Electroplating"),
    "plastics": ("塑料", "Plastics"),
    "printing": ("印刷", "Printing"),
    "garment": ("制衣/印染", "Garment / dyeing"),
    "food": ("食品加工", "Food processing"),
    "other": ("其他", "Other"),
}


class Measure(StrEnum):
    SHUTDOWN = "shutdown"
    RELOCATE = "relocate"
    UPGRADE = "upgrade"


@dataclass(frozen=True)
class MeasureInfo:
    label_zh: str
    label_en: str
    steps: tuple[tuple[str, str, str], ...]  # (key, zh, en)


LIANG_DUAN_SAN_QING: tuple[tuple[str, str, str], ...] = (
    ("cut_water", "断水", "Cut water"),
    ("cut_power", "断电", "Cut power"),
    ("clear_materials", "清除原料", "Clear raw materials"),
    ("clear_products", "清除产品", "Clear products"),
    ("clear_equipment", "清除设备", "Clear equipment"),
)
"""两断三清: cut water and power; clear raw materials, products and equipment."""

MEASURES: dict[Measure, MeasureInfo] = {
    Measure.SHUTDOWN: MeasureInfo("关停取缔", "Shut down and ban", LIANG_DUAN_SAN_QING),
    Measure.RELOCATE: MeasureInfo(
        "整合搬迁",
        "Consolidate and relocate",
        (
            ("relocation_plan", "搬迁方案", "Relocation plan"),
            ("moved_out", "完成搬离", "Moved out"),
            ("site_cleared", "原址清理", "Old site cleared"),
        ),
    ),
    Measure.UPGRADE: MeasureInfo(
        "升级改造",
        "Upgrade",
        (
            ("rectification_plan", "整改方案", "Rectification plan"),
            ("treatment_installed", "治污设施安装", "Pollution-control facility installed"),
            ("permits_obtained", "手续办理", "Permits obtained"),
            ("acceptance", "验收", "Acceptance check"),
        ),
    ),
}


STEP_LABELS: dict[str, tuple[str, str]] = {
    key: (zh, en) for info in MEASURES.values() for key, zh, en in info.steps
}
"""Every disposal step key → (zh, en), for showing steps wherever they appear (e.g. the history)."""


class Evaluation(StrEnum):
    STILL_CLEAR = "still_clear"
    RESURGED = "resurged"
    RECTIFIED = "rectified"


EVALUATIONS: dict[Evaluation, tuple[str, str]] = {
    Evaluation.STILL_CLEAR: ("未复发", "Still cleared"),
    Evaluation.RECTIFIED: ("整改到位", "Rectified"),
    Evaluation.RESURGED: ("死灰复燃", "Resurged"),
}

"""Exports: the order list to Excel; verification outcomes as lake ``labels`` rows and closed sites as lake
``closures`` rows (the feedback that trains the models and arms the resurgence watch)."""

from __future__ import annotations

import csv
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridwatch.lake.contracts import CLOSURES, LABELS
from gridwatch.workflow import loop
from gridwatch.workflow.actor import Actor
from gridwatch.workflow.orders import OrderService
from gridwatch.workflow.tables import Review, Verification, WorkOrder

EXCEL_COLUMNS = (
    ("id", "工单号 Order"),
    ("health_code", "健康码 Code"),
    ("score", "分数 Score"),
    ("account_no", "户号 Account"),
    ("customer_name", "户名 Name"),
    ("address_text", "地址 Address"),
    ("jurisdiction_code", "辖区 Area"),
    ("state", "状态 State"),
    ("assignee_name", "处理人 Assignee"),
    ("outcome", "核查结果 Outcome"),
    ("measure", "处置 Measure"),
    ("due_at", "期限 Due"),
    ("overdue", "逾期 Overdue"),
    ("reasons_zh", "原因 Reasons"),
)


def orders_to_excel(
    orders: OrderService,
    actor: Actor,
    out,
    *,
    states: list[str] | None = None,  # type: ignore[no-untyped-def]
    max_rows: int = 100_000,
) -> int:
    """Write the actor's orders (masked as the actor sees them) to an .xlsx file or stream."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单 Orders")
    ws.append([h for _, h in EXCEL_COLUMNS])
    n, page = 0, 1
    while n < max_rows:
        p = orders.list_orders(actor, states=states, page=page, page_size=1000)
        for o in p.items:
            row = []
            for key, _ in EXCEL_COLUMNS:
                v = getattr(o, key)
                if key == "state":
                    v = loop.STATES[loop.State(v)].label_zh
                row.append(v if not isinstance(v, list) else ",".join(v))
            ws.append(row)
            n += 1
        if page >= p.pages:
            break
        page += 1
    wb.save(out)
    return n


def labels_rows(sessions: sessionmaker[Session]) -> list[dict[str, object]]:
    """One label per approved verification (re-checked outcomes only; returned ones are not labels)."""
    with sessions() as s:
        q = (
            select(
                WorkOrder.id, WorkOrder.account_no, Verification.outcome, Verification.trade, Verification.at
            )
            .join(Verification, Verification.order_id == WorkOrder.id)
            .join(Review, Review.verification_id == Verification.id)
            .where(Review.decision == "approve")
            .order_by(WorkOrder.id)
        )
        out = {}
        for oid, acc, outcome, trade, at in s.execute(q):
            key = (acc, at.date().isoformat())
            out[key] = {
                "account_no": acc,
                "verified_on": at.date().isoformat(),
                "outcome": outcome,
                "is_workshop": outcome == loop.Outcome.CONFIRMED,
                "trade": trade or "",
                "source": f"work_order:{oid}",
            }
        return list(out.values())


def write_labels_csv(sessions: sessionmaker[Session], path: Path) -> int:
    rows = [{**r, "is_workshop": "true" if r["is_workshop"] else "false"} for r in labels_rows(sessions)]
    return _write_csv(path, LABELS.column_names, rows)


def closures_rows(sessions: sessionmaker[Session], timezone: str = "Asia/Shanghai") -> list[dict[str, object]]:
    """One closure per order closed after disposal (shut down, relocated, upgraded), dated by its local
    closing day: the lake ``closures`` rows the resurgence model watches (a closed site whose power
    rises again re-opens its order). ``timezone`` is the deployment's (``settings.timezone``)."""
    local = ZoneInfo(timezone)
    with sessions() as s:
        q = (
            select(WorkOrder.id, WorkOrder.account_no, WorkOrder.measure, WorkOrder.closed_at)
            .where(WorkOrder.state == loop.State.CLOSED, WorkOrder.resolution == "disposed",
                   WorkOrder.measure.is_not(None), WorkOrder.closed_at.is_not(None))
            .order_by(WorkOrder.id)
        )
        out: dict[tuple[str, str], dict[str, object]] = {}
        for oid, acc, measure, closed_at in s.execute(q):
            day = closed_at.replace(tzinfo=UTC).astimezone(local).date().isoformat()  # stored as naive UTC
            out[(acc, day)] = {"account_no": acc, "closed_on": day, "measure": measure,
                               "source": f"work_order:{oid}"}
        return list(out.values())


def write_closures_csv(sessions: sessionmaker[Session], path: Path, timezone: str = "Asia/Shanghai") -> int:
    return _write_csv(path, CLOSURES.column_names, closures_rows(sessions, timezone))


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
    return len(rows)

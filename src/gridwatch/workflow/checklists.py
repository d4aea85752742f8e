"""Inspection checklists per trade (行业检查要点), as data.

The verification form shows the common items and those of the trade the officer picks; each item is
ticked when observed on site.  The verification stores every item it offered with ``True`` (observed) or
``False`` (checked, not observed), so a reviewer can tell "not seen" from "not asked".
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.workflow.errors import InvalidInput


@dataclass(frozen=True)
class CheckItem:
    key: str
    label_zh: str
    label_en: str


COMMON: tuple[CheckItem, ...] = (
    CheckItem("producing_now", "设备在生产", "Equipment running"),
    CheckItem("workers_present", "有工人在岗", "Workers present"),
    CheckItem("no_business_licence", "无营业执照", "No business licence"),
    CheckItem("no_eia_permit", "无环评/排污许可", "No EIA approval / discharge permit"),
    CheckItem("in_residential", "位于住宅/城中村", "In housing / an urban village"),
    CheckItem("fire_hazard", "消防隐患(易燃物、无通道)", "Fire hazard (flammables, blocked exits)"),
)
"""Checked at every site, whatever the trade."""

CHECKLISTS: dict[str, tuple[CheckItem, ...]] = {
    "wood": (
        CheckItem("wood_cutting_dust", "开料/打磨粉尘", "Sawing / sanding dust"),
        CheckItem("wood_spray_painting", "喷漆/刷漆作业", "Spray or brush painting"),
        CheckItem("wood_solvent_storage", "油漆/稀释剂存放", "Paint / thinner stored"),
        CheckItem("wood_no_dust_collector", "无除尘设施", "No dust collector"),
        CheckItem("wood_no_voc_treatment", "喷漆废气未收集处理", "Paint fumes not collected or treated"),
        CheckItem("wood_sawdust_piles", "木屑/边角料堆放", "Sawdust / offcuts piled up"),
    ),
    "metal": (
        CheckItem("metal_grinding", "切割/打磨/抛光", "Cutting / grinding / polishing"),
        CheckItem("metal_welding_fumes", "焊接烟尘", "Welding fumes"),
        CheckItem("metal_pickling", "酸洗/磷化", "Pickling / phosphating"),
        CheckItem("metal_waste_oil", "切削液/废机油", "Cutting fluid / waste oil"),
        CheckItem("metal_spray_coating", "喷涂/喷粉", "Spray or powder coating"),
    ),
    "electroplating": (
        CheckItem("plating_tanks", "电镀槽", "Plating tanks"),
        CheckItem("plating_heavy_metal_water", "含重金属废水", "Heavy-metal wastewater"),
        CheckItem("plating_hidden_pipe", "暗管/直排", "Hidden pipe / direct discharge"),
        CheckItem("plating_acid_mist", "酸雾", "Acid mist"),
        CheckItem("plating_sludge", "槽渣/污泥(危废)未规范存放", "Tank residue / sludge (hazardous) not stored properly"),
        CheckItem("plating_chemicals", "氰化物/铬酸等化学品", "Cyanide / chromic acid or other chemicals"),
    ),
    "plastics": (
        CheckItem("plastics_moulding", "注塑/挤出", "Injection moulding / extrusion"),
        CheckItem("plastics_pelletising", "破碎/造粒", "Crushing / pelletising"),
        CheckItem("plastics_melt_fumes", "熔融废气", "Melt fumes"),
        CheckItem("plastics_scrap_feedstock", "废塑料原料堆放", "Scrap plastic feedstock piled up"),
        CheckItem("plastics_washing_water", "清洗废水", "Washing wastewater"),
    ),
    "printing": (
        CheckItem("printing_presses", "印刷机在用", "Presses in use"),
        CheckItem("printing_inks_solvents", "油墨/洗车水等溶剂", "Inks / press-wash solvents"),
        CheckItem("printing_no_voc_collection", "VOCs未收集处理", "VOCs not collected or treated"),
        CheckItem("printing_waste_rags", "废抹布/废油墨桶(危废)", "Used rags / ink drums (hazardous waste)"),
    ),
    "garment": (
        CheckItem("garment_dye_vats", "染缸/水洗设备", "Dye vats / washing machines"),
        CheckItem("garment_dye_wastewater", "印染废水", "Dyeing wastewater"),
        CheckItem("garment_boiler", "锅炉/定型烘干", "Boiler / stenter dryer"),
        CheckItem("garment_screen_printing", "印花/胶浆", "Screen printing / pastes"),
    ),
    "food": (
        CheckItem("food_cooking_fumes", "油烟", "Cooking fumes"),
        CheckItem("food_greasy_wastewater", "含油废水", "Greasy wastewater"),
        CheckItem("food_boiler", "燃煤/燃柴炉灶", "Coal- or wood-fired stoves"),
        CheckItem("food_no_health_permit", "无食品生产许可", "No food production licence"),
    ),
    "other": (),
}
"""Items per trade (keys of :data:`gridwatch.workflow.loop.TRADES`; a test checks every trade has a list)."""

CHECK_LABELS: dict[str, tuple[str, str]] = {
    i.key: (i.label_zh, i.label_en) for items in (COMMON, *CHECKLISTS.values()) for i in items
}


def items_for(trade: str | None) -> tuple[CheckItem, ...]:
    return COMMON + (CHECKLISTS.get(trade, ()) if trade else ())


def record(trade: str | None, observed: list[str]) -> dict[str, bool]:
    """Every item offered for ``trade`` → observed or not; refuses items that do not belong to it."""
    offered = [i.key for i in items_for(trade)]
    unknown = sorted(set(observed) - set(offered))
    if unknown:
        raise InvalidInput(f"checklist: {unknown} are not items of the trade {trade or '(none)'}")
    seen = set(observed)
    return {k: k in seen for k in offered}

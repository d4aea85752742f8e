"""Data contracts: the standard tables gridwatch accepts, their columns, types and source rename maps.

Each :class:`Contract` documents one table; :data:`CONTRACTS` is the registry.  Source files may use other
column names: a :class:`SourceMap` (pvlib's ``VARIABLE_MAP`` idea) renames them to standard names, and
:data:`SOURCE_MAPS` holds the built-in maps (Chinese headers of grid-company exports, English variants).
Every column is read as text first and cast by the validator, so a bad value is rejected with its row
and field instead of failing the whole file.

Time: ``date`` is a local calendar day; ``ts`` is the *start* of a metering interval in local time
(Asia/Shanghai), stored as a timezone-naive TIMESTAMP.  ``month`` (``YYYY-MM``) is the partition key of
time series tables and is derived, never read; so is ``account_key`` (:data:`ACCOUNT_KEY_COLUMN`), an
integer key of ``account_no`` that ingest stores in the customers and readings tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "int", "float", "date", "timestamp", "bool"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    description: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Contract:
    """One lake table: its columns, key and partitioning."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partition_by_month: str | None = None  # name of the date/timestamp column partitioning the table
    kind: Literal["dimension", "series"] = "dimension"
    needs_known_account: bool = False  # rows must name an account present in `customers`
    derived: tuple[Column, ...] = ()
    """Columns the lake layout adds at ingest (never read from input files; see :mod:`.account_key`)."""

    @property
    def order_by(self) -> list[str]:
        """The order of rows inside a part: the derived key first (``account_key``: scans read the readings
        in ranges of it), then the table's key."""
        return [*(c.name for c in self.derived), *self.key]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ACCOUNT_KEY_COLUMN = Column(
    "account_key", "int",
    description="Derived at ingest, never in input files: 64-bit key of `account_no` (first 8 bytes of its "
    "MD5, big-endian, minus 2^63); scans group by it instead of the text account number",
)

TARIFFS = ("residential", "commercial", "industrial", "agricultural", "other")

TARIFF_ALIASES: dict[str, str] = {
    "residential": "residential", "居民": "residential", "居民生活": "residential", "居民用电": "residential",
    "城乡居民生活用电": "residential", "住宅": "residential",
    "commercial": "commercial", "商业": "commercial", "一般工商业": "commercial", "商业用电": "commercial",
    "非居民": "commercial", "非居民照明": "commercial",
    "industrial": "industrial", "工业": "industrial", "大工业": "industrial", "大工业用电": "industrial",
    "工业用电": "industrial", "普通工业": "industrial",
    "agricultural": "agricultural", "农业": "agricultural", "农业生产": "agricultural",
    "农业生产用电": "agricultural",
    "other": "other", "其他": "other", "其它": "other",
}
"""Tariff labels accepted on input (Chinese and English), mapped to the standard five."""

CUSTOMER_STATUSES = ("active", "suspended", "closed")
STATUS_ALIASES: dict[str, str] = {
    "active": "active", "正常": "active", "在用": "active", "运行": "active",
    "suspended": "suspended", "暂停": "suspended", "暂停用电": "suspended",
    "closed": "closed", "销户": "closed", "已销户": "closed", "停用": "closed",
}

CUSTOMERS = Contract(
    name="customers",
    derived=(ACCOUNT_KEY_COLUMN,),
    description="Power customers (用电客户): one row per account.",
    key=("account_no",),
    columns=(
        Column("account_no", "text", description="户号, power account number (text, unique)"),
        Column("name", "text", False, "Customer name (personal data: masked by role in the UI)"),
        Column("tariff", "text", description="residential | commercial | industrial | agricultural | other"),
        Column("address", "text", False, "Raw address text as the grid company holds it"),
        Column("capacity_kva", "float", False, "Contracted capacity", "kVA"),
        Column("voltage", "text", False, "Supply voltage class, e.g. 220V, 380V, 10kV"),
        Column("opened_on", "date", False, "Date the account was opened"),
        Column("status", "text", False, "active | suspended | closed"),
        Column("lon", "float", False, "Longitude (GCJ-02 or WGS-84 as supplied)", "deg"),
        Column("lat", "float", False, "Latitude", "deg"),
        Column("transformer_district", "text", False, "台区, transformer district id"),
    ),
)

READINGS_DAILY = Contract(
    name="readings_daily",
    derived=(ACCOUNT_KEY_COLUMN,),
    description="Daily energy per account (日电量).",
    key=("account_no", "date"),
    partition_by_month="date",
    kind="series",
    needs_known_account=True,
    columns=(
        Column("account_no", "text"),
        Column("date", "date", description="Local calendar day"),
        Column("kwh", "float", description="Energy consumed that day", unit="kWh"),
    ),
)

READINGS_INTERVAL = Contract(
    name="readings_interval",
    derived=(ACCOUNT_KEY_COLUMN,),
    description="Interval energy per account (15/30/60-minute 负荷曲线 data).",
    key=("account_no", "ts"),
    partition_by_month="ts",
    kind="series",
    needs_known_account=True,
    columns=(
        Column("account_no", "text"),
        Column("ts", "timestamp", description="Interval start, local time (Asia/Shanghai), naive"),
        Column("kwh", "float", description="Energy consumed in the interval", unit="kWh"),
        Column("interval_min", "int", False, "Interval length; inferred per account when absent", "min"),
    ),
)

WATER = Contract(
    name="water",
    description="Monthly water consumption per water account (auxiliary signal).",
    key=("water_account", "month_start"),
    partition_by_month="month_start",
    kind="series",
    columns=(
        Column("water_account", "text"),
        Column("month_start", "date", description="First day of the billing month"),
        Column("m3", "float", description="Water consumed in the month", unit="m³"),
        Column("address", "text", False, "Raw address of the water account"),
        Column("account_no", "text", False, "Linked power account, when the utility knows it"),
    ),
)

PERMITS = Contract(
    name="permits",
    description="Pollution discharge permits (排污许可证) and registrations.",
    key=("permit_no",),
    columns=(
        Column("permit_no", "text"),
        Column("holder", "text", description="Permit holder (company name)"),
        Column("uscc", "text", False, "统一社会信用代码, 18-character company code"),
        Column("address", "text", False),
        Column("industry_code", "text", False, "National industry classification code (GB/T 4754)"),
        Column("valid_from", "date", False),
        Column("valid_to", "date", False),
        Column("account_no", "text", False, "Power account of the permitted site, when known"),
    ),
)

REGISTRY = Contract(
    name="registry",
    description="Business registry (工商登记): market entities.",
    key=("uscc",),
    columns=(
        Column("uscc", "text"),
        Column("name", "text"),
        Column("address", "text", False),
        Column("industry", "text", False, "Industry code or label"),
        Column("status", "text", False, "存续 / 注销 / 吊销 ... as registered"),
    ),
)

ADDRESSES = Contract(
    name="addresses",
    description="Standard door-plate address registry (标准地址/门牌).",
    key=("address_id",),
    columns=(
        Column("address_id", "text"),
        Column("full_text", "text", description="Full standard address"),
        Column("district", "text", False), Column("town", "text", False),
        Column("community", "text", False), Column("road", "text", False),
        Column("roadno", "text", False), Column("poi", "text", False),
        Column("building", "text", False), Column("unit", "text", False),
        Column("room", "text", False),
        Column("district_code", "text", False, "6-digit county code"),
        Column("town_code", "text", False, "9-digit street/town code"),
        Column("community_code", "text", False, "12-digit community/village code"),
        Column("grid_cell", "text", False, "网格 id"),
        Column("lon", "float", False, unit="deg"), Column("lat", "float", False, unit="deg"),
    ),
)

WEATHER = Contract(
    name="weather",
    description="Daily weather of the city (or of one district): drives temperature and rain features.",
    key=("date", "district_code"),
    partition_by_month="date",
    kind="series",
    columns=(
        Column("date", "date"),
        Column("district_code", "text", False, "6-digit county code; empty = whole city"),
        Column("tmean_c", "float", description="Daily mean air temperature", unit="°C"),
        Column("tmax_c", "float", False, "Daily maximum air temperature", "°C"),
        Column("precip_mm", "float", False, "Daily precipitation", "mm"),
    ),
)

CLOSURES = Contract(
    name="closures",
    description="Sites cleared or ordered to close/rectify (past enforcement), for resurgence models.",
    key=("account_no", "closed_on"),
    columns=(
        Column("account_no", "text"),
        Column("closed_on", "date", description="Date of the closure or order"),
        Column("measure", "text", False, "shutdown | relocate | upgrade | order_stop"),
        Column("source", "text", False, "Who recorded it (ledger, work order id ...)"),
    ),
)

LABELS = Contract(
    name="labels",
    description="Field verification outcomes (核查结果): labels that supervised screening learns from.",
    key=("account_no", "verified_on"),
    columns=(
        Column("account_no", "text"),
        Column("verified_on", "date"),
        Column("outcome", "text", description="confirmed | legal_business | household | vacant | not_found | other"),
        Column("is_workshop", "bool", description="True when a 散乱污 site was confirmed"),
        Column("trade", "text", False, "wood | metal | electroplating | plastics | printing | garment | ..."),
        Column("source", "text", False, "work order id or ledger"),
    ),
)

CONTRACTS: dict[str, Contract] = {
    c.name: c
    for c in (
        CUSTOMERS, READINGS_DAILY, READINGS_INTERVAL, WATER, PERMITS, REGISTRY, ADDRESSES, WEATHER, CLOSURES, LABELS,
    )
}
"""Registry of lake tables by name."""


@dataclass(frozen=True)
class SourceMap:
    """Renames one source's column headers to standard names (case- and space-insensitive)."""

    name: str
    renames: dict[str, str] = field(default_factory=dict)


SOURCE_MAPS: dict[str, SourceMap] = {
    "standard": SourceMap("standard"),
    "cn": SourceMap(
        "cn",
        {
            "户号": "account_no", "用户编号": "account_no", "客户编号": "account_no", "用电户号": "account_no",
            "户名": "name", "用户名称": "name", "客户名称": "name",
            "用电类别": "tariff", "电价类别": "tariff",
            "用电地址": "address", "地址": "address", "用户地址": "address",
            "合同容量": "capacity_kva", "运行容量": "capacity_kva", "容量": "capacity_kva",
            "电压等级": "voltage", "供电电压": "voltage",
            "立户日期": "opened_on", "开户日期": "opened_on",
            "用户状态": "status", "状态": "status",
            "经度": "lon", "纬度": "lat",
            "台区": "transformer_district", "台区编号": "transformer_district",
            "日期": "date", "抄表日期": "date", "数据日期": "date",
            "电量": "kwh", "日电量": "kwh", "用电量": "kwh",
            "时间": "ts", "数据时间": "ts", "采集时间": "ts",
            "间隔": "interval_min", "采集间隔": "interval_min",
            "水表户号": "water_account", "用水户号": "water_account", "月份": "month_start",
            "用水量": "m3",
            "许可证编号": "permit_no", "单位名称": "holder", "统一社会信用代码": "uscc",
            "行业类别": "industry_code", "有效期起": "valid_from", "有效期止": "valid_to",
            "企业名称": "name", "行业": "industry", "登记状态": "status",
            "地址编码": "address_id", "标准地址": "full_text",
        },
    ),
    "en": SourceMap(
        "en",
        {
            "account": "account_no", "account_id": "account_no", "customer_id": "account_no",
            "consumption": "kwh", "energy_kwh": "kwh", "timestamp": "ts", "datetime": "ts",
            "day": "date", "capacity": "capacity_kva", "longitude": "lon", "latitude": "lat",
        },
    ),
}
"""Built-in source maps; all of them are tried (standard names always pass through)."""


def standard_name(header: str, table: Contract) -> str | None:
    """The standard column a source header stands for in ``table`` (None: not part of the contract)."""
    h = header.strip().lstrip("\ufeff")
    low = h.lower().replace(" ", "_")
    names = set(table.column_names)
    if low in names:
        return low
    for smap in SOURCE_MAPS.values():
        target = smap.renames.get(h) or smap.renames.get(low)
        if target in names:
            return target
    return None

"""Companies behind accounts: USCC codes, names, business-registry rows, permits and sub-meter rosters."""

from __future__ import annotations

import hashlib

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

BRANDS = (
    "宏达",
    "金利",
    "鑫源",
    "恒丰",
    "永盛",
    "利华",
    "广新",
    "粤海",
    "南方",
    "嘉华",
    "联兴",
    "盈丰",
    "华美",
    "兴业",
    "富源",
    "顺达",
    "骏业",
    "荣昌",
    "伟业",
    "志成",
    "明辉",
    "新科",
    "佳宝",
    "天成",
    "裕隆",
    "东方",
    "国泰",
    "长兴",
)
SURNAMES = "陈李黄张梁林刘吴罗何郑杨谢郭周冯朱邓曾彭苏叶蔡许潘卢钟赖"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志文荣"

COMMERCIAL_WORDS = {
    "shop": ("便利店", "商行", "士多", "五金店", "服装店", "药房", "水果店"),
    "restaurant": ("餐厅", "酒家", "茶餐厅", "粉面店", "大排档", "烧腊店"),
    "office": ("科技有限公司", "贸易有限公司", "咨询有限公司", "物业管理有限公司"),
}
INDUSTRY_OF_KIND = {"shop": "5299", "restaurant": "6210", "office": "7219"}


def org_code(seed: bytes) -> str:
    """A 9-character organisation code (GB 11714) with a valid check character."""
    h = hashlib.blake2b(seed, digest_size=8).digest()
    body = "".join(USCC_CHARS[b % 10] if i < 2 else USCC_CHARS[b % 31] for i, b in enumerate(h))
    s = sum(_val(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    c9 = 11 - s % 11
    return body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


def _val(c: str) -> int:
    return USCC_CHARS.index(c) if c in USCC_CHARS else 0


def uscc(seed: bytes, district_code: str, individual: bool = False) -> str:
    """An 18-character 统一社会信用代码 (GB 32100-2015) with a valid check character."""
    head = ("92" if individual else "91") + district_code + org_code(seed)
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(head, _USCC_WEIGHTS, strict=True))
    return head + USCC_CHARS[(31 - s % 31) % 31]


def uscc_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - s % 31) % 31] == code[17]


def person_name(u1: float, u2: float, u3: float) -> str:
    given = GIVEN[int(u2 * len(GIVEN))] + (GIVEN[int(u3 * len(GIVEN))] if u3 < 0.7 else "")
    return SURNAMES[int(u1 * len(SURNAMES))] + given


def firm_name(district: str, root: str, u1: float, u2: float, word: str) -> str:
    brand = BRANDS[int(u1 * len(BRANDS))]
    prefix = "广州市" if u2 < 0.6 else f"广州{district[:-1]}"
    return f"{prefix}{brand}{word}" if word.endswith(("公司", "厂")) else f"{prefix}{root}{brand}{word}"


def mn_code(account_no: str, district_code: str) -> str:
    """A 24-character HJ 212 MN (device id): city and district digits, then a stable hex id."""
    tail = hashlib.blake2b(account_no.encode(), digest_size=9).hexdigest().upper()
    return ("4401" + district_code[4:6] + tail)[:24]

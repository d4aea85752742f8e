"""Standard door-plate addresses (标准地址) and the messy ways people write them.

A standard address is built from the community's roads and estates (see skeleton.py) in one of a few
forms — estate flat, urban-village house, street shop, industrial park — and its id is a hash of its full
text, so the same door-plate has the same id wherever and whenever it is generated.

Raw variants apply registered noise operations (:data:`NOISES`) and record which ones were applied, so the
address-matching capability can be evaluated per noise type.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gridwatch.sim.skeleton import CITY_NAME, PROVINCE_NAME, Community


class Dice:
    """Pre-drawn uniforms consumed one by one: far cheaper than scalar Generator calls per address."""

    __slots__ = ("random",)

    def __init__(self, u: np.ndarray) -> None:
        self.random: Callable[[], float] = itertools.cycle(u.tolist()).__next__

    def integers(self, lo: int, hi: int | None = None) -> int:
        if hi is None:
            lo, hi = 0, lo
        return lo + int(self.random() * (hi - lo))

    def normal(self, mu: float, sd: float) -> float:
        # Irwin–Hall approximation (sum of 4 uniforms): plenty for coordinate jitter.
        r = self.random
        return mu + sd * (r() + r() + r() + r() - 2.0) * 1.732


DICE_WIDTH = 48
"""Uniforms drawn per address (generation and noise)."""

FORMS = ("flat", "village_house", "shop", "park", "plain")
COMPONENTS = ("district", "town", "community", "road", "roadno", "poi", "building", "unit", "room")


@dataclass
class Address:
    address_id: str
    comm: Community
    parts: dict[str, str]  # COMPONENTS → text ("" when absent)
    grid_cell: str
    lon: float
    lat: float

    @property
    def full_text(self) -> str:
        return CITY_NAME + "".join(self.parts[c] for c in COMPONENTS)


def address_id(full_text: str) -> str:
    return "GZ" + hashlib.blake2b(full_text.encode("utf-8"), digest_size=8).hexdigest().upper()


def make_address(comm: Community, form: str, rng: Dice) -> Address:
    village_lanes = [r for r in comm.roads if r.endswith(("巷", "街", "新村"))] or list(comm.roads)
    main_roads = [r for r in comm.roads if r not in village_lanes] or list(comm.roads)
    parts = dict.fromkeys(COMPONENTS, "")
    parts.update(district=comm.district, town=comm.town, community=comm.name)
    if form == "village_house":
        road_i = rng.integers(len(village_lanes))
        road = village_lanes[road_i]
        num = rng.integers(1, 61)
    else:
        road_i = rng.integers(len(main_roads))
        road = main_roads[road_i]
        num = rng.integers(1, 401)
    roadno = f"{num}号"
    if rng.random() < 0.06:
        roadno += "之" + "一二三四"[(rng.integers(4))]
    parts.update(road=road, roadno=roadno)
    if form == "flat":
        parts["poi"] = comm.estates[(rng.integers(len(comm.estates)))]
        parts["building"] = (
            f"{rng.integers(1, 31)}栋" if rng.random() < 0.85 else "ABCDEF"[(rng.integers(6))] + "座"
        )
        if rng.random() < 0.1:
            parts["unit"] = f"{rng.integers(1, 5)}单元"
        parts["room"] = f"{rng.integers(1, 34)}{rng.integers(1, 9):02d}房"
    elif form == "village_house":
        if rng.random() < 0.75:
            parts["room"] = f"{rng.integers(1, 8)}0{rng.integers(1, 6)}房"
    elif form == "shop":
        parts["room"] = "首层" if rng.random() < 0.4 else f"{rng.integers(1, 30)}号铺"
    elif form == "park":
        parts["poi"] = comm.park
        parts["building"] = (
            f"{rng.integers(1, 20)}号厂房" if rng.random() < 0.6 else "ABCDEFGH"[(rng.integers(8))] + "栋"
        )
    cell = (road_i * 7 + num // 25) % 16 + 1
    angle = hash_fraction(comm.code + road) * 2 * math.pi
    dist = 0.0015 + 0.004 * num / 400
    lon = comm.lon + dist * math.cos(angle) + rng.normal(0, 0.0003)
    lat = comm.lat + dist * math.sin(angle) + rng.normal(0, 0.0003)
    text = CITY_NAME + "".join(parts[c] for c in COMPONENTS)
    return Address(address_id(text), comm, parts, f"{comm.code}{cell:02d}", round(lon, 6), round(lat, 6))


def hash_fraction(text: str) -> float:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little") / 2**32


# --- noise ---------------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789-()ABCDEFGH", "０１２３４５６７８９－（）ＡＢＣＤＥＦＧＨ")
_CN_DIGITS = "零一二三四五六七八九"
_TYPOS = {
    "园": "圆",
    "苑": "院",
    "庄": "桩",
    "岗": "冈",
    "涌": "冲",
    "沙": "砂",
    "塘": "唐",
    "坑": "亢",
    "湾": "弯",
    "华": "化",
    "龙": "隆",
    "新": "心",
    "东": "冬",
    "西": "溪",
    "南": "楠",
    "北": "背",
    "大": "达",
    "街": "接",
    "道": "到",
    "花": "华",
    "凤": "风",
    "石": "时",
    "桥": "侨",
    "山": "珊",
    "云": "芸",
    "景": "锦",
    "江": "江",
    "海": "每",
    "田": "甜",
    "岭": "领",
    "洲": "州",
    "溪": "西",
    "村": "材",
    "坊": "访",
    "基": "墓",
    "埔": "浦",
}
_NOTES = (
    "（出租屋）",
    "(后门)",
    "（二楼）",
    "【厂房】",
    "(旧址)",
    "（对面）",
    "(近市场)",
    "（仓库）",
    "（铺面）",
)


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals as written on door plates: 3 → 三, 12 → 十二, 23 → 二十三."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + _CN_DIGITS[rest]
    else:
        tail = chinese_number(rest) if rest >= 20 else "一" + chinese_number(rest)
    return _CN_DIGITS[n // 100] + "百" + tail


def _abbreviation(p: dict[str, str], rng: Dice) -> bool:
    choices = []
    if p["district"].endswith("区"):
        choices.append("district")
    if p["town"].endswith("街道"):
        choices.append("town")
    if p["community"].endswith("社区"):
        choices.append("community")
    if not choices:
        return False
    c = choices[(rng.integers(len(choices)))]
    p[c] = {"district": p[c][:-1], "town": p[c][:-1], "community": p[c][:-2]}[c]
    return True


def _missing_level(p: dict[str, str], rng: Dice) -> bool:
    drop = [("town",), ("community",), ("town", "community"), ("district", "town")][(rng.integers(4))]
    for c in drop:
        p[c] = ""
    return True


def _chinese_numerals(p: dict[str, str], rng: Dice) -> bool:
    b = p["building"]
    if b.endswith("栋") and b[:-1].isdigit():
        p["building"] = chinese_number(int(b[:-1])) + "栋"
        return True
    r = p["roadno"]
    num = r.split("号")[0]
    if num.isdigit() and int(num) < 100:
        p["roadno"] = chinese_number(int(num)) + r[len(num) :]
        return True
    return False


def _hao_zhi_yi(p: dict[str, str], rng: Dice) -> bool:
    r = p["roadno"]
    if "之" not in r:
        return False
    num, suffix = r.split("号之")
    k = "一二三四".index(suffix) + 1
    forms = (f"{num}-{k}号", f"{num}号之{k}", f"{num}之{k}号", f"{num}号-{k}", f"{num}之{suffix}号")
    p["roadno"] = forms[(rng.integers(len(forms)))]
    return True


def _reorder(p: dict[str, str], rng: Dice) -> bool:
    if not p["poi"]:
        return False
    p["road"], p["poi"] = p["poi"], p["road"] + p["roadno"]
    p["roadno"] = ""
    return True


def _room_style(p: dict[str, str], rng: Dice) -> bool:
    r = p["room"]
    if not r.endswith("房"):
        return False
    digits = r[:-1]
    p["room"] = (digits + "室", digits, f"{digits[:-2]}楼{digits[-2:]}")[(rng.integers(3))]
    return True


def _province_prefix(p: dict[str, str], rng: Dice) -> bool:
    p["district"] = PROVINCE_NAME + CITY_NAME + p["district"]
    return True


COMPONENT_NOISES: dict[str, tuple[float, Callable[[dict[str, str], Dice], bool]]] = {
    "abbreviation": (0.30, _abbreviation),
    "missing_level": (0.25, _missing_level),
    "chinese_numerals": (0.08, _chinese_numerals),
    "hao_zhi_yi": (0.9, _hao_zhi_yi),  # applies only to 号之N addresses, most of which are written otherwise
    "reorder": (0.08, _reorder),
    "room_style": (0.25, _room_style),
    "province_prefix": (0.05, _province_prefix),
}
"""Noise on components: name → (probability, function returning whether it changed anything)."""


def _fullwidth(text: str, rng: Dice) -> str:
    return text.translate(_FULLWIDTH)


def _typo(text: str, rng: Dice) -> str:
    pos = [i for i, ch in enumerate(text) if ch in _TYPOS and _TYPOS[ch] != ch]
    if not pos:
        return text
    i = pos[(rng.integers(len(pos)))]
    return text[:i] + _TYPOS[text[i]] + text[i + 1 :]


def _bracket_note(text: str, rng: Dice) -> str:
    return text + _NOTES[(rng.integers(len(_NOTES)))]


def _extra_spaces(text: str, rng: Dice) -> str:
    k = rng.integers(1, 4)
    for _ in range(k):
        i = rng.integers(1, max(2, len(text)))
        text = text[:i] + (" " if rng.random() < 0.8 else "  ") + text[i:]
    return text


TEXT_NOISES: dict[str, tuple[float, Callable[[str, Dice], str]]] = {
    "fullwidth_digits": (0.10, _fullwidth),
    "typo": (0.08, _typo),
    "bracket_note": (0.06, _bracket_note),
    "extra_spaces": (0.10, _extra_spaces),
}
"""Noise on the written text: name → (probability, function)."""


def messy(addr: Address, rng: Dice, *, city_prefix_prob: float = 0.5) -> tuple[str, list[str]]:
    """A raw way of writing ``addr`` and the names of the noise operations applied."""
    parts = dict(addr.parts)
    applied: list[str] = []
    for name, (prob, fn) in COMPONENT_NOISES.items():
        if rng.random() < prob and fn(parts, rng):
            applied.append(name)
    prefix = CITY_NAME if (rng.random() < city_prefix_prob or "province_prefix" in applied) else ""
    if not prefix and "province_prefix" not in applied and "abbreviation" not in applied:
        applied.append("abbreviation")  # 广州市 left out
    text = ("" if "province_prefix" in applied else prefix) + "".join(parts[c] for c in COMPONENTS)
    for name, (prob, fn) in TEXT_NOISES.items():
        if rng.random() < prob:
            new = fn(text, rng)
            if new != text:
                applied.append(name)
                text = new
    return text, applied


def form_for(kind: str, is_village: bool, rng: Dice) -> str:
    if kind in ("shop", "restaurant", "office"):
        return "shop"
    if kind.startswith("factory"):
        return "park"
    if kind in ("farm", "public"):
        return "plain"
    if kind == "workshop":
        return "village_house" if (is_village or rng.random() < 0.4) and rng.random() < 0.85 else "flat"
    if is_village:
        return "village_house" if rng.random() < 0.8 else "flat"
    return "flat" if rng.random() < 0.9 else "village_house"

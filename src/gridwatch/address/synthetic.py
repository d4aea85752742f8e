"""A synthetic door-plate registry and noisy customer addresses, for tests and benchmarks of matching.

The registry uses the real districts, streets and communities of a city (default 4401 广州市) with invented
roads, numbers, estates and buildings; each customer address is written from one registry row with one
kind of noise (:data:`NOISES`), so precision and coverage can be measured per noise type.
"""

from __future__ import annotations

import random

import pyarrow as pa

from gridwatch.geo.divisions import city_tree

_ROAD_STEMS = [
    "中山",
    "解放",
    "人民",
    "建设",
    "environment",
    "东风",
    "新港",
    "广园",
    "黄埔",
    "工业",
    "兴华",
    "龙口",
    "天源",
    "石岗",
    "沙太",
    "白云",
    "鹤龙",
    "同和",
    "江南",
    "华南",
]
_ROAD_SUFFIX = ("路", "大道", "街", "东路", "西路", "北路")
_POI = ("花园", "新村", "大厦", "小区", "工业园", "雅苑")
_CN = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n % 10 else "")
    return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")


def make_city(n_roads: int = 40, seed: int = 7, city_code: str = "4401") -> pa.Table:
    """A registry (``addresses`` contract) with ``n_roads`` roads of 6 door plates each (estates get
    1–3 buildings)."""
    rng = random.Random(seed)
    tree = city_tree(city_code)
    towns = [d for d in tree if d.level == "town"]
    comms = {}
    for d in tree:
        if d.level == "community":
            comms.setdefault(d.parent, []).append(d)
    districts = {d.code: d for d in tree if d.level == "district"}
    rows = []
    stems = list(_ROAD_STEMS)
    capacity = len({s + n + x for s in stems for n in ("", *"一二三四五六七八") for x in _ROAD_SUFFIX})
    if n_roads > capacity:
        raise ValueError(f"n_roads={n_roads}: the synthetic city has only {capacity} distinct road names")
    used: set[str] = set()
    for i in range(n_roads):
        town = rng.choice([t for t in towns if t.code in comms])
        dist = districts[town.parent]
        while True:
            road = (
                rng.choice(stems)
                + rng.choice("一二三四五六七八") * rng.randint(0, 1)
                + rng.choice(_ROAD_SUFFIX)
            )
            if road not in used:
                used.add(road)
                break
        comm = rng.choice(comms[town.code])
        cname = comm.name.replace("社区居委会", "社区").replace("村民委员会", "村").replace("村委会", "村")
        for no in rng.sample(range(1, 300), 6):
            poi = rng.choice(stems) + rng.choice(_POI) if rng.random() < 0.4 else None
            buildings = list(range(1, rng.randint(2, 4))) if poi else [None]
            for b in buildings:
                aid = f"A{len(rows):06d}"
                text = f"广东省广州市{dist.name}{town.name}{cname}{road}{no}号" + (
                    f"{poi}{b}栋" if poi else ""
                )
                rows.append(
                    {
                        "address_id": aid,
                        "full_text": text,
                        "district": dist.name,
                        "town": town.name,
                        "community": cname,
                        "road": road,
                        "roadno": f"{no}号",
                        "poi": poi,
                        "building": f"{b}栋" if b else None,
                        "unit": None,
                        "room": None,
                        "district_code": dist.code,
                        "town_code": town.code,
                        "community_code": comm.code,
                        "grid_cell": f"G{comm.code[-6:]}-{i % 4}",
                        "lon": 113.2 + rng.random() / 5,
                        "lat": 23.1 + rng.random() / 5,
                    }
                )
    return pa.Table.from_pylist(rows)


NOISES = (
    "clean",
    "no_prefix",
    "fullwidth",
    "cn_numerals",
    "bracket_note",
    "repeated_admin",
    "room_suffix",
    "old_district",
    "hash_number",
)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in s)


def noisy_customers(
    reg: pa.Table, n: int = 400, seed: int = 11
) -> tuple[pa.Table, dict[str, tuple[str, str]]]:
    """Customers with raw addresses; truth maps account_no → (address_id, noise)."""
    rng = random.Random(seed)
    rows = reg.to_pylist()
    out = []
    truth: dict[str, tuple[str, str]] = {}
    for i in range(n):
        r = rng.choice(rows)
        noise = NOISES[i % len(NOISES)]
        no = r["roadno"][:-1]
        tail = (r["poi"] or "") + (r["building"] or "")
        room = f"{rng.randint(1, 9)}0{rng.randint(1, 4)}"
        base = f"{r['district']}{r['town']}{r['community']}{r['road']}"
        if noise == "clean":
            a = f"广州市{base}{no}号{tail}"
        elif noise == "no_prefix":
            a = f"{r['road']}{no}号{tail}"
            if r["poi"] is None:
                a = f"{r['town']}{r['road']}{no}号"
        elif noise == "fullwidth":
            a = _fullwidth(f"{base}{no}号{tail}")
        elif noise == "cn_numerals":
            b = (r["building"] or "")[:-1]
            a = f"{base}{_cn(int(no)) if int(no) < 100 else no}号{r['poi'] or ''}" + (
                f"{_cn(int(b))}栋" if b else ""
            )
        elif noise == "bracket_note":
            a = f"{base}{no}号{tail}（{rng.choice(['后门', '铺面', '二楼'])}）"
        elif noise == "repeated_admin":
            a = f"广州市广州市{r['district']}{r['district']}{r['town']}{r['road']}{no}号{tail}"
        elif noise == "room_suffix":
            a = f"{base}{no}号{tail}{room}房"
        elif noise == "old_district":
            a = f"{base}{no}号{tail}".replace("黄埔区", "萝岗区")
        else:
            a = f"{base}{no}#{tail}"
        acc = f"C{i:07d}"
        out.append({"account_no": acc, "address": a})
        truth[acc] = (r["address_id"], noise)
    return pa.Table.from_pylist(out), truth

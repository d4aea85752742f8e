from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.address.keys import number_key
from gridwatch.address.normalise import normalise_text
from gridwatch.address.numerals import cn_to_int


@pytest.mark.parametrize(
    ("cn", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("一百零五", 105),
        ("两千", 2000),
        ("一零一", 101),
        ("路", None),
    ],
)
def test_cn_numerals(cn: str, value: int | None) -> None:
    assert cn_to_int(cn) == value


@pytest.mark.parametrize(
    ("raw", "text", "notes"),
    [
        ("天河区中山大道西５５号三栋二单元一零一房", "天河区中山大道西55号3栋2单元101室", []),
        ("白云区太和镇大源北路12号之一（后门）", "白云区太和镇大源北路12-1号", ["后门"]),
        ("市桥街十二号之1第三层", "市桥街12-1号3层", []),
        ("天河路3#2座1201", "天河路3号2栋1201", []),
        ("中山三路二十一号B座五楼", "中山三路21号B栋5层", []),
        ("广州市广州市天河区天河区天河路1号", "广州市天河区天河路1号", []),
        ("  龙口西路 12号 【铺面】", "龙口西路12号", ["铺面"]),
        ("江南大道中１２号－３", "江南大道中12-3号", []),
        ("6号楼3幢", "6栋3栋", []),
        ("鹤平东路227号27号铺", "鹤平东路227号27号铺", []),  # numbers are never collapsed as repeats
        ("官洲街38号之一101房", "官洲街38-1号101室", []),
        ("下渡路104号-1二十栋2001房", "下渡路104-1号20栋2001室", []),
    ],
)
def test_rules(raw: str, text: str, notes: list[str]) -> None:
    n = normalise_text(raw)
    assert (n.text, n.notes) == (text, notes)


def test_road_ordinals_are_names_not_numbers() -> None:
    assert normalise_text("中山三路").text == "中山三路"
    assert normalise_text("十三行路").text == "十三行路"


def test_number_keys() -> None:
    assert [number_key(x) for x in ("12号之一", "3栋", "B座", "二单元", "101房", "", None)] == [
        "12-1",
        "3",
        "B",
        "2",
        "101",
        None,
        None,
    ]


ADDRESS_ALPHABET = st.sampled_from(
    list("广州市天河区石牌街道社区中山大道西路号栋幢座单元室房层楼之第一二三四五六七八九十零两百千")
    + list("0123456789０１２ABab-－#（）()【】 ")
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(ADDRESS_ALPHABET, max_size=40), st.text(max_size=60)))
def test_normalising_twice_is_normalising_once(text: str) -> None:
    once = normalise_text(text).text
    assert normalise_text(once).text == once


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("广州市天河区广州市号栋12ab")), max_size=30))
def test_repeat_prefilter_is_exact(text: str) -> None:
    from gridwatch.address import normalise as n

    def unfiltered(t: str) -> str:
        def repl(m):  # same rule as _collapse_repeats, without the pre-filter
            u = m.group(1)
            return u if len(u) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in u) else m.group(0)

        prev = None
        while prev != t:
            prev, t = t, n._REPEAT.sub(repl, t)
        return t

    assert n._collapse_repeats(text) == unfiltered(text)


@pytest.mark.parametrize(
    ("raw", "want"),
    [("和平街十五 之1号701房", "和平街15-1号701室"), ("大罗五巷三十三-4号604", "大罗5巷33-4号604"),
     ("华坑新街八之一号201房", "华坑新街8-1号201室"), ("之江路一号", "之江路1号")],
)
def test_door_numbers_before_a_sub_number(raw: str, want: str) -> None:
    assert normalise_text(raw).text == want

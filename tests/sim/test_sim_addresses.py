"""Standard addresses and their messy raw variants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.sim.addresses import (
    COMPONENT_NOISES,
    DICE_WIDTH,
    FORMS,
    TEXT_NOISES,
    Dice,
    address_id,
    chinese_number,
    make_address,
    messy,
)
from gridwatch.sim.skeleton import build_city, short_community_name

NOISES = set(COMPONENT_NOISES) | set(TEXT_NOISES)


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (23, "二十三"), (100, "一百"), (105, "一百零五"),
     (110, "一百一十"), (310, "三百一十"), (999, "九百九十九")],
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


@pytest.mark.parametrize(
    ("name", "short"),
    [("林和社区居委会", "林和社区"), ("棠溪村民委员会", "棠溪村"), ("佛塱村委会", "佛塱村"), ("南漖社区居", "南漖社区"),
     ("福成委员会", "福成社区"), ("海傍农场生活区", "海傍农场生活区")],
)
def test_short_community_names(name, short):
    assert short_community_name(name) == short


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), form=st.sampled_from(FORMS))
def test_messy_variants(seed, form):
    city = build_city()
    rng = np.random.default_rng(seed)
    comm = city.communities[int(rng.integers(len(city.communities)))]
    dice = Dice(rng.random(DICE_WIDTH))
    addr = make_address(comm, form, dice)
    assert addr.full_text.startswith("广州市" + comm.district)
    assert addr.address_id == address_id(addr.full_text)
    assert addr.grid_cell.startswith(comm.code) and len(addr.grid_cell) == 14
    assert 112.9 < addr.lon < 114.1 and 22.5 < addr.lat < 23.95
    text, applied = messy(addr, dice)
    assert text.strip()
    assert set(applied) <= NOISES
    assert len(applied) == len(set(applied))
    if not applied:
        assert text == addr.full_text
    else:
        assert text != addr.full_text or applied == ["hao_zhi_yi"]  # 号之一 may be rewritten as itself
    # the road name survives every noise except a typo on it
    if "typo" not in applied and "extra_spaces" not in applied and "fullwidth_digits" not in applied:
        assert addr.parts["road"] in text


def test_noise_types_all_occur():
    city = build_city()
    rng = np.random.default_rng(0)
    seen: set[str] = set()
    for i in range(3000):
        comm = city.communities[i % len(city.communities)]
        dice = Dice(rng.random(DICE_WIDTH))
        _, applied = messy(make_address(comm, FORMS[i % len(FORMS)], dice), dice)
        seen.update(applied)
    assert seen == NOISES

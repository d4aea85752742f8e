"""Shipped district boundaries: one per district of the shipped divisions, WGS-84, usable point tests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gridwatch.geo.boundaries import Boundary, district_boundaries
from gridwatch.geo.divisions import city_tree


def test_guangzhou_districts_match_the_divisions() -> None:
    shipped = {b.code: b.name for b in district_boundaries("4401")}
    divisions = {d.code: d.name for d in city_tree("4401") if d.level == "district"}
    assert shipped == divisions and len(shipped) == 11


def test_known_places_fall_in_their_district() -> None:
    by_code = {b.code: b for b in district_boundaries("4401")}
    # WGS-84 positions: Canton Tower (海珠区), Guangzhou East railway station (天河区), Baiyun airport (花都区)
    assert by_code["440105"].contains(113.3245, 23.1064)
    assert by_code["440106"].contains(113.3250, 23.1510)
    assert by_code["440114"].contains(113.2990, 23.3920)
    assert not by_code["440106"].contains(113.3245, 23.1064)
    inside = [b.code for b in by_code.values() if b.contains(113.3250, 23.1510)]
    assert inside == ["440106"]  # districts do not overlap there


def test_unknown_city_has_none() -> None:
    assert district_boundaries("9999") == ()


@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(0.1, 5))
def test_point_in_square(cx: float, cy: float, half: float) -> None:
    square = ((cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half))
    b = Boundary("x", "x", (square,))
    assert b.contains(cx, cy)
    assert not b.contains(cx + 2 * half, cy)

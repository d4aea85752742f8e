"""The offline base map from the lake's address registry: outlines, road axes, door plates, scoping, limits."""

from __future__ import annotations

import pytest

from gridwatch.geo.boundaries import Boundary
from gridwatch.workflow.basemap import basemap
from tests.workflow.helpers import write_address_registry

C1, C2, C3 = "440106001001", "440106001002", "440106002001"  # two communities of one street, one of another


@pytest.fixture
def lake(tmp_path):
    lake = tmp_path / "lake"
    truth = write_address_registry(lake, {C1: (113.34, 23.15), C2: (113.35, 23.16), C3: (113.40, 23.12)}, roads=3)
    return lake, truth


def test_outlines_roads_and_plates_of_a_street(lake):
    lake_dir, truth = lake
    b = basemap(lake_dir, "440106001", 20_000)
    assert sorted(c.code for c in b.communities) == [C1, C2]
    assert len(b.plates) == 2 * 3 * 8 and len(b.roads) == 2 * 3 and len(b.grid_cells) == 4
    assert {p.addresses for p in b.plates} == {2}  # two flats per door plate: one point
    for c in b.communities:  # every door plate of the community lies inside or on its outline
        ring = Boundary(c.code, c.name, (tuple(c.ring),))
        inner = [xy for (comm, _r, _n), xy in truth.items() if comm == c.code]
        centroid = (sum(x for x, _ in inner) / len(inner), sum(y for _, y in inner) / len(inner))
        assert ring.contains(*centroid)
        for vx, vy in c.ring:  # hull vertices are door plates
            assert min(abs(vx - x) + abs(vy - y) for x, y in inner) < 2e-6
    for r in b.roads:  # a straight road: its axis runs from number 1 to number 8
        first, last = truth[(r.community_code, r.name, "1号")], truth[(r.community_code, r.name, "8号")]
        ends = sorted(r.line)
        assert sorted([first, last]) == [pytest.approx(e, abs=2e-6) for e in ends]
    assert b.communities[0].name.startswith("测试") and b.omitted == []


def test_scope_by_level_and_limits(lake):
    lake_dir, _ = lake
    assert len(basemap(lake_dir, "4401", 20_000).communities) == 3
    assert len(basemap(lake_dir, "440106", 20_000).communities) == 3
    assert [c.code for c in basemap(lake_dir, C3, 20_000).communities] == [C3]
    assert [c.code for c in basemap(lake_dir, f"{C1}-G01", 20_000).communities] == [C1]  # its community
    small = basemap(lake_dir, "440106001", 10)
    assert small.omitted == ["plates"] and small.plates == [] and len(small.roads) == 6
    assert basemap(lake_dir, "440106001", 3).omitted == ["grid_cells", "roads", "plates"]


def test_empty_without_registry_and_fresh_after_ingest(tmp_path):
    lake_dir = tmp_path / "lake"
    assert basemap(lake_dir, "440106001", 20_000).communities == []
    write_address_registry(lake_dir, {C1: (113.34, 23.15)})
    assert [c.code for c in basemap(lake_dir, "440106001", 20_000).communities] == [C1]
    write_address_registry(lake_dir, {C2: (113.35, 23.16)})  # a new ingest: the cached map is not reused
    assert sorted(c.code for c in basemap(lake_dir, "440106001", 20_000).communities) == [C1, C2]

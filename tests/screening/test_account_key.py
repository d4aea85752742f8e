"""Grouping by the stored integer ``account_key`` gives the same features as grouping by ``account_no``;
lakes without the key, or with a key collision, keep the text key."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gridwatch.engine import get_engine
from gridwatch.lake.account_key import ACCOUNT_KEY
from gridwatch.lake.layout import table_dir
from gridwatch.screening.extra_sql import curve_features_sql, curve_reference_sql
from gridwatch.screening.feature_sql import account_features_sql
from gridwatch.screening.features import key_column, register_inputs
from gridwatch.screening.window import Window
from gridwatch.workspace import Workspace

from .conftest import AS_OF, SmallCity


def _sorted(t: pa.Table) -> pa.Table:
    return t.sort_by("account_no")


def _assert_equal(a: pa.Table, b: pa.Table) -> None:
    """Equal tables; sums may differ in the last bits (DuckDB adds in parallel in no fixed order)."""
    assert a.schema == b.schema
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas(), check_exact=False, rtol=1e-9, atol=1e-12)


def test_key_and_text_paths_compute_equal_features(small_city: SmallCity) -> None:
    ws = small_city.ws
    s = ws.settings.screening
    w = Window.of(AS_OF, s)
    eng = get_engine("duckdb", ws)
    try:
        register_inputs(eng, w)
        assert key_column(eng, ws.lake_dir) == ACCOUNT_KEY
        by_key = _sorted(eng.sql(account_features_sql(w, s, k=ACCOUNT_KEY)))
        by_text = _sorted(eng.sql(account_features_sql(w, s, k="account_no")))
        assert by_key.num_rows == by_text.num_rows > 0
        _assert_equal(by_key, by_text)
        curves = {}
        for k in (ACCOUNT_KEY, "account_no"):
            eng.register_arrow("gw_curve_ref", eng.sql(curve_reference_sql(w, k=k)))
            curves[k] = _sorted(eng.sql(curve_features_sql(w, k=k)))
        assert curves[ACCOUNT_KEY].num_rows > 0
        _assert_equal(curves[ACCOUNT_KEY], curves["account_no"])
    finally:
        eng.close()


def _copy_lake(small_city: SmallCity, tmp_path: Path) -> Workspace:
    ws = Workspace.open(tmp_path / "home")
    shutil.copytree(small_city.ws.lake_dir, ws.lake_dir, dirs_exist_ok=True)
    return ws


def _rewrite(ws: Workspace, table: str, change) -> None:  # type: ignore[no-untyped-def]
    for part in table_dir(ws.lake_dir, table).rglob("*.parquet"):
        pq.write_table(change(pq.read_table(part)), part)


def _key_of(ws: Workspace) -> str:
    eng = get_engine("duckdb", ws)
    try:
        register_inputs(eng, Window.of(AS_OF, ws.settings.screening))
        return key_column(eng, ws.lake_dir)
    finally:
        eng.close()


def test_a_lake_without_the_key_groups_by_account_no(small_city: SmallCity, tmp_path: Path) -> None:
    ws = _copy_lake(small_city, tmp_path)
    _rewrite(ws, "readings_daily", lambda t: t.drop_columns([ACCOUNT_KEY]))
    assert _key_of(ws) == "account_no"


def test_a_key_collision_falls_back_to_account_no(
    small_city: SmallCity, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ws = _copy_lake(small_city, tmp_path)
    _rewrite(ws, "customers", lambda t: t.set_column(
        t.schema.get_field_index(ACCOUNT_KEY), ACCOUNT_KEY, pa.array([7] * t.num_rows, pa.int64())))
    with caplog.at_level(logging.WARNING):
        assert _key_of(ws) == "account_no"
    assert "share an account_key" in caplog.text

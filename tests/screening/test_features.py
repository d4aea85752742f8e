"""Features of hand-made curves whose right answers are known."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from gridwatch.calendar_cn import SPRING_FESTIVAL

from .conftest import AS_OF, N_DAYS, START, degree

DAYS = [START + timedelta(days=i) for i in range(N_DAYS)]


def test_one_row_per_customer(features, small_city) -> None:  # type: ignore[no-untyped-def]
    assert sorted(features.index) == sorted(small_city.daily)


def test_levels_and_tail(features) -> None:  # type: ignore[no-untyped-def]
    r = features.loc["I001"]
    mon_sat = sum(1 for d in DAYS if d.weekday() < 6)
    assert r.mean_kwh == pytest.approx((300 * mon_sat + 30 * (N_DAYS - mon_sat)) / N_DAYS)
    assert r.median_kwh == 300 and r.p95_kwh == 300 and r.max_kwh == 300
    assert r.load_factor_daily == pytest.approx(r.mean_kwh / 300)
    assert r.cap_use == pytest.approx(300 / (24 * 50))


def test_gaps_and_zeros_are_explicit(features) -> None:  # type: ignore[no-untyped-def]
    g = features.loc["G001"]
    assert g.n_days == N_DAYS - 100
    assert g.coverage == pytest.approx((N_DAYS - 100) / N_DAYS)
    assert g.zero_share == pytest.approx(30 / (N_DAYS - 100))
    assert g.mean_kwh == pytest.approx(6 * (N_DAYS - 130) / (N_DAYS - 100))  # missing days are not zeros


def test_weekday_weekend_and_spring_festival(features) -> None:  # type: ignore[no-untyped-def]
    w = features.loc["W001"]
    # workshop: Saturday 80, Sunday 2 (holidays excluded from both sides)
    assert w.weekend_ratio == pytest.approx((80 + 2) / 2 / 80, rel=0.02)
    sf = SPRING_FESTIVAL[2025]
    before = [2.0 if (sf + timedelta(days=k)).weekday() == 6 else 80.0 for k in range(-42, -14)]
    assert w.sf_ratio == pytest.approx(2 / np.mean(before))
    h = features.loc["H001"]
    assert h.weekend_ratio > 1.0
    assert 0.5 < h.sf_ratio < 2.0


def test_temperature_sensitivity(features) -> None:  # type: ignore[no-untyped-def]
    # households are built as base + 0.9 kWh per comfort-band degree
    h = features.loc["H001"]
    assert h.temp_corr > 0.9
    assert h.temp_sensitivity * h.mean_kwh == pytest.approx(0.9, abs=0.05)
    # the industrial curve ignores the weather
    assert abs(features.loc["I001"].temp_corr) < 0.2


def test_night_share_and_day_night(features) -> None:  # type: ignore[no-untyped-def]
    n = features.loc["N001"]
    assert n.night_share == pytest.approx(40 / 48)  # 22–6 h at 5 kWh/h, else 0.5
    assert n.night_day_ratio == pytest.approx(5 / 0.5)
    assert n.interval_days == 28
    h = features.loc["H001"]
    assert h.night_share == pytest.approx((0.3 * 6 + 0.4 + 1.2) / (0.3 * 7 + 0.5 * 11 + 1.2 * 5 + 0.4))
    assert features.loc["I001"].interval_days == 0 and math.isnan(features.loc["I001"].night_share)


def test_peak_valley_on_hours_and_steps(features) -> None:  # type: ignore[no-untyped-def]
    w = features.loc["W001"]
    assert w.on_hours == pytest.approx(10)  # 8–18 h at 8 kWh/h
    assert w.valley_peak_ratio == pytest.approx(0.2 / 8)
    mean = (0.2 * 14 + 8 * 10) / 24
    assert w.peak_avg_ratio == pytest.approx(8 / mean)
    assert w.steps_per_day == pytest.approx(2, abs=0.05)  # on at 8 h, off at 18 h (first day has no 'before')
    h = features.loc["H001"]
    assert h.on_hours == pytest.approx(5)  # 18–23 h at 1.2 ≥ 0.6


def test_daily_onoff_and_flatness(features, small_city) -> None:  # type: ignore[no-untyped-def]
    w = features.loc["W001"]
    off = sum(1 for v in small_city.daily["W001"] if v == 2.0)  # Sundays and the Spring Festival
    assert w.onoff_share == pytest.approx(off / N_DAYS)
    assert features.loc["I001"].flat_share == pytest.approx(sum(1 for d in DAYS if d.weekday() < 6) / N_DAYS)
    assert features.loc["H001"].onoff_share == 0


def test_rain_response(features) -> None:  # type: ignore[no-untyped-def]
    assert features.loc["H001"].n_rain_days == sum(1 for d in DAYS if d.toordinal() % 9 == 0)
    assert features.loc["I001"].rain_ratio == pytest.approx(1.0, abs=0.15)


def test_surge_and_trend(features) -> None:  # type: ignore[no-untyped-def]
    s = features.loc["S001"]
    assert s.recent_kwh == pytest.approx(65)
    assert s.surge_ratio == pytest.approx((65 + 1) / (5 + 1))
    assert features.loc["I001"].surge_ratio == pytest.approx(1.0, abs=0.05)


def test_resurgence_after_closure(features) -> None:  # type: ignore[no-untyped-def]
    r = features.loc["R001"]
    assert r.closed_on == date(2025, 9, 1)
    assert r.pre_closure_kwh == pytest.approx(50)
    assert r.post_closure_kwh == pytest.approx(40)
    assert r.resurgence_ratio == pytest.approx(0.8)
    assert r.off_share_before > 0.15


def test_permits_by_exact_join_or_entity_link(features) -> None:  # type: ignore[no-untyped-def]
    assert not features.loc["I001"].has_permit
    assert features.loc["I002"].has_permit  # permits.account_no
    assert features.loc["I003"].has_permit  # holder = customer name
    assert features.loc["I004"].has_permit  # only the entity link ties it
    assert features.loc["I004"].linked_entities == 1 and features.loc["I001"].linked_entities == 0


def test_registry_by_exact_join_or_entity_link(features) -> None:  # type: ignore[no-untyped-def]
    assert features.loc["D001"].is_deregistered_business  # exact name
    assert not features.loc["D001"].is_registered_business
    assert features.loc["L001"].is_deregistered_business  # a differently written name, linked by uscc
    assert not features.loc["H001"].is_deregistered_business


def test_without_links_only_exact_joins_count(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gridwatch.address.links import load_links
    from gridwatch.engine import get_engine
    from gridwatch.screening.feature_table import feature_table
    from gridwatch.screening.window import Window

    from .conftest import build_city

    city = build_city(tmp_path, with_links=False)
    s = city.ws.settings.screening
    eng = get_engine("duckdb", city.ws)
    try:
        f = feature_table(eng, city.ws.lake_dir, Window.of(AS_OF, s), s, load_links(city.ws)).to_pandas()
    finally:
        eng.close()
    f = f.set_index("account_no")
    assert not f.loc["I004"].has_permit and not f.loc["L001"].is_deregistered_business
    assert f.loc["I002"].has_permit and f.loc["I003"].has_permit and f.loc["D001"].is_deregistered_business
    assert (f.linked_entities == 0).all()


def test_ev_charging_runs(features) -> None:  # type: ignore[no-untyped-def]
    e = features.loc["E001"]
    # 2 h at 6.75 kW above the day's median (0.5 kW), on the 14 even days of 28
    assert e.ev_days_share == pytest.approx(0.5)
    assert e.ev_kwh_day == pytest.approx(2 * 6.75 * 14 / 28)
    assert e.mean_ex_ev_kwh == pytest.approx(e.mean_kwh - e.ev_kwh_day)
    assert e.level_ex_ev_vs_peer == pytest.approx(e.mean_ex_ev_kwh / e.peer_mean_kwh)
    # a 10-hour day shift and an 8-hour night shift are not charging; households never reach 3 kW extra
    assert features.loc["W001"].ev_kwh_day == 0
    assert features.loc["N001"].ev_days_share <= 2 / 28  # only the shifts cut by the window start and end
    assert features.loc["H001"].ev_kwh_day == 0
    assert np.isnan(features.loc["I001"].ev_kwh_day)  # no interval data


def test_household_shape_similarity(features) -> None:  # type: ignore[no-untyped-def]
    assert features.loc["H001"].res_shape_corr > 0.95
    assert features.loc["W001"].res_shape_corr < 0.5
    assert features.loc["N001"].res_shape_corr < 0.5
    assert np.isnan(features.loc["I001"].res_shape_corr)


def test_water_power_ratio(features) -> None:  # type: ignore[no-untyped-def]
    w = features.loc["W001"]
    assert w.water_m3_month == pytest.approx(300)
    assert w.water_per_mwh == pytest.approx(300 / (30.4 * w.mean_kwh / 1000))
    assert np.isnan(features.loc["H001"].water_per_mwh)  # no linked water account
    assert features.loc["H000"].water_per_mwh == pytest.approx(10 / (30.4 * features.loc["H000"].mean_kwh / 1000))


def test_peers(features) -> None:  # type: ignore[no-untyped-def]
    h = features.loc["H001"]
    res = features[features.tariff == "residential"]
    assert h.peer_scope == "district" and h.peer_n == len(res)
    assert h.peer_mean_kwh == pytest.approx(res.mean_kwh.median())
    assert features.loc["W001"].level_vs_peer > 5
    assert features.loc["W001"].z_log_mean_kwh > 5
    i = features.loc["I001"]
    assert i.peer_scope == "tariff" and i.peer_n == 4  # 4 industrial accounts < min_peers


def test_degree_helper_matches_settings(small_city) -> None:  # type: ignore[no-untyped-def]
    assert small_city.ws.settings.screening.comfort_c == (16.0, 24.0)
    assert degree(AS_OF) >= 0


def test_customer_buckets_give_the_same_rows(small_city) -> None:  # type: ignore[no-untyped-def]
    """Pass 1 run per range bucket of customers (as DuckDB does on large lakes) equals one run over all."""
    import pyarrow as pa

    from gridwatch.engine import get_engine
    from gridwatch.screening.feature_sql import account_features_sql
    from gridwatch.screening.features import customer_buckets, register_inputs
    from gridwatch.screening.window import Window

    s = small_city.ws.settings.screening
    w = Window.of(AS_OF, s)
    eng = get_engine("duckdb", small_city.ws)
    try:
        register_inputs(eng, w)
        whole = eng.sql(account_features_sql(w, s)).to_pandas().set_index("account_no").sort_index()
        buckets = customer_buckets(eng, 3)
        parts = [eng.sql(account_features_sql(w, s, b)) for b in buckets]
    finally:
        eng.close()
    assert len(buckets) == 3
    sizes = [p.num_rows for p in parts]
    assert max(sizes) - min(sizes) <= 1  # cut at the customers' quantiles: equal shares
    split = pa.concat_tables(parts).to_pandas().set_index("account_no").sort_index()
    assert list(split.index) == list(whole.index)
    pd.testing.assert_frame_equal(split, whole, check_exact=False, rtol=1e-12)


def test_curve_pass_per_bucket_equals_one_pass(small_city) -> None:  # type: ignore[no-untyped-def]
    """The curve pass run per range bucket (profile parts added up first) equals one pass over all."""
    import pyarrow as pa

    from gridwatch.engine import get_engine
    from gridwatch.screening.extra_sql import curve_features_sql, curve_reference_sql
    from gridwatch.screening.features import customer_buckets, register_inputs
    from gridwatch.screening.window import Window

    s = small_city.ws.settings.screening
    w = Window.of(AS_OF, s)
    eng = get_engine("duckdb", small_city.ws)
    try:
        register_inputs(eng, w)
        eng.register_arrow("gw_curve_ref", eng.sql(curve_reference_sql(w)))
        whole = eng.sql(curve_features_sql(w)).to_pandas().set_index("account_no").sort_index()
        buckets = customer_buckets(eng, 4)
        eng.register_arrow("gw_curve_ref", pa.concat_tables([eng.sql(curve_reference_sql(w, b)) for b in buckets]))
        parts = [eng.sql(curve_features_sql(w, b)) for b in buckets]
    finally:
        eng.close()
    assert len(buckets) == 4
    assert sum(p.num_rows > 0 for p in parts) >= 2  # the interval accounts fall in more than one bucket
    split = pa.concat_tables(parts).to_pandas().set_index("account_no").sort_index()
    assert list(split.index) == list(whole.index)
    assert whole["res_shape_corr"].notna().sum() > 0 and whole["ev_days_share"].gt(0).any()
    pd.testing.assert_frame_equal(split, whole, check_exact=False, rtol=1e-12)

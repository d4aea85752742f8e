"""Contract conformance and properties of the simulator's files."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from gridwatch.lake.contracts import CONTRACTS, STATUS_ALIASES, TARIFF_ALIASES
from gridwatch.sim.firms import uscc_valid
from gridwatch.sim.schemas import SCHEMAS

FILES = {
    "customers": "customers",
    "readings_daily": "readings_daily",
    "readings_interval": "readings_interval",
    "water": "water",
    "permits": "permits",
    "registry": "registry",
    "addresses": "addresses",
    "weather": "weather",
    "closures": "closures",
    "labels": "labels",
    "submeters": "submeters",
    "truth_customers": "truth/customers", "truth_links": "truth/links",
}


def read(out: Path, name: str) -> pa.Table:
    stem = FILES[name]
    schema = SCHEMAS[name]
    if (out / f"{stem}.parquet").exists():
        return pq.read_table(out / f"{stem}.parquet")
    return pacsv.read_csv(
        out / f"{stem}.csv",
        convert_options=pacsv.ConvertOptions(column_types=schema, strings_can_be_null=False),
    )


@pytest.mark.parametrize("name", sorted(FILES))
def test_columns_follow_the_contract(small_city, name):
    out, _ = small_city
    stem = FILES[name]
    with open(out / f"{stem}.csv", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    expected = CONTRACTS[name].column_names if name in CONTRACTS else SCHEMAS[name].names
    assert header == expected
    table = read(out, name)  # parses every value with the contract's type, or raises
    assert table.schema.names == expected


def test_row_counts_in_manifest(small_city):
    out, manifest = small_city
    for name, stem in FILES.items():
        assert manifest["rows"][stem] == read(out, name).num_rows, name
    assert manifest["rows"]["customers"] == 300


def test_readings_are_plausible(small_city):
    out, _ = small_city
    end = date(2026, 10, 31)
    daily = read(out, "readings_daily")
    interval = read(out, "readings_interval")
    assert pc.min(daily["kwh"]).as_py() >= 0
    assert pc.min(interval["kwh"]).as_py() >= 0
    assert pc.max(daily["date"]).as_py() <= end
    assert pc.min(daily["date"]).as_py() >= date(2026, 10, 2)
    assert set(pc.unique(interval["interval_min"]).to_pylist()) == {15}
    accounts = set(read(out, "customers")["account_no"].to_pylist())
    assert set(daily["account_no"].to_pylist()) <= accounts
    assert set(interval["account_no"].to_pylist()) <= accounts
    # no duplicate keys
    assert daily.group_by(["account_no", "date"]).aggregate([]).num_rows == daily.num_rows


def test_interval_sums_to_daily(small_city):
    out, _ = small_city
    daily = read(out, "readings_daily").to_pandas()
    iv = read(out, "readings_interval").to_pandas()
    iv["date"] = iv["ts"].dt.date
    per_day = iv.groupby(["account_no", "date"])["kwh"].agg(["sum", "count"]).reset_index()
    full = per_day[per_day["count"] == 96]
    merged = full.merge(daily, on=["account_no", "date"])
    assert len(merged) > 1000
    err = (merged["sum"] - merged["kwh"]).abs()
    assert (err <= 0.01 + 96 * 0.0005 + 0.001 * merged["kwh"]).all()


def test_truth_covers_every_customer(small_city):
    out, _ = small_city
    truth = read(out, "truth_customers")
    customers = read(out, "customers")
    assert sorted(truth["account_no"].to_pylist()) == sorted(customers["account_no"].to_pylist())
    addresses = set(read(out, "addresses")["address_id"].to_pylist())
    assert set(truth["address_id"].to_pylist()) <= addresses
    assert read(out, "addresses").num_rows == len(addresses)  # ids unique


def test_links_name_every_water_registry_and_permit_row(year_city):
    out, _ = year_city
    links = read(out, "truth_links").to_pandas()
    truth = read(out, "truth_customers").to_pandas()
    assert set(links["account_no"]) <= set(truth["account_no"])
    for source, table, key in (("water", "water", "water_account"), ("registry", "registry", "uscc"),
                               ("permits", "permits", "permit_no")):
        keys = set(read(out, table)[key].to_pylist())
        assert keys == set(links.loc[links["source"] == source, "key"]), source
    water = read(out, "water").to_pandas().merge(links[links["source"] == "water"], left_on="water_account",
                                                 right_on="key", suffixes=("", "_truth"))
    known = water["account_no"].notna() & (water["account_no"] != "")
    assert (water.loc[known, "account_no"] == water.loc[known, "account_no_truth"]).all()


def test_tariffs_and_statuses_are_accepted_labels(small_city):
    out, _ = small_city
    customers = read(out, "customers")
    assert set(customers["tariff"].to_pylist()) <= set(TARIFF_ALIASES)
    assert set(customers["status"].to_pylist()) <= set(STATUS_ALIASES)


def test_firm_codes(year_city):
    out, _ = year_city
    registry = read(out, "registry")
    assert registry.num_rows > 50
    assert all(uscc_valid(c) for c in registry["uscc"].to_pylist())
    permits = read(out, "permits")
    assert all(p[:18] in set(registry["uscc"].to_pylist()) for p in permits["permit_no"].to_pylist())
    sub = read(out, "submeters")
    assert all(len(m) == 24 for m in sub["mn"].to_pylist())
    prod = {
        c
        for c, k in zip(sub["channel_id"].to_pylist(), sub["facility_kind"].to_pylist(), strict=True)
        if k == "production"
    }
    for k, pair in zip(sub["facility_kind"].to_pylist(), sub["pairs_with"].to_pylist(), strict=True):
        assert (pair in prod) if k == "treatment" else pair in ("", None)


def test_story_lines_are_present_and_consistent(year_city):
    out, _ = year_city
    truth = read(out, "truth_customers").to_pandas()
    ws = truth[truth["is_workshop"]]
    assert (
        0.005
        < len(ws)
        / (
            truth["kind"]
            .isin(
                [
                    "household",
                    "household_large",
                    "household_ev",
                    "household_home_office",
                    "household_electric_heating",
                    "vacant",
                    "hostel",
                    "workshop",
                ]
            )
            .sum()
        )
        < 0.02
    )
    assert (ws["kind"] == "workshop").all() and ws["trade"].ne("").all()
    assert set(truth["kind"]) >= {"household", "vacant", "hostel", "shop", "restaurant", "factory_permitted"}
    closures = read(out, "closures").to_pandas()
    assert set(closures["account_no"]) <= set(truth["account_no"])
    labels = read(out, "labels").to_pandas()
    assert labels["is_workshop"].any() and (~labels["is_workshop"]).any()  # includes false alarms
    lab = labels.merge(truth, on="account_no", suffixes=("", "_truth"))
    assert (lab["is_workshop"] == lab["is_workshop_truth"]).all()


def test_workshops_use_more_power_than_households_but_overlap(year_city):
    out, _ = year_city
    daily = read(out, "readings_daily").to_pandas()
    truth = read(out, "truth_customers").to_pandas()
    mean = (
        daily.groupby("account_no")["kwh"].mean().rename("mean").reset_index().merge(truth, on="account_no")
    )
    ws = mean[mean["kind"] == "workshop"]["mean"]
    hh = mean[mean["kind"] == "household"]["mean"]
    big = mean[mean["kind"].isin(["household_large", "household_ev", "hostel"])]["mean"]
    assert ws.median() > 3 * hh.median()
    assert (ws < big.quantile(0.9)).mean() > 0.1  # some workshops hide among big households


def test_weather_follows_guangzhou_climate(small_city):
    from gridwatch.sim.weather import TMEAN_NORMAL_C, simulate_weather

    w = simulate_weather(date(2010, 1, 1), date(2026, 10, 31), 3)
    months = w.dates.astype("datetime64[M]").astype(int) % 12
    for m in range(12):
        assert abs(w.tmean_c[months == m].mean() - TMEAN_NORMAL_C[m]) < 1.5
    wet = w.precip_mm[(months >= 3) & (months <= 8)].sum() / w.precip_mm.sum()
    assert wet > 0.65  # rainy season Apr–Sep

"""Derive the normalised intraday load shapes the simulator ships (``gridwatch/sim/data/load_shapes.csv``).

Source: VDI 4657 reference load profiles as published by ttjaden/vdi4657.app (code MIT, data CC BY 4.0):
one-year 15-minute series per building type, normalised to 1 MWh per year.  This script is a development
tool, run once by hand; the product never reads the source files.

Usage: ``python tools/derive_load_shapes.py VDI4657_DIR OUT_CSV``

For every selected profile and day type (weekday, saturday, sunday) it writes the mean 96-slot shape,
normalised to sum 1, plus two calibration figures per profile: ``day_cv`` (coefficient of variation of
daily energy within the day type, season removed by a 31-day rolling mean) and ``ratio`` (mean daily energy
of the day type relative to weekdays).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

PROFILES: dict[str, str] = {
    # shipped name: source file stem
    "household_flat": "LP_W_MFH_k",
    "household_house": "LP_W_EFH",
    "electroplating": "LP_G_G",
    "metal": "LP_G_MV",
    "wood": "LP_G_MH",
    "business_day": "LP_G1",
    "business_evening": "LP_G2",
    "continuous": "LP_G3",
    "shop": "LP_G4",
    "office": "LP_Ö_Büro_k",
}


def _load(path: Path) -> pd.Series:
    df = pd.read_csv(path)
    ts = pd.to_datetime(df.iloc[:, 0].str.slice(0, 19))
    s = pd.Series(df.iloc[:, 1].to_numpy(float), index=ts)
    # Some sources are 30-minute or hourly: bring everything to 15 minutes.
    return s.resample("15min").mean().interpolate()


def derive(src: Path) -> pd.DataFrame:
    rows = []
    for name, stem in PROFILES.items():
        s = _load(src / f"{stem}.csv.gz")
        frame = pd.DataFrame({"v": s.to_numpy()}, index=s.index)
        frame["day"] = frame.index.normalize()
        frame["slot"] = frame.index.hour * 4 + frame.index.minute // 15
        wd = frame.index.day_of_week
        frame["daytype"] = np.where(wd < 5, "weekday", np.where(wd == 5, "saturday", "sunday"))
        daily = frame.groupby("day")["v"].sum()
        trend = daily.rolling(31, center=True, min_periods=1).mean()
        rel = daily / trend
        dtype_of_day = frame.groupby("day")["daytype"].first()
        wk_mean = rel[dtype_of_day == "weekday"].mean()
        for dt in ("weekday", "saturday", "sunday"):
            sub = frame[frame["daytype"] == dt]
            shape = sub.groupby("slot")["v"].mean().reindex(range(96)).to_numpy()
            shape = shape / shape.sum()
            r = rel[dtype_of_day == dt]
            rows.append(
                {
                    "profile": name,
                    "daytype": dt,
                    "ratio": round(float(r.mean() / wk_mean), 4),
                    "day_cv": round(float((r / r.mean()).std()), 4),
                    **{f"s{i:02d}": round(float(v), 6) for i, v in enumerate(shape)},
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    derive(src).to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

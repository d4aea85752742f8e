"""Top reasons in Chinese and English with their evidence numbers, for a street officer to read."""

from __future__ import annotations

import json
import math
import string
from datetime import date

import numpy as np
import pandas as pd

from gridwatch.screening.models import MODELS

Z_REASONS: dict[str, tuple[str, str]] = {
    "z_log_mean_kwh": ("日均用电{mean_kwh:.0f}千瓦时，同类用户{peer_mean_kwh:.0f}千瓦时",
                       "daily use {mean_kwh:.0f} kWh, peers {peer_mean_kwh:.0f} kWh"),
    "z_log_recent_kwh": ("近期日均用电{recent_kwh:.0f}千瓦时，同类用户{peer_mean_kwh:.0f}千瓦时",
                         "recent daily use {recent_kwh:.0f} kWh, peers {peer_mean_kwh:.0f} kWh"),
    "z_log_p95_kwh": ("高峰日用电{p95_kwh:.0f}千瓦时（95分位）", "peak days {p95_kwh:.0f} kWh (95th percentile)"),
    "z_night_share": ("夜间用电占比{night_share:.0%}，同类用户{peer_night_share:.0%}",
                      "night use {night_share:.0%} of daily, peers {peer_night_share:.0%}"),
    "z_night_day_ratio": ("夜间平均负荷为白天的{night_day_ratio:.1f}倍", "night load {night_day_ratio:.1f}× day load"),
    "z_on_hours": ("每天高负荷运行{on_hours:.1f}小时，同类用户{peer_on_hours:.1f}小时",
                   "high load {on_hours:.1f} h/day, peers {peer_on_hours:.1f} h"),
    "z_weekend_ratio": ("周末用电为工作日的{weekend_ratio:.0%}，同类用户{peer_weekend_ratio:.0%}",
                        "weekend use {weekend_ratio:.0%} of weekdays, peers {peer_weekend_ratio:.0%}"),
    "z_temp_corr": ("用电几乎不随气温变化（相关系数{temp_corr:.2f}，同类用户{peer_temp_corr:.2f}）",
                    "use does not follow temperature (correlation {temp_corr:.2f}, peers {peer_temp_corr:.2f})"),
    "z_sf_ratio": ("春节期间用电降至节前的{sf_ratio:.0%}", "Spring Festival use fell to {sf_ratio:.0%} of before"),
    "z_sf_low_week_ratio": ("春节前后最低一周用电降至节前的{sf_low_week_ratio:.0%}",
                            "lowest week around Spring Festival {sf_low_week_ratio:.0%} of before"),
    "z_sf_ratio_ex_ev": ("春节期间用电（扣除充电）降至节前的{sf_ratio_ex_ev:.0%}",
                         "Spring Festival use (besides EV charging) fell to {sf_ratio_ex_ev:.0%} of before"),
    "z_sf_low_week_ratio_ex_ev": ("春节前后最低一周用电（扣除充电）降至节前的{sf_low_week_ratio_ex_ev:.0%}",
                                  "lowest week around Spring Festival (besides EV charging) "
                                  "{sf_low_week_ratio_ex_ev:.0%} of before"),
    "z_onoff_share": ("启停式运行（停用日占{onoff_share:.0%}）", "on/off operation ({onoff_share:.0%} of days off)"),
    "z_cap_use": ("合同容量利用率{cap_use:.0%}", "contracted capacity used {cap_use:.0%}"),
    "z_rain_ratio": ("雨天用电为晴天的{rain_ratio:.1f}倍", "rain-day use {rain_ratio:.1f}× dry days"),
    "z_surge_ratio": ("近期用电为此前的{surge_ratio:.1f}倍", "recent use {surge_ratio:.1f}× earlier"),
}
"""Reason templates of the unsupervised evidence, keyed by z-score feature."""

MAX_REASONS = 3
ZH_VALUES: dict[str, dict[str, str]] = {
    "status": {"closed": "销户", "suspended": "暂停用电", "active": "正常"},
    "tariff": {"residential": "居民", "commercial": "商业", "industrial": "工业", "agricultural": "农业"},
}
"""Values shown in Chinese reasons instead of the stored English codes."""
_FMT = string.Formatter()


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT


def render(template: str, row: dict) -> str | None:
    """Format a template over a feature row; None when a referenced value is missing."""
    names = [f for _, f, _, _ in _FMT.parse(template) if f]
    if any(_missing(row.get(n)) for n in names):
        return None
    return template.format(**row)


def _jsonable(v: object) -> object:
    if _missing(v):
        return None
    if isinstance(v, (np.floating, float)):
        return round(float(v), 4)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, date):
        return v.isoformat()
    return v


def explain(row: dict, hit_names: list[str], contrib: dict[str, float]) -> tuple[list[str], list[str], dict]:
    """Reasons (zh, en) and evidence of one customer: alarms first, then the largest anomaly points."""
    zh: list[str] = []
    en: list[str] = []
    evidence: dict[str, object] = {}
    row_zh = {k: ZH_VALUES.get(k, {}).get(v, v) if isinstance(v, str) else v for k, v in row.items()}
    covered: set[str] = set()
    for name in hit_names:
        spec = MODELS[name]
        covered.update(spec.evidence)
        z, e = render(spec.reason_zh, row_zh), render(spec.reason_en, row)
        zh.append(z or spec.title_zh)
        en.append(e or spec.title_en)
        evidence[name] = {f: _jsonable(row.get(f)) for f in spec.evidence}
    for f, pts in sorted(contrib.items(), key=lambda kv: -kv[1]):
        if len(zh) >= MAX_REASONS or pts < 1.0:
            break
        if f.removeprefix("z_").removeprefix("log_") in covered:
            continue  # an alarm already states this evidence
        tz, te = Z_REASONS.get(f, (None, None))
        z = render(tz, row) if tz else None
        e = render(te, row) if te else None
        if z and e and z not in zh:
            zh.append(z)
            en.append(e)
            evidence[f] = round(float(row.get(f, 0.0)), 2)
    return zh[:MAX_REASONS], en[:MAX_REASONS], evidence


def explain_all(df: pd.DataFrame, hits: pd.DataFrame, contrib: pd.DataFrame, which: np.ndarray) -> pd.DataFrame:
    """reasons_zh, reasons_en (joined by '；' / '; ') and evidence (JSON) for rows where ``which``."""
    n = len(df)
    rz = np.full(n, "", dtype=object)
    re_ = np.full(n, "", dtype=object)
    ev = np.full(n, "{}", dtype=object)
    names = list(hits.columns)
    idx = np.flatnonzero(which)
    # one conversion of the flagged rows (row-by-row .iloc is the slow path at a million customers)
    rows = df.iloc[idx].to_dict("records")
    contribs = contrib.iloc[idx].to_dict("records")
    hit_arr = hits.to_numpy()[idx]
    for k, i in enumerate(idx):
        h = [names[j] for j in np.flatnonzero(hit_arr[k])]
        z, e, evidence = explain(rows[k], h, contribs[k])
        rz[i] = "；".join(z)
        re_[i] = "; ".join(e)
        ev[i] = json.dumps(evidence, ensure_ascii=False)
    return pd.DataFrame({"reasons_zh": rz, "reasons_en": re_, "evidence": ev}, index=df.index)

"""Every column of the feature table, with unit and meaning (the registry docs/SCREENING.md is built from).

A test checks that the SQL's output columns and this catalogue agree both ways, so a feature cannot be
added without documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridwatch.screening.feature_sql import PEER_MEDIAN_FEATURES, PEER_Z_FEATURES


@dataclass(frozen=True)
class Feature:
    name: str
    unit: str
    source: str  # customers | daily | interval | weather | water | permits | closures | peers
    meaning: str
    zh: str = ""  # short Chinese label (reasons, UI)


_BASE: tuple[Feature, ...] = (
    Feature("account_no", "-", "customers", "Power account number (户号).", "户号"),
    Feature("tariff", "-", "customers", "Tariff category: residential, commercial, industrial, ...", "用电类别"),
    Feature("transformer_district", "-", "customers", "Transformer district (台区) id; '' when unknown.", "台区"),
    Feature("capacity_kva", "kVA", "customers", "Contracted capacity; NULL when unknown.", "合同容量"),
    Feature("status", "-", "customers", "Account status: active, suspended, closed.", "用户状态"),
    Feature("n_days", "d", "daily", "Days with a daily reading in the look-back window (missing days excluded).",
            "有读数天数"),
    Feature("coverage", "-", "daily", "n_days / window length: 1 = complete, 0 = no data. Gaps are explicit.",
            "数据完整率"),
    Feature("zero_share", "-", "daily", "Share of present days with exactly 0 kWh (vacancy, meter off).",
            "零电量天数占比"),
    Feature("mean_kwh", "kWh/d", "daily", "Mean daily energy over present days.", "日均电量"),
    Feature("median_kwh", "kWh/d", "daily", "Median daily energy.", "日电量中位数"),
    Feature("p95_kwh", "kWh/d", "daily", "95th percentile of daily energy (the tail).", "日电量95分位"),
    Feature("max_kwh", "kWh/d", "daily", "Largest daily energy.", "最大日电量"),
    Feature("log_mean_kwh", "ln(kWh/d)", "daily", "ln(1 + mean_kwh): level on a log scale for peer z-scores.",
            "日均电量(对数)"),
    Feature("log_p95_kwh", "ln(kWh/d)", "daily", "ln(1 + p95_kwh).", "日电量95分位(对数)"),
    Feature("log_recent_kwh", "ln(kWh/d)", "daily", "ln(1 + recent_kwh): recent level for peer z-scores.",
            "近期日均电量(对数)"),
    Feature("cv_daily", "-", "daily", "Standard deviation / mean of daily energy (day-to-day irregularity).",
            "日电量变异系数"),
    Feature("load_factor_daily", "-", "daily", "mean_kwh / max_kwh: daily load factor (负荷率) over the window.",
            "日负荷率"),
    Feature("weekend_ratio", "-", "daily",
            "Mean kWh on weekend days / mean kWh on working days (holidays excluded). Homes ≥ 1; "
            "workshops resting on Sunday < 1.", "周末/工作日电量比"),
    Feature("sf_ratio", "-", "daily",
            "Mean kWh during Spring Festival (正月初一 −7 … +14 d) / mean kWh 6–2 weeks before. "
            "Workshops stop for the festival (≪ 1); NULL when the window holds no festival.", "春节/节前电量比"),
    Feature("sf_low_week_ratio", "-", "daily",
            "Mean kWh of the lowest of the seven weeks from 14 days before to 34 days after 正月初一 / mean "
            "kWh 6–2 weeks before. A workshop that shuts for the festival drops to its standby load for "
            "weeks, whenever its stop starts; a household away keeps its fridge and standby. NULL when the "
            "window holds no festival.", "春节最低周/节前电量比"),
    Feature("pre_sf_kwh", "kWh/d", "daily",
            "Mean kWh 6–2 weeks before 正月初一 (the festival ratios' reference); NULL when the window holds no "
            "festival.", "节前日均电量"),
    Feature("temp_corr", "-", "daily+weather",
            "Pearson correlation of daily kWh with degrees outside the comfort band (cooling + heating). "
            "Households follow the weather (high), machines do not (≈ 0). NULL without weather.",
            "电量-气温相关系数"),
    Feature("temp_sensitivity", "1/K", "daily+weather",
            "Slope of daily kWh on comfort-band degrees, divided by mean_kwh: relative change per kelvin.",
            "气温敏感度"),
    Feature("rain_ratio", "-", "daily+weather",
            "Mean kWh on rain days (≥ rain_mm) / mean kWh on dry days; NULL with fewer than 5 rain days.",
            "雨天/晴天电量比"),
    Feature("n_rain_days", "d", "daily+weather", "Rain days in the window that have a reading.", "雨天天数"),
    Feature("recent_kwh", "kWh/d", "daily", "Mean daily energy over the recent window (recent_days).",
            "近期日均电量"),
    Feature("surge_ratio", "-", "daily",
            "(recent_kwh + 1) / (mean before the recent window + 1): change point, sudden surge (> 1). "
            "NULL with fewer than 7 recent days.", "近期/前期电量比"),
    Feature("trend_slope", "kWh/d²", "daily", "Linear trend of daily kWh over the last 2 × recent_days.",
            "电量趋势斜率"),
    Feature("recent_max_kwh", "kWh/d", "daily", "Largest daily energy in the recent window.", "近期最大日电量"),
    Feature("onoff_share", "-", "daily",
            "On/off operation: min(on days, off days) / n_days, on = ≥ 0.5 × p95, off = ≤ max(0.1 × p95, "
            "0.5 kWh). Machines that stop on rest days score > 0.1; households ≈ 0.", "启停运行天数占比"),
    Feature("flat_share", "-", "daily", "Share of days within ±20% of the median: flatness, regularity.",
            "平稳天数占比"),
    Feature("off_share", "-", "daily", "Share of days at or below max(0.1 × p95, 0.5 kWh): off days.",
            "停用天数占比"),
    Feature("off_share_before", "-", "daily",
            "off_share before the recent window: a long shutdown followed by recent use is a restart.",
            "前期停用天数占比"),
    Feature("cap_use", "-", "daily+customers",
            "p95_kwh / (24 h × capacity_kva): contracted-capacity use (kVA taken as kW). NULL without capacity.",
            "容量利用率"),
    Feature("interval_days", "d", "interval", "Days with interval (15/30/60-min) data; 0 = daily data only.",
            "负荷曲线天数"),
    Feature("night_share", "-", "interval", "Share of energy used at night (night_hours, default 22–6 h).",
            "夜间用电占比"),
    Feature("night_day_ratio", "-", "interval",
            "Mean interval energy at night / mean interval energy in daytime (8–18 h); the Zhuzhou rule "
            "watches > 1.5.", "夜间/白天平均负荷比"),
    Feature("night_day_energy_ratio", "-", "interval",
            "Night energy per night hour / day energy per day hour (same as night_day_ratio when no interval "
            "is missing).", "夜/昼小时电量比"),
    Feature("peak_avg_ratio", "-", "interval", "Mean over days of (largest interval / mean interval): peakiness.",
            "峰均比"),
    Feature("valley_peak_ratio", "-", "interval",
            "Mean over days of (smallest interval / largest interval): valley/peak (峰谷) ratio, base load.",
            "谷峰比"),
    Feature("on_hours", "h/d", "interval",
            "Hours per day at ≥ 50% of that day's peak: a machine's run time; households peak briefly.",
            "高负荷时长"),
    Feature("steps_per_day", "1/d", "interval",
            "Interval-to-interval jumps of ≥ 30% of the day's peak, per day: switching of machines, shifts.",
            "日启停次数"),
    Feature("ev_kwh_day", "kWh/d", "interval",
            "Energy above the day's median in EV-charging-like runs (≥ 3 kW extra, flat, 1–6 h, starting "
            "18–3 h), per interval day. 0 without such runs; NULL without interval data.", "充电桩日均电量"),
    Feature("ev_days_share", "-", "interval", "Share of interval days on which an EV-charging-like run starts.",
            "充电天数占比"),
    Feature("res_shape_corr", "-", "interval",
            "Correlation of the account's mean 24-hour profile (hourly energy shares) with the mean profile of "
            "residential accounts: household-like (≈ 1) or production timetable (low). NULL without interval "
            "data.", "居民负荷形态相似度"),
    Feature("sf_ratio_ex_ev", "-", "daily+interval",
            "sf_ratio besides EV charging: sf_ratio / (1 − min(ev_kwh_day / pre_sf_kwh, 0.8)). Charging is "
            "taken to run at the recent rate before the festival and to stop while the family is away (the "
            "car leaves with it), so a household away does not fall to a workshop's ratio because its car "
            "left too. Equals sf_ratio without identified charging or interval data.", "扣除充电后春节/节前电量比"),
    Feature("sf_low_week_ratio_ex_ev", "-", "daily+interval",
            "sf_low_week_ratio besides EV charging, corrected like sf_ratio_ex_ev.", "扣除充电后春节最低周/节前电量比"),
    Feature("mean_ex_ev_kwh", "kWh/d", "daily+interval", "mean_kwh − ev_kwh_day (≥ 0): the load besides charging.",
            "扣除充电后日均电量"),
    Feature("water_m3_month", "m³/month", "water", "Mean monthly water of the linked water account.", "月均用水量"),
    Feature("water_per_mwh", "m³/MWh", "water", "Water per power: m³ of water per MWh of electricity.",
            "水电比"),
    Feature("log_water_per_mwh", "ln(m³/MWh)", "water", "ln(1 + water_per_mwh) for peer z-scores.",
            "水电比(对数)"),
    Feature("has_permit", "bool", "permits+links",
            "A permit valid at as-of names this account (permits.account_no), its holder equals the customer "
            "name (exact join), or the address module's entity links tie the account to it.", "有排污许可"),
    Feature("is_registered_business", "bool", "registry+links",
            "The customer name equals a live business-registry name (exact join), or an entity link ties the "
            "account to a live registry entry.", "工商登记"),
    Feature("is_deregistered_business", "bool", "registry+links",
            "The account is tied to a deregistered/revoked registry entry (注销/吊销) by exact name or entity "
            "link, and to no live one.", "已注销企业"),
    Feature("linked_entities", "-", "links",
            "Permits and registry entries the address module linked to this account (0: none, or no links "
            "computed — then only the exact joins count).", "关联主体数"),
    Feature("closed_on", "date", "closures", "Date of the latest closure/order on the account, if any.",
            "关停日期"),
    Feature("pre_closure_kwh", "kWh/d", "closures", "Mean daily energy in the 90 days before closed_on.",
            "关停前日均电量"),
    Feature("post_closure_kwh", "kWh/d", "closures",
            "Mean daily energy in the recent window, from 14 days after closed_on.", "关停后近期日均电量"),
    Feature("resurgence_ratio", "-", "closures", "post_closure_kwh / pre_closure_kwh.", "复产比"),
    Feature("projected_kwh_30d", "kWh/d", "daily", "recent_kwh + 30 d × trend_slope (≥ 0): forecast level.",
            "30天预测日电量"),
    Feature("peer_n", "-", "peers", "Size of the peer group used.", "同类用户数"),
    Feature("peer_scope", "-", "peers",
            "'district' = same tariff in the same transformer district; 'tariff' = same tariff city-wide "
            "(fallback for small districts).", "对比范围"),
    Feature("level_vs_peer", "-", "peers", "mean_kwh / median mean_kwh of peers.", "电量/同类中位数"),
    Feature("recent_vs_peer", "-", "peers", "recent_kwh / median mean_kwh of peers.", "近期电量/同类中位数"),
    Feature("level_ex_ev_vs_peer", "-", "peers", "mean_ex_ev_kwh / median mean_kwh of peers.",
            "扣除充电后电量/同类中位数"),
    Feature("projected_vs_peer", "-", "peers", "projected_kwh_30d / median mean_kwh of peers.",
            "预测电量/同类中位数"),
)


def _derived() -> tuple[Feature, ...]:
    by = {f.name: f for f in _BASE}
    out = []
    for f in PEER_Z_FEATURES:
        out.append(Feature(
            f"z_{f}", "σ", "peers",
            f"Robust z-score of {f} within the peer group: (x − peer median) / max(1.4826 × MAD, floor).",
            f"{by[f].zh}偏离度",
        ))
    for f in PEER_MEDIAN_FEATURES:
        out.append(Feature(f"peer_{f}", by[f].unit, "peers", f"Median {f} of the peer group.", f"同类{by[f].zh}"))
    return tuple(out)


FEATURES: dict[str, Feature] = {f.name: f for f in (*_BASE, *_derived())}
"""Registry of feature-table columns by name."""

"""The catalogue of named screening models (BRIEF §3): what each looks for, its inputs, schedule, evidence.

A model's *logic* is data: a list of conditions over feature-table columns, kept in the rule file (see
:mod:`gridwatch.screening.rules`), so a jurisdiction can set its own judgment conditions without code.
This registry holds what does not change per jurisdiction: the name, the texts, the inputs and the
evidence an alarm carries.  ``docs/SCREENING.md`` documents each model; a test fails when one is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title_zh: str
    title_en: str
    description: str
    inputs: tuple[str, ...]  # lake tables
    schedule: Literal["daily", "advance"]
    evidence: tuple[str, ...]  # feature-table columns reported with an alarm
    reason_zh: str  # format string over the feature row
    reason_en: str


MODELS: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    if spec.name in MODELS:
        raise ValueError(f"model {spec.name!r} registered twice")
    MODELS[spec.name] = spec
    return spec


register(ModelSpec(
    name="industrial_shape",
    title_zh="居民户工业负荷特征", title_en="Residential account with industrial load shape",
    description="A residential account consuming several times its peers (load besides identified EV "
    "charging) with a machine-like shape: it does not follow the weather, rests on weekends, stops for "
    "Spring Festival (besides EV charging) or idles at standby for a week around it, runs at the same level "
    "every day of the year, switches on and off, uses much of its contracted capacity or runs to a daily "
    "timetable unlike a household's.",
    inputs=("customers", "readings_daily", "weather", "readings_interval"),
    schedule="daily",
    evidence=("mean_kwh", "peer_mean_kwh", "level_vs_peer", "level_ex_ev_vs_peer", "temp_corr", "weekend_ratio",
              "sf_ratio", "sf_ratio_ex_ev", "sf_low_week_ratio_ex_ev", "flat_share", "onoff_share", "cap_use",
              "res_shape_corr"),
    reason_zh="日均用电{mean_kwh:.0f}千瓦时，为同类用户的{level_vs_peer:.1f}倍；用电与气温相关系数{temp_corr:.2f}",
    reason_en="daily use {mean_kwh:.0f} kWh, {level_vs_peer:.1f}× peers; correlation with temperature "
    "{temp_corr:.2f}",
))
register(ModelSpec(
    name="night_production",
    title_zh="夜间生产", title_en="Night production",
    description="Most energy is used at night (or night load exceeds 1.5 × day load, the Zhuzhou rule), "
    "which households and ordinary shops do not do. Needs interval data.",
    inputs=("readings_interval", "customers"),
    schedule="daily",
    evidence=("night_share", "peer_night_share", "night_day_ratio", "mean_kwh"),
    reason_zh="夜间用电占比{night_share:.0%}，同类用户{peer_night_share:.0%}",
    reason_en="night use {night_share:.0%} of daily, peers {peer_night_share:.0%}",
))
register(ModelSpec(
    name="unpermitted_industrial_load",
    title_zh="无证工业负荷", title_en="Industrial load without permit",
    description="An account with industrial-scale, production-shaped load that no valid pollution "
    "discharge permit covers: neither by exact join (permits.account_no, holder = customer name) nor "
    "through the address module's entity links (name and address).",
    inputs=("customers", "readings_daily", "permits", "registry"),
    schedule="daily",
    evidence=("mean_kwh", "has_permit", "linked_entities", "tariff", "on_hours", "weekend_ratio"),
    reason_zh="日均用电{mean_kwh:.0f}千瓦时，具生产特征，未匹配到有效排污许可",
    reason_en="daily use {mean_kwh:.0f} kWh with a production shape and no valid discharge permit",
))
register(ModelSpec(
    name="resurgence",
    title_zh="死灰复燃", title_en="Resurgence of a cleared site",
    description="A site cleared or ordered to close uses power again: recent use is a large share of its "
    "use before the closure.",
    inputs=("closures", "readings_daily"),
    schedule="daily",
    evidence=("closed_on", "pre_closure_kwh", "post_closure_kwh", "resurgence_ratio"),
    reason_zh="{closed_on}关停后近期日均用电{post_closure_kwh:.0f}千瓦时，为关停前的{resurgence_ratio:.0%}",
    reason_en="after closure on {closed_on}, recent use {post_closure_kwh:.0f} kWh/day, "
    "{resurgence_ratio:.0%} of before",
))
register(ModelSpec(
    name="closed_still_consuming",
    title_zh="销户/停用仍用电", title_en="Closed or suspended account still consuming",
    description="A firm that is closed — deregistered or revoked in the business registry (exact name join "
    "or entity link), or a non-residential account closed in the customer file — while its meter still "
    "records use.",
    inputs=("customers", "registry", "readings_daily"),
    schedule="daily",
    evidence=("status", "is_deregistered_business", "linked_entities", "recent_kwh"),
    reason_zh="企业已注销或户已销户（状态{status}），近期日均用电{recent_kwh:.0f}千瓦时",
    reason_en="firm deregistered or account closed (status {status}), recent use {recent_kwh:.0f} kWh/day",
))
register(ModelSpec(
    name="sudden_surge",
    title_zh="用电突增", title_en="Sudden surge",
    description="Recent use jumped to a multiple of the account's own past and far above its peers: new "
    "production before environmental approval (未批先建/未验先投) or a restart after a shutdown.",
    inputs=("readings_daily", "customers"),
    schedule="daily",
    evidence=("recent_kwh", "surge_ratio", "recent_vs_peer", "off_share_before"),
    reason_zh="近期日均用电{recent_kwh:.0f}千瓦时，为此前的{surge_ratio:.1f}倍",
    reason_en="recent use {recent_kwh:.0f} kWh/day, {surge_ratio:.1f}× its earlier level",
))
register(ModelSpec(
    name="rain_production",
    title_zh="雨天生产", title_en="Rain-time production",
    description="Use rises on rain days (discharge hidden by rain) while the account is well above peers.",
    inputs=("readings_daily", "weather", "customers"),
    schedule="daily",
    evidence=("rain_ratio", "n_rain_days", "mean_kwh"),
    reason_zh="雨天用电为晴天的{rain_ratio:.1f}倍（{n_rain_days:.0f}个雨天）",
    reason_en="use on rain days {rain_ratio:.1f}× dry days ({n_rain_days:.0f} rain days)",
))
register(ModelSpec(
    name="water_power_mismatch",
    title_zh="水电不匹配", title_en="Water/power mismatch",
    description="Water per unit of power far from the peers' (linked water account): wet processes "
    "(electroplating, dyeing, washing) on a dry account, or power without the matching water.",
    inputs=("water", "readings_daily", "customers"),
    schedule="daily",
    evidence=("water_per_mwh", "z_log_water_per_mwh", "water_m3_month"),
    reason_zh="水电比{water_per_mwh:.0f}立方米/兆瓦时，偏离同类{z_log_water_per_mwh:.1f}σ",
    reason_en="water/power {water_per_mwh:.0f} m³/MWh, {z_log_water_per_mwh:.1f}σ from peers",
))
register(ModelSpec(
    name="trend_warning",
    title_zh="趋势预警", title_en="Trend warning (advance)",
    description="Advance warning: the recent trend, extrapolated 30 days, crosses the industrial-level limit "
    "(a multiple of the peer median) while the account is still below it.",
    inputs=("readings_daily", "customers"),
    schedule="advance",
    evidence=("recent_kwh", "trend_slope", "projected_kwh_30d", "projected_vs_peer"),
    reason_zh="用电持续上升（每天{trend_slope:+.1f}千瓦时），预计30天后日均{projected_kwh_30d:.0f}千瓦时",
    reason_en="use rising {trend_slope:+.1f} kWh/day per day, forecast {projected_kwh_30d:.0f} kWh/day in 30 days",
))

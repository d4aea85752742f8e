"""Typed, strict workspace configuration.

The workspace's ``gridwatch.yaml`` (optional) is validated against :class:`Settings`; unknown keys are
errors (``extra="forbid"``), so a mistyped key never silently falls back to a default.  Every field
carries its meaning in ``Field(description=...)``; ``docs/CONFIG.md`` is generated from these models
(``gridwatch config docs``) and a test fails when it is stale.

Each capability owns one section model, defined here so that the whole file is checked in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gridwatch.lake.layout import ROW_GROUP_ROWS
from gridwatch.monitoring.settings import MonitoringSettings


class Strict(BaseModel):
    """Base for every config model: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LakeSettings(Strict):
    """How files are read into the Parquet lake."""

    chunk_rows: int = Field(
        200_000, ge=1_000, description="Rows read, validated and committed per chunk (bounds memory)."
    )
    max_daily_kwh: float = Field(
        50_000.0,
        gt=0,
        description="Absolute ceiling for one account's daily kWh when its capacity is unknown [kWh].",
    )
    capacity_overload: float = Field(
        1.5,
        gt=0,
        description="A reading above capacity_kva × hours × this factor is absurd and quarantined [-].",
    )
    future_tolerance_days: int = Field(
        1, ge=0, description="Readings dated more than this many days after today are rejected [d]."
    )
    row_group_rows: int = Field(
        ROW_GROUP_ROWS,
        ge=1_000,
        description="Rows per Parquet row group written by ingest and compaction; parts are sorted by account key, "
        "so a screening bucket skips the row groups outside its range of accounts.",
    )


class EngineSettings(Strict):
    """Which engine computes over the lake."""

    name: Literal["duckdb", "spark"] = Field("duckdb", description="Default engine for lake computations.")
    spark_master: str = Field("local[2]", description="Spark master URL (local[N] or a cluster URL).")
    duckdb_memory_limit: str = Field("8GB", description="DuckDB memory_limit setting.")
    duckdb_threads: int = Field(2, ge=1, description="DuckDB worker threads.")


class StoreSettings(Strict):
    """The operational database (work orders, users, devices, alarms)."""

    url: str | None = Field(
        None,
        description="SQLAlchemy URL. Default: SQLite file gridwatch.db in the workspace. "
        "Production: postgresql+psycopg://user@host/db.",
    )


class WorkflowSettings(Strict):
    """Work orders: dispatch, deadlines, uploads."""

    grid_cells_per_community: int = Field(
        0, ge=0, le=99,
        description="Grid cells (网格) generated under each community as <community>-G01..; 0 = none "
        "(grid cells named by address matches are still created).",
    )
    verify_days: int = Field(7, ge=1, description="Days from dispatch until claim + verification is due [d].")
    disposal_days: int = Field(30, ge=1, description="Default days allowed for a disposal measure [d].")
    evaluation_days: int = Field(90, ge=1, description="Days after closing when post-evaluation is due [d].")
    max_photo_bytes: int = Field(8_000_000, ge=10_000, description="Largest accepted photo upload [bytes].")
    max_photos: int = Field(6, ge=1, description="Photos accepted per verification.")
    photo_max_distance_m: int = Field(
        500, ge=10,
        description="A photo whose EXIF GPS lies farther than this from the order (or the officer's "
        "position) is flagged for the reviewer [m].",
    )
    photo_max_age_hours: int = Field(
        24, ge=1,
        description="A photo whose EXIF time is this long before the visit is flagged for the reviewer [h].",
    )
    photo_timezone: str = Field(
        "Asia/Shanghai", description="Time zone of EXIF times that carry no offset (phones' local time)."
    )
    intake_codes: list[str] = Field(
        default_factory=lambda: ["red"],
        description="Health codes of screening results that become work orders (red, yellow).",
    )


class WebSettings(Strict):
    """The web app (pages + REST API)."""

    mode: Literal["development", "production"] = Field(
        "development", description="production refuses default secrets and sets secure cookies."
    )
    secret_key: str = Field(
        "change-me-development-only", description="Signs session cookies; must be changed in production."
    )
    session_hours: int = Field(12, ge=1, description="Lifetime of a login session [h].")
    login_max_failures: int = Field(5, ge=1, description="Failed logins per user or address before lockout.")
    login_window_minutes: int = Field(15, ge=1, description="Login rate-limit window and lockout [min].")
    tile_url: str = Field(
        "", description="Map tile URL template ({z}/{x}/{y}); empty = no tiles (works offline)."
    )
    page_size: int = Field(50, ge=5, le=500, description="Rows per page of long lists.")
    basemap_max_features: int = Field(
        20_000,
        ge=100,
        description="Largest layer of the offline base map sent for one area (door plates, road axes, grid "
        "cells); a larger layer is left out for that area and the map says so.",
    )
    threads: int = Field(40, ge=1, le=200, description="Worker threads per process for database calls.")
    response_cache_mb: int = Field(
        256,
        ge=0,
        le=4096,
        description="Memory per server process for rendered order lists and dashboards, reused until an order "
        "of the area changes (a community's pool page is ~30 KB: 2,850 communities ~85 MB) [MB]; 0 = off.",
    )
    inline_cached_reads: Literal["never", "auto", "always"] = Field(
        "never",
        description="Check the credential of a cached read on the event loop instead of in the thread pool: "
        "about 0.6 ms less CPU per request, but a long latency tail under overload on a busy machine (see "
        "docs/BENCHMARKS-web.md); auto = on SQLite only (a PostgreSQL round trip on the event loop stalls "
        "every request of the process).",
    )
    version_feed_max_lag_ms: int = Field(
        100,
        ge=0,
        le=10_000,
        description="PostgreSQL: keep the change counters (revocations, area versions) in memory from the "
        "store's notifications, so a cached read needs no round trip; a read then reflects every change "
        "committed more than this long ago by any process (its own at once), and falls back to reading "
        "the store whenever the listener cannot vouch for that [ms]; 0 = read on every request (exact).",
    )
    sqlite_data_version: bool = Field(
        True,
        description="SQLite: check the change counters of a cached read with PRAGMA data_version on a kept "
        "connection of the driver (microseconds, exact: no lag) instead of a statement through the pool; "
        "false = the statement on every request.",
    )


class AddressSettings(Strict):
    """Address parsing and matching to the standard door-plate registry (标准地址)."""

    model_path: str | None = Field(
        None,
        description="Address labeller model file (.npz neural or .crfsuite CRF); default: the model shipped "
        "with the package.",
    )
    max_chars: int = Field(200, ge=10, description="Addresses longer than this get status too_long [chars].")
    match_min_score: float = Field(
        0.80, ge=0, le=1, description="Lowest score of an automatic match (below: ambiguous or unmatched) [-]."
    )
    ambiguous_min_score: float = Field(
        0.50, ge=0, le=1, description="Lowest score kept as an ambiguous candidate for a person to choose [-]."
    )
    match_margin: float = Field(
        0.08, ge=0, le=1, description="Required lead of the best candidate over the second for a match [-]."
    )
    max_candidates: int = Field(3, ge=1, le=20, description="Candidates kept for ambiguous addresses.")
    link_min_score: float = Field(
        0.85, ge=0, le=1, description="Lowest score of a customer-permit/registry link written out [-]."
    )
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Processes extracting address components in parallel (forked; only for ≥ 20,000 "
        "distinct addresses).",
    )


class ScreeningSettings(Strict):
    """Windows and thresholds of the screening features (the judgment conditions live in the rule file)."""

    lookback_days: int = Field(365, ge=28, description="Daily readings looked at, up to as-of [d].")
    recent_days: int = Field(28, ge=7, description="Recent window (surge, resurgence, trend) [d].")
    interval_days: int = Field(28, ge=1, description="Days of interval (15/30/60-min) data looked at [d].")
    night_hours: tuple[int, int] = Field((22, 6), description="Night hours [start, end) local time.")
    day_hours: tuple[int, int] = Field((8, 18), description="Daytime hours [start, end) local time.")
    rain_mm: float = Field(10.0, ge=0, description="Rain day: precipitation at least this [mm].")
    dry_mm: float = Field(1.0, ge=0, description="A day with less than this precipitation is a dry day [mm].")
    comfort_c: tuple[float, float] = Field(
        (16.0, 24.0), description="Comfort band of daily mean temperature; outside it AC/heating runs [°C]."
    )
    min_peers: int = Field(
        30, ge=2, description="Smaller peer groups (tariff + transformer district) fall back to tariff."
    )
    bucket_rows: int = Field(
        80_000_000,
        ge=1_000_000,
        description="DuckDB: readings per bucket of customers (a range of account numbers; median/quantile "
        "cannot spill to disk).",
    )
    rules_file: str | None = Field(None, description="Rule file (YAML/JSON) of the jurisdiction.")
    keep_features: bool = Field(
        True,
        description="Keep each run's feature table (features.parquet in the run folder): explains a code "
        "afterwards and lets `screen --features-from RUN` re-score with other conditions or labels without "
        "reading the readings again.",
    )


class Settings(Strict):
    """Root of ``gridwatch.yaml``."""

    timezone: str = Field("Asia/Shanghai", description="Local time zone of meter timestamps.")
    city_code: str = Field("4401", description="Administrative code of the city served (4401 = 广州市).")
    lake: LakeSettings = Field(default_factory=LakeSettings, description="Lake ingest settings.")
    engine: EngineSettings = Field(default_factory=EngineSettings, description="Compute engine settings.")
    store: StoreSettings = Field(default_factory=StoreSettings, description="Operational database.")
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings, description="Work orders.")
    web: WebSettings = Field(default_factory=WebSettings, description="Web app.")
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings, description="HJ 212 monitors.")
    address: AddressSettings = Field(default_factory=AddressSettings, description="Address parsing and matching.")
    screening: ScreeningSettings = Field(default_factory=ScreeningSettings, description="Screening features.")


class ConfigError(ValueError):
    """The workspace config file is invalid; the message names the file and the fields."""


def load_settings(path: Path) -> Settings:
    """Read and validate a config file; a missing file gives the defaults."""
    if not path.exists():
        return Settings()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: invalid settings"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {loc}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from exc

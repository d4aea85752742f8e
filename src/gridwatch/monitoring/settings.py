"""The ``monitoring`` section of ``gridwatch.yaml`` (gateway, storage, detectors, webhooks).

Kept in its own module so that :mod:`gridwatch.config` only adds one line; every field is documented and
strict (unknown keys are errors).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class GatewaySettings(_Strict):
    """The HJ 212 TCP gateway."""

    host: str = Field("127.0.0.1", description="Address the gateway listens on.")
    port: int = Field(6000, ge=0, le=65535, description="TCP port for HJ 212 devices.")
    http_port: int | None = Field(
        None, ge=0, le=65535, description="Also serve the HTTP readings endpoint on this port (None = off)."
    )
    idle_timeout_s: float = Field(
        600.0, gt=0, description="Close a connection that sent nothing for this long [s]."
    )
    max_connections: int = Field(20_000, ge=1, description="Refuse connections beyond this many.")
    max_frame_bytes: int = Field(
        4096, ge=64, le=9999, description="Longest data segment accepted (the standard allows 1024) [bytes]."
    )
    max_bad_frames: int = Field(
        20, ge=1, description="Close a connection after this many refused or malformed frames in a row."
    )
    write_timeout_s: float = Field(
        10.0, gt=0, description="Close a client that does not read its replies within this time [s]."
    )
    batch_max_frames: int = Field(2000, ge=1, description="Frames committed together at most.")
    batch_max_wait_ms: float = Field(
        20.0,
        ge=0,
        description="Wait this long for more frames before committing a batch [ms]: longer = fewer commits "
        "(less CPU per frame), shorter = lower latency.",
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        "FULL",
        description="SQLite synchronous mode of the gateway's writer: FULL survives power loss, NORMAL "
        "survives a process crash.",
    )
    registry_reload_s: float = Field(
        5.0, gt=0, description="Reload devices, plans and restriction periods this often [s]."
    )
    offline_sweep_s: float = Field(5.0, gt=0, description="Check for silent monitors this often [s].")


class DetectorSettings(_Strict):
    """Thresholds of the alarm detectors (see docs/MONITORING.md)."""

    on_fraction: float = Field(
        0.10, gt=0, lt=1, description="A facility is running when its power exceeds this share of rated kW."
    )
    on_min_kw: float = Field(0.2, ge=0, description="...and at least this many kW [kW].")
    treatment_off_notice_s: float = Field(
        120.0, ge=0, description="Treatment off while production runs this long: notice [s]."
    )
    treatment_off_warning_s: float = Field(600.0, ge=0, description="...warning after this long [s].")
    treatment_off_severe_s: float = Field(1800.0, ge=0, description="...severe after this long [s].")
    ratio_min_samples: int = Field(
        60, ge=5, description="Samples with both facilities running before the ratio band is trusted."
    )
    ratio_quantile: float = Field(
        0.05, gt=0, lt=0.5, description="Lower edge of the normal treatment/production ratio band (quantile)."
    )
    ratio_band_factor: float = Field(
        0.7, gt=0, le=1, description="Alarm when the ratio falls below quantile × this factor."
    )
    ratio_notice_s: float = Field(300.0, ge=0, description="Ratio below the band this long: notice [s].")
    ratio_warning_s: float = Field(900.0, ge=0, description="Ratio below the band this long: warning [s].")
    ratio_severe_s: float = Field(3600.0, ge=0, description="...severe after this long [s].")
    ratio_history: int = Field(2000, ge=10, description="Ratios kept per facility pair to learn the band.")
    offline_warning_s: float = Field(
        600.0, gt=0, description="No frame from a monitor for this long (wall clock): warning [s]."
    )
    offline_severe_s: float = Field(3600.0, gt=0, description="...severe after this long [s].")
    data_gap_s: float = Field(
        300.0, gt=0, description="A jump in DataTime between two frames larger than this is a data gap [s]."
    )
    flatline_samples: int = Field(
        30, ge=3, description="The same non-zero power this many frames in a row looks tampered: warning."
    )
    flatline_severe_samples: int = Field(120, ge=3, description="...severe after this many frames.")
    flatline_tolerance: float = Field(
        1e-6, ge=0, description="Values closer than this count as the same [kW]."
    )
    implausible_factor: float = Field(
        3.0, gt=1, description="Power above rated kW × this factor (or below zero) is implausible."
    )
    implausible_warning_samples: int = Field(
        3, ge=1, description="Implausible values this many frames in a row: warning (first one: notice)."
    )
    restriction_notice_s: float = Field(
        300.0, ge=0, description="Production above the allowed level during a restriction this long: notice."
    )
    restriction_warning_s: float = Field(600.0, ge=0, description="...warning after this long [s].")
    restriction_severe_s: float = Field(1800.0, ge=0, description="...severe after this long [s].")
    restriction_baseline_quantile: float = Field(
        0.9, gt=0, lt=1, description="Normal production = this quantile of the running power history."
    )
    restriction_tolerance: float = Field(
        0.1, ge=0, description="Allowed level under a limit is raised by this share of itself [-]."
    )
    evidence_points: int = Field(120, ge=10, description="Points of the evidence curve kept with an alarm.")


class WebhookSettings(_Strict):
    """Outside systems (mayor's hotline, mobile enforcement) told about alarms by HTTP POST."""

    urls: list[str] = Field(default_factory=list, description="URLs that receive each alarm event as JSON.")
    min_grade: Literal["notice", "warning", "severe"] = Field(
        "warning", description="Only alarms of this grade or above are posted."
    )
    timeout_s: float = Field(5.0, gt=0, description="Timeout of one POST [s].")
    retries: int = Field(5, ge=0, description="Retries of a failed POST (exponential back-off).")
    backoff_s: float = Field(1.0, gt=0, description="First retry delay, doubled each time [s].")
    queue_size: int = Field(10_000, ge=1, description="Events waiting for delivery at most (oldest dropped).")


class MonitoringSettings(_Strict):
    """Real-time monitoring of pollution-control equipment over HJ 212-2017."""

    gateway: GatewaySettings = Field(default_factory=GatewaySettings, description="TCP gateway.")
    detectors: DetectorSettings = Field(default_factory=DetectorSettings, description="Alarm detectors.")
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings, description="Alarm webhooks.")
    disabled_detectors: list[str] = Field(
        default_factory=list, description="Names of registered detectors not to run."
    )

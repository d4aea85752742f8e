"""Parameters of one simulation run (typed, strict; every field documented in docs/SIMULATOR.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from gridwatch.config import Strict

BLOCK_SIZE = 1000
"""Customers per generation block.  Each block draws from its own random stream seeded by
(seed, block index), so output does not depend on how many blocks are written per chunk.  Changing this
constant changes every output; it is part of the determinism contract."""


class SimParams(Strict):
    """What to simulate and where to write it."""

    customers: int = Field(2_000, ge=1, le=50_000_000, description="Number of power customers (accounts).")
    days: int = Field(365, ge=1, le=3_660, description="Days of daily readings, ending at `end` [d].")
    end: date = Field(date(2026, 10, 31), description="Last day of readings (must not be in the future).")
    interval: int | None = Field(
        None, description="If set, also write interval readings of this many minutes (15, 30 or 60) [min]."
    )
    interval_days: int = Field(
        28, ge=1, le=366, description="Days of interval readings, ending at `end` [d]."
    )
    seed: int = Field(42, ge=0, description="Random seed; the same seed and parameters give identical files.")
    format: Literal["csv", "parquet"] = Field("csv", description="Output file format.")
    encoding: Literal["utf-8", "gbk"] = Field("utf-8", description="Text encoding of CSV files.")
    workshop_rate: float = Field(
        0.01,
        ge=0.0,
        le=0.5,
        description="Share of residential-tariff accounts that are hidden workshops [-].",
    )
    chinese_tariff_share: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Share of customer rows whose tariff is written as a Chinese label [-].",
    )
    missing_rate: float = Field(
        0.002,
        ge=0.0,
        le=0.2,
        description="Share of daily/interval readings dropped (meter read failures) [-].",
    )
    linked_water_share: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Share of water accounts whose power account_no the utility knows [-].",
    )
    label_share: float = Field(
        0.2, ge=0.0, le=1.0, description="Share of past-verified suspects whose outcome is in labels [-]."
    )
    chunk_blocks: int = Field(
        20,
        ge=1,
        description=f"Blocks of {BLOCK_SIZE} customers generated and written per chunk (memory bound).",
    )
    workers: int = Field(1, ge=1, le=64, description="Worker processes generating blocks in parallel.")

    @model_validator(mode="after")
    def _check(self) -> SimParams:
        if self.interval is not None and self.interval not in (15, 30, 60):
            raise ValueError("interval must be 15, 30 or 60 minutes")
        if self.interval is not None and self.interval_days > self.days:
            raise ValueError("interval_days must not exceed days")
        if self.end > date.today():
            raise ValueError(f"end {self.end} is in the future")
        return self

    @property
    def n_blocks(self) -> int:
        return -(-self.customers // BLOCK_SIZE)

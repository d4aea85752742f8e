"""The health-code rule file: a jurisdiction's judgment conditions as strict, versioned data.

No code is evaluated: a model's conditions are ``{feature, op, value}`` triples over documented feature
columns, combined as ``all_of`` (every one holds) and ``any_of`` (at least one holds, when given).  The
file is YAML or JSON; unknown keys, unknown features, unknown models and ill-typed values are rejected
with the file and the path of the offending entry.  The built-in default is ``default_rules.yaml``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gridwatch.screening.feature_catalog import FEATURES
from gridwatch.screening.models import MODELS

FORMAT = "gridwatch-rules/1"
NUMERIC_OPS = (">=", ">", "<=", "<")
Op = Literal[">=", ">", "<=", "<", "==", "!=", "in", "not_in", "is_null", "not_null"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """``feature op value``; a NULL feature never satisfies a comparison (only ``is_null``)."""

    feature: str = Field(description="A feature-table column (see docs/SCREENING.md).")
    op: Op = Field(description="Comparison operator.")
    value: float | bool | str | list[str] | None = Field(None, description="Right-hand side.")

    @field_validator("feature")
    @classmethod
    def _known_feature(cls, v: str) -> str:
        if v not in FEATURES:
            raise ValueError(f"unknown feature {v!r}")
        return v

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op in NUMERIC_OPS and (isinstance(self.value, bool) or not isinstance(self.value, (int, float))):
            raise ValueError(f"op {self.op!r} needs a number, got {self.value!r}")
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a list, got {self.value!r}")
        if self.op in ("is_null", "not_null") and self.value is not None:
            raise ValueError(f"op {self.op!r} takes no value")
        if self.op in ("==", "!=") and (self.value is None or isinstance(self.value, list)):
            raise ValueError(f"op {self.op!r} needs a single value")
        return self

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        col = df[self.feature]
        present = col.notna().to_numpy()
        if self.op == "is_null":
            return ~present
        if self.op == "not_null":
            return present
        if self.op in NUMERIC_OPS:
            x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                res = {">=": x >= self.value, ">": x > self.value, "<=": x <= self.value, "<": x < self.value}
            return present & res[self.op] & ~np.isnan(x)
        if self.op in ("in", "not_in"):
            hit = col.astype(str).isin([str(v) for v in self.value]).to_numpy()  # type: ignore[union-attr]
            return present & (hit if self.op == "in" else ~hit)
        eq = (col == self.value).to_numpy(dtype=bool, na_value=False)
        return present & (eq if self.op == "==" else ~eq)


class ModelRule(_Strict):
    """When a named model raises an alarm, how severe it is, and how much it adds to the score."""

    enabled: bool = Field(True, description="Switch the model off for this jurisdiction.")
    severity: Literal["yellow", "red"] = Field(description="Least code an alarm of this model gives.")
    weight: float = Field(ge=0, le=1, description="Score boost: score = 1 − (1 − base) × Π(1 − weight).")
    all_of: list[Condition] = Field(min_length=1, description="Conditions that must all hold.")
    any_of: list[Condition] = Field(default_factory=list, description="If given, at least `any_min` must hold.")
    any_min: int = Field(1, ge=1, description="How many of `any_of` must hold (default 1).")

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        m = np.ones(len(df), dtype=bool)
        for c in self.all_of:
            m &= c.mask(df)
        if self.any_of:
            k = np.zeros(len(df), dtype=int)
            for c in self.any_of:
                k += c.mask(df)
            m &= k >= self.any_min
        return m

    @model_validator(mode="after")
    def _any_min_reachable(self) -> ModelRule:
        if self.any_of and self.any_min > len(self.any_of):
            raise ValueError(f"any_min {self.any_min} exceeds the {len(self.any_of)} conditions of any_of")
        return self


class Codes(_Strict):
    """Score thresholds of the health code (健康码)."""

    yellow_score: float = Field(ge=0, le=1, description="score ≥ this → at least yellow.")
    red_score: float = Field(ge=0, le=1, description="score ≥ this → red.")
    residential_flag_budget: float | None = Field(
        None, gt=0, le=1,
        description="Largest share of residential accounts the score alone may flag (inspection capacity): "
        "when more residential scores reach yellow_score, both thresholds rise to the score quantile at "
        "1 − budget among residential accounts (red stays above yellow). Model alarms still give their "
        "severity. Needs at least `budget_min_accounts` residential accounts; none: no budget.",
    )
    budget_min_accounts: int = Field(
        200, ge=1, description="Residential accounts needed before residential_flag_budget applies.",
    )
    budget_counts_alarms: bool = Field(
        False,
        description="true: residential_flag_budget bounds everything flagged — residential accounts that a "
        "model alarm flags take their place in it first, and the score may flag only the rest of the budget "
        "among the others; false: the budget bounds the score alone and alarms come on top.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Codes:
        if self.yellow_score > self.red_score:
            raise ValueError("yellow_score must not exceed red_score")
        return self


class Scoring(_Strict):
    """How the unsupervised and supervised parts combine."""

    anomaly_scale: float = Field(gt=0, description="Points of weighted peer z-score that give 63% anomaly.")
    level_gate_z: float | None = Field(
        description="Shape evidence counts fully once the level z-score exceeds this (none: no gate, shape "
        "evidence counts at any level; `min_mean_kwh` still keeps vacant flats out).",
    )
    evidence: Literal["z", "rank"] = Field(
        "z",
        description="How a peer z-score becomes anomaly points: `z` = the clipped z-score itself; `rank` = "
        "the surprise −ln(p) of its rank among the accounts of the same tariff (p = share of them at least "
        "as suspicious), less `rank_floor`. Ranks treat skewed and two-humped features (Spring Festival "
        "stops, on/off days) alike and let weak signs add up.",
    )
    rank_floor: float = Field(
        1.5, ge=0,
        description="Surprise that gives no points with `evidence: rank` (1.5: only the most suspicious 22% "
        "of a tariff on a feature score on it).",
    )
    iforest_weight: float = Field(ge=0, le=1, description="Share of IsolationForest in the unsupervised score.")
    supervised_weight: float = Field(ge=0, le=1, description="Share of the calibrated supervised probability.")
    min_labels: int = Field(ge=10, description="Labelled accounts needed before the supervised model is used.")
    min_positive: int = Field(ge=3, description="Confirmed workshops needed before the supervised model is used.")
    weights: dict[str, float] = Field(description="Signed weight of each peer z-score in the anomaly points.")
    min_mean_kwh: float = Field(ge=0, description="Accounts using less than this are not scored (vacant) [kWh/d].")
    ev_discount: float = Field(
        1.0, ge=0, le=1,
        description="Anomaly points are scaled by 1 − ev_discount × (EV-charging share of recent use): load "
        "explained by an identified charger is no evidence (0 switches this off).",
    )
    shape_discount: float = Field(
        0.0, ge=0, le=1,
        description="Anomaly points are scaled by 1 − shape_discount × max(res_shape_corr, 0): a daily "
        "profile like the residential one (hostels, large families) weakens the evidence (0: off).",
    )

    @field_validator("weights")
    @classmethod
    def _known_z(cls, v: dict[str, float]) -> dict[str, float]:
        for k in v:
            if k not in FEATURES or not k.startswith("z_"):
                raise ValueError(f"unknown z-score feature {k!r}")
        return v


class Jurisdiction(_Strict):
    code: str = Field(description="Administrative code, e.g. 4401 (广州市) or 440106 (天河区).")
    name: str = Field(description="Name of the jurisdiction.")


class RuleSet(_Strict):
    """Root of a rule file."""

    format: Literal["gridwatch-rules/1"] = Field(description="Format version of the file itself.")
    version: str = Field(min_length=1, description="Version of this rule set (recorded with every run).")
    jurisdiction: Jurisdiction
    codes: Codes
    scoring: Scoring
    models: dict[str, ModelRule] = Field(description="Conditions per registered model name.")

    @field_validator("models", mode="before")
    @classmethod
    def _known_models(cls, v: object) -> object:
        unknown = sorted(set(v) - set(MODELS)) if isinstance(v, dict) else []
        if unknown:
            raise ValueError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
        return v


class RuleFileError(ValueError):
    """The rule file is invalid; the message names the file and the path of each error."""


def parse_rules(text: str, source: str) -> RuleSet:
    try:
        raw = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise RuleFileError(f"{source}: not valid {'JSON' if source.endswith('.json') else 'YAML'}: {exc}") from exc
    if not isinstance(raw, dict):
        raise RuleFileError(f"{source}: the top level must be a mapping")
    try:
        return RuleSet.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{source}: invalid rule file ({exc.error_count()} error(s))"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  {loc}: {err['msg']}")
        raise RuleFileError("\n".join(lines)) from exc


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Read a rule file; ``None`` gives the built-in default."""
    if path is None:
        text = resources.files("gridwatch.screening").joinpath("default_rules.yaml").read_text(encoding="utf-8")
        return parse_rules(text, "default_rules.yaml")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(f"{p}: cannot read: {exc}") from exc
    return parse_rules(text, str(p))

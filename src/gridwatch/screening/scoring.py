"""Scores from the feature table (engine-independent; one row per customer, so pandas/numpy are fine).

* Unsupervised (no labels needed): weighted, signed peer z-scores ("anomaly points"; shape evidence is
  gated by the consumption level so that vacant flats and tiny odd curves do not score), optionally
  blended with an IsolationForest anomaly score, mapped to [0, 1] by ``1 − exp(−points / scale)``.
* Supervised (when field verification labels exist): LightGBM on the features, probabilities calibrated
  by isotonic regression in cross-validation (scikit-learn ``CalibratedClassifierCV``).
* Combination: ``base = (1 − w) × unsupervised + w × supervised``; each model alarm m then raises it:
  ``score = 1 − (1 − base) × Π(1 − weight_m)``.  The score is in [0, 1] and never falls when an alarm
  is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridwatch.screening.models import MODELS
from gridwatch.screening.rules import RuleSet, Scoring

LEVEL_FEATURES = frozenset({"z_log_mean_kwh", "z_log_recent_kwh", "z_log_p95_kwh"})
Z_CLIP = 10.0
CODES = ("green", "yellow", "red")


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    if name not in df:
        return np.full(len(df), np.nan)
    return df[name].to_numpy(dtype=float, na_value=np.nan)


def _z_evidence(x: np.ndarray, df: pd.DataFrame, s: Scoring) -> np.ndarray:
    """The signed z-score itself, clipped to [0, Z_CLIP] (NULL: no evidence)."""
    return np.clip(np.nan_to_num(x, nan=0.0), 0.0, Z_CLIP)


def _rank_evidence(x: np.ndarray, df: pd.DataFrame, s: Scoring) -> np.ndarray:
    """Surprise of the account's rank within its tariff: −ln(share of the tariff at least as suspicious),
    less ``rank_floor`` (NULL: no evidence).  Under no anomaly the surprise is exponential with mean 1
    whatever the feature's distribution, so features with long tails or two humps weigh alike."""
    sx = pd.Series(x, index=df.index)
    tariff = df["tariff"].astype(str) if "tariff" in df else pd.Series("", index=df.index)
    by = sx.groupby(tariff.to_numpy())
    rank = by.rank(method="max", ascending=False, na_option="keep")
    p = (rank / (by.transform("count") + 1)).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        surprise = -np.log(p)
    return np.clip(np.nan_to_num(surprise, nan=0.0) - s.rank_floor, 0.0, Z_CLIP)


EVIDENCE: dict[str, Callable[[np.ndarray, pd.DataFrame, Scoring], np.ndarray]] = {
    "z": _z_evidence,
    "rank": _rank_evidence,
}
"""How a signed peer z-score becomes evidence (``scoring.evidence`` of the rule file)."""


def contributions(df: pd.DataFrame, s: Scoring) -> pd.DataFrame:
    """Anomaly points per z-feature (≥ 0); shape features gated by the level z-score unless the gate is off."""
    n = len(df)
    gate = np.ones(n)
    if s.level_gate_z is not None:
        level_z = np.fmax(_col(df, "z_log_mean_kwh"), _col(df, "z_log_recent_kwh"))  # a recent start counts too
        gate = 1.0 / (1.0 + np.exp(-2.0 * (np.nan_to_num(level_z, nan=-10.0) - s.level_gate_z)))
    evidence = EVIDENCE[s.evidence]
    out = {}
    for f, w in s.weights.items():
        z = _col(df, f)
        c = evidence(z if w > 0 else -z, df, s) * abs(w)
        out[f] = c if f in LEVEL_FEATURES else c * gate
    return pd.DataFrame(out, index=df.index)


def explained_share(df: pd.DataFrame) -> np.ndarray:
    """Share of recent daily use drawn by EV-charging-like runs (0 without interval data), in [0, 1]."""
    ev = np.nan_to_num(_col(df, "ev_kwh_day"), nan=0.0)
    recent = _col(df, "recent_kwh")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(recent > 0, ev / recent, 0.0)
    return np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0)


def _iforest(df: pd.DataFrame, s: Scoring, seed: int) -> np.ndarray:
    from sklearn.ensemble import IsolationForest

    cols = [f for f in s.weights if f in df]
    x = np.nan_to_num(df[cols].to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    x = np.clip(x, -Z_CLIP, Z_CLIP)
    forest = IsolationForest(n_estimators=100, max_samples=min(256, len(df)), random_state=seed, n_jobs=-1)
    forest.fit(x)
    raw = -forest.score_samples(x)  # the paper's anomaly score s in (0, 1]; ~0.5 is ordinary
    return np.clip((raw - 0.5) / 0.25, 0.0, 1.0)


def unsupervised_score(df: pd.DataFrame, s: Scoring, seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    """Label-free score in [0, 1] and the per-feature points it came from."""
    contrib = contributions(df, s)
    # load explained by identified EV charging (interval data) is not evidence of production
    keep = 1.0 - s.ev_discount * explained_share(df)
    # a household-like daily profile (hostels, large families) is weaker evidence than a production timetable
    keep = keep * (1.0 - s.shape_discount * np.clip(np.nan_to_num(_col(df, "res_shape_corr"), nan=0.0), 0.0, 1.0))
    contrib = contrib.mul(keep, axis=0)
    points = contrib.sum(axis=1).to_numpy()
    score = 1.0 - np.exp(-points / s.anomaly_scale)
    if s.iforest_weight > 0 and len(df) >= 50:
        gate = contrib.get("z_log_mean_kwh", pd.Series(0.0, index=df.index)).to_numpy() > 0
        score = (1 - s.iforest_weight) * score + s.iforest_weight * _iforest(df, s, seed) * gate * keep
    mean = df["mean_kwh"].to_numpy(dtype=float, na_value=np.nan)
    score = np.where(np.nan_to_num(mean, nan=0.0) < s.min_mean_kwh, 0.0, score)
    return np.clip(score, 0.0, 1.0), contrib


MODEL_FEATURES_EXCLUDE = frozenset({"account_no", "tariff", "transformer_district", "status", "closed_on",
                                    "peer_scope"})


def numeric_matrix(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in df.columns if c not in MODEL_FEATURES_EXCLUDE]
    x = df[cols].astype(float)
    x["tariff_residential"] = (df["tariff"] == "residential").astype(float)
    return x


@dataclass
class Supervised:
    """A calibrated classifier trained from field verification labels."""

    model: object
    columns: list[str]
    n_labels: int
    n_positive: int
    tariffs: frozenset[str] = frozenset()
    """Tariffs of the labelled accounts: the classifier only judges accounts like those it learnt from."""

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Calibrated probability at the share of workshops among the labels (see :func:`prior_shift`)."""
        x = numeric_matrix(df)[self.columns]
        return self.model.predict_proba(x)[:, 1]  # type: ignore[attr-defined]

    @property
    def label_prior(self) -> float:
        return self.n_positive / self.n_labels

    def applies(self, df: pd.DataFrame) -> np.ndarray:
        """Accounts whose tariff occurs among the labels (others keep the unsupervised score)."""
        return df["tariff"].isin(self.tariffs).to_numpy()


def train_supervised(df: pd.DataFrame, labels: pd.DataFrame, s: Scoring, seed: int = 0) -> Supervised | None:
    """Train when there are enough labels (``labels``: account_no, is_workshop); else None."""
    if labels.empty:
        return None
    lab = labels.drop_duplicates("account_no", keep="last").set_index("account_no")["is_workshop"]
    joined = df.set_index("account_no").join(lab, how="inner")
    y = joined["is_workshop"].astype(bool).to_numpy()
    npos = int(y.sum())
    if len(y) < s.min_labels or npos < s.min_positive or len(y) - npos < s.min_positive:
        return None
    import lightgbm as lgb
    from sklearn.calibration import CalibratedClassifierCV

    x = numeric_matrix(joined.drop(columns=["is_workshop"]).reset_index())
    base = lgb.LGBMClassifier(
        n_estimators=200, learning_rate=0.05, num_leaves=15, min_child_samples=10, subsample=0.8,
        subsample_freq=1, colsample_bytree=0.8, random_state=seed, verbose=-1, n_jobs=2,
    )
    model = CalibratedClassifierCV(base, method="isotonic", cv=3)
    model.fit(x, y)
    tariffs = frozenset(str(t) for t in joined["tariff"].dropna().unique())
    return Supervised(model=model, columns=list(x.columns), n_labels=len(y), n_positive=npos, tariffs=tariffs)


def prior_shift(p: np.ndarray, train_prior: float, *, iters: int = 100, tol: float = 1e-6) -> tuple[np.ndarray, float]:
    """Probabilities re-weighted from the labels' share of workshops to the population's (estimated).

    Verified accounts are suspects picked by earlier campaigns, so about half are workshops, while among all
    accounts a few per thousand are.  A classifier calibrated on the labels therefore over-states every
    probability.  The EM of Saerens, Latinne & Decaestecker (2002, "Adjusting the outputs of a classifier
    to new a priori probabilities") estimates the population share from the scored accounts themselves
    and re-weights each probability by Bayes' rule; no label of the scored population is needed.
    Returns the adjusted probabilities and the estimated share.
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    pi = float(np.clip(train_prior, 1e-6, 1 - 1e-6))
    q = pi
    adj = p
    for _ in range(iters):
        a, b = q / pi * p, (1 - q) / (1 - pi) * (1 - p)
        adj = a / (a + b)
        q_new = float(adj.mean())
        if abs(q_new - q) < tol:
            q = q_new
            break
        q = q_new
    return adj, q


def model_hits(df: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """Boolean column per enabled model (registry order)."""
    out = {}
    for name in MODELS:
        rule = rules.models.get(name)
        out[name] = rule.mask(df) if rule is not None and rule.enabled else np.zeros(len(df), dtype=bool)
    return pd.DataFrame(out, index=df.index)


def combine(base: np.ndarray, hits: pd.DataFrame, rules: RuleSet) -> np.ndarray:
    """Raise the base score by each alarm's weight; stays in [0, 1], monotone in base and in alarms."""
    keep = np.ones(len(base))
    for name in hits.columns:
        rule = rules.models.get(name)
        if rule is not None:
            keep = keep * np.where(hits[name].to_numpy(), 1.0 - rule.weight, 1.0)
    return np.clip(1.0 - (1.0 - np.clip(base, 0.0, 1.0)) * keep, 0.0, 1.0)


def thresholds(
    base: np.ndarray, residential: np.ndarray, rules: RuleSet, alarmed: np.ndarray | None = None
) -> tuple[float, float]:
    """Yellow and red score thresholds of a run: the rule file's, raised to the residential flag budget.

    ``base`` is the score before alarms (the score alone).  When more than ``residential_flag_budget`` of the
    residential accounts reach ``yellow_score``, both thresholds rise to the score quantile at 1 − budget
    among them, so that the list stays within inspection capacity whatever the data (daily or interval,
    with or without labels) does to the score's scale.  With ``budget_counts_alarms`` the residential
    accounts an alarm flags anyway (``alarmed``) fill the budget first and the score may flag only the rest
    of it among the other residential accounts, so that the whole list stays within it.
    """
    c = rules.codes
    yellow, red = c.yellow_score, c.red_score
    res = base[residential]
    if c.residential_flag_budget is None or len(res) < c.budget_min_accounts:
        return yellow, red
    if c.budget_counts_alarms and alarmed is not None:
        taken = np.asarray(alarmed, dtype=bool)[residential]
        free = np.sort(res[~taken])[::-1]
        room = int(np.floor(c.residential_flag_budget * len(res))) - int(taken.sum())
        if room >= len(free):
            return yellow, red
        # the score flags at most `room` of the others: a score equal to the next one is not flagged
        q = float(free[max(room, 0)])
        if q >= yellow:
            yellow = float(np.nextafter(q, 1.0))
        return yellow, max(red, yellow)
    q = float(np.quantile(res, 1.0 - c.residential_flag_budget, method="higher"))
    if q > yellow:
        # a score equal to the quantile is not flagged: ties at the top must not overrun the budget
        yellow = float(np.nextafter(q, 1.0))
    return yellow, max(red, yellow)


def assign_codes(
    score: np.ndarray, hits: pd.DataFrame, rules: RuleSet, cut: tuple[float, float] | None = None
) -> np.ndarray:
    """green / yellow / red from the score thresholds (``cut``: yellow, red; default the rule file's) and
    the least code each alarm implies."""
    yellow, red = cut if cut is not None else (rules.codes.yellow_score, rules.codes.red_score)
    level = np.where(score >= red, 2, np.where(score >= yellow, 1, 0))
    for name in hits.columns:
        rule = rules.models.get(name)
        if rule is not None:
            least = 2 if rule.severity == "red" else 1
            level = np.where(hits[name].to_numpy(), np.maximum(level, least), level)
    return np.asarray(CODES, dtype=object)[level]

"""Properties of scores and codes (hypothesis), and the unsupervised/supervised parts on known cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.screening.feature_catalog import FEATURES
from gridwatch.screening.models import MODELS
from gridwatch.screening.rules import load_rules
from gridwatch.screening.scoring import (
    CODES,
    assign_codes,
    combine,
    model_hits,
    prior_shift,
    thresholds,
    train_supervised,
    unsupervised_score,
)

RULES = load_rules()
NAMES = list(MODELS)

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
hit_rows = st.lists(st.booleans(), min_size=len(NAMES), max_size=len(NAMES))


def _hits(rows: list[list[bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=NAMES)


@settings(deadline=None)  # pure arithmetic; a loaded machine must not fail it on time
@given(st.lists(st.tuples(unit, hit_rows), min_size=1, max_size=30))
def test_score_in_unit_interval_and_never_below_base(cases) -> None:  # type: ignore[no-untyped-def]
    base = np.array([c[0] for c in cases])
    hits = _hits([c[1] for c in cases])
    score = combine(base, hits, RULES)
    assert ((score >= 0) & (score <= 1)).all()
    assert (score >= base - 1e-12).all()


@given(unit, hit_rows, st.integers(min_value=0, max_value=len(NAMES) - 1))
def test_adding_an_alarm_never_lowers_score_or_code(base: float, row: list[bool], k: int) -> None:
    before = _hits([row])
    after_row = list(row)
    after_row[k] = True
    after = _hits([after_row])
    s0 = combine(np.array([base]), before, RULES)
    s1 = combine(np.array([base]), after, RULES)
    assert s1[0] >= s0[0] - 1e-12
    c0 = CODES.index(assign_codes(s0, before, RULES)[0])
    c1 = CODES.index(assign_codes(s1, after, RULES)[0])
    assert c1 >= c0


@given(unit, unit)
def test_code_is_monotone_in_score(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    none = _hits([[False] * len(NAMES)] * 2)
    codes = assign_codes(np.array([lo, hi]), none, RULES)
    assert CODES.index(codes[0]) <= CODES.index(codes[1])


def _feature_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    cols = {name: rng.normal(0, 1, n) for name in FEATURES if name.startswith("z_")}
    df = pd.DataFrame(cols)
    df["account_no"] = [f"A{i}" for i in range(n)]
    df["tariff"] = "residential"
    df["mean_kwh"] = 8.0
    return df


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=8))
def test_unsupervised_score_rises_with_suspicious_evidence(seed: int, bump: float) -> None:
    rng = np.random.default_rng(seed)
    df = _feature_frame(60, rng)
    s0, _ = unsupervised_score(df, RULES.scoring)
    df2 = df.copy()
    df2["z_night_share"] = df2["z_night_share"] + bump
    df2["z_log_mean_kwh"] = df2["z_log_mean_kwh"] + bump
    s1, _ = unsupervised_score(df2, RULES.scoring.model_copy(update={"iforest_weight": 0.0}))
    s0b, _ = unsupervised_score(df, RULES.scoring.model_copy(update={"iforest_weight": 0.0}))
    assert ((s0 >= 0) & (s0 <= 1)).all()
    assert (s1 >= s0b - 1e-12).all()


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0, max_value=40), st.floats(min_value=0, max_value=40),
    st.floats(min_value=-1, max_value=1), st.floats(min_value=-1, max_value=1),
)
def test_explained_load_and_household_shape_never_raise_the_score(
    seed: int, ev_a: float, ev_b: float, corr_a: float, corr_b: float
) -> None:
    rng = np.random.default_rng(seed)
    df = _feature_frame(60, rng)
    df["recent_kwh"] = 20.0
    scoring = RULES.scoring.model_copy(update={"iforest_weight": 0.0, "ev_discount": 1.0, "shape_discount": 0.5})
    lo_ev, hi_ev = sorted((ev_a, ev_b))
    lo_c, hi_c = sorted((corr_a, corr_b))
    base = df.assign(ev_kwh_day=lo_ev, res_shape_corr=lo_c)
    s0, _ = unsupervised_score(base, scoring)
    s1, _ = unsupervised_score(base.assign(ev_kwh_day=hi_ev), scoring)
    s2, _ = unsupervised_score(base.assign(res_shape_corr=hi_c), scoring)
    assert (s1 <= s0 + 1e-12).all() and (s2 <= s0 + 1e-12).all()
    # all of the recent use drawn by a charger: no evidence left
    s3, _ = unsupervised_score(base.assign(ev_kwh_day=25.0), scoring)
    assert (s3 == 0).all()
    # no interval data (NULL signatures): no discount
    s4, _ = unsupervised_score(df.assign(ev_kwh_day=np.nan, res_shape_corr=np.nan), scoring)
    s5, _ = unsupervised_score(df, scoring.model_copy(update={"ev_discount": 0.0, "shape_discount": 0.0}))
    np.testing.assert_allclose(s4, s5)


def test_vacant_accounts_are_not_scored() -> None:
    df = _feature_frame(60, np.random.default_rng(1))
    df.loc[0, "z_log_mean_kwh"] = 9.0
    df.loc[0, "mean_kwh"] = 0.5
    s, _ = unsupervised_score(df, RULES.scoring)
    assert s[0] == 0.0


def test_supervised_needs_labels_and_learns_them(features) -> None:  # type: ignore[no-untyped-def]
    feats = features.reset_index()
    assert train_supervised(feats, pd.DataFrame({"account_no": [], "is_workshop": []}), RULES.scoring) is None
    rng = np.random.default_rng(3)
    big = pd.concat([feats] * 6, ignore_index=True)
    big["account_no"] = [f"X{i}" for i in range(len(big))]
    suspicious = big["level_vs_peer"].fillna(0) > 3
    big["night_share"] = big["night_share"].fillna(0.2) + rng.normal(0, 0.01, len(big))
    labels = pd.DataFrame({"account_no": big["account_no"], "is_workshop": suspicious})
    scoring = RULES.scoring.model_copy(update={"min_positive": 5, "min_labels": 50})
    sup = train_supervised(big, labels, scoring)
    assert sup is not None and sup.n_positive == int(suspicious.sum())
    p = sup.predict(big)
    assert ((p >= 0) & (p <= 1)).all()
    assert p[suspicious.to_numpy()].mean() > p[~suspicious.to_numpy()].mean() + 0.5


def test_model_hits_on_the_small_city(features) -> None:  # type: ignore[no-untyped-def]
    hits = model_hits(features.reset_index(), RULES).set_axis(features.index)
    assert hits.loc["W001", "industrial_shape"]
    assert hits.loc["N001", "night_production"]
    assert hits.loc["C001", "closed_still_consuming"]
    assert hits.loc["D001", "closed_still_consuming"]
    assert hits.loc["R001", "resurgence"]
    assert hits.loc["S001", "sudden_surge"]
    assert hits.loc["I001", "unpermitted_industrial_load"]
    assert not hits.loc["I002"].any() and not hits.loc["I003", "unpermitted_industrial_load"]
    assert not hits.loc["I004", "unpermitted_industrial_load"]  # permit through the entity link
    assert hits.loc["L001", "closed_still_consuming"]  # deregistered under another name, linked
    assert not hits.loc["E001"].any()  # EV charging
    households = hits[hits.index.str.startswith("H")]
    assert not households.to_numpy().any()


def test_supervised_part_judges_only_the_tariffs_it_learnt(features) -> None:  # type: ignore[no-untyped-def]
    from gridwatch.screening.run import score_features

    feats = features.reset_index()
    rng = np.random.default_rng(5)
    big = pd.concat([feats] * 6, ignore_index=True)
    big["account_no"] = [f"X{i}" for i in range(len(big))]
    big["night_share"] = big["night_share"].fillna(0.2) + rng.normal(0, 0.01, len(big))
    res = big[big["tariff"] == "residential"]
    labels = pd.DataFrame({"account_no": res["account_no"], "is_workshop": res["level_vs_peer"].fillna(0) > 3})
    rules = RULES.model_copy(update={"scoring": RULES.scoring.model_copy(update={"min_positive": 5,
                                                                                 "min_labels": 50})})
    out, facts = score_features(big, rules, labels)
    assert facts["supervised"]["tariffs"] == ["residential"]
    other = (big["tariff"] != "residential").to_numpy()
    hits = model_hits(big, rules)
    expect = combine(out["unsupervised"].to_numpy(), hits, rules)
    np.testing.assert_allclose(out["score"].to_numpy()[other], expect[other], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.005, max_value=0.2),
       st.floats(min_value=0.0, max_value=1.0))
def test_budget_caps_the_share_flagged_by_score_alone(seed: int, budget: float, spread: float) -> None:
    rng = np.random.default_rng(seed)
    n = 1000
    base = np.clip(rng.beta(2, 2, n) * spread + (1 - spread) * 0.9, 0, 1)  # often most accounts above yellow
    base[:50] = 0.8  # ties at the top must not overrun the budget
    residential = rng.random(n) < 0.8
    rules = RULES.model_copy(update={"codes": RULES.codes.model_copy(update={"residential_flag_budget": budget})})
    yellow, red = thresholds(base, residential, rules)
    assert yellow >= rules.codes.yellow_score and red >= rules.codes.red_score and red >= yellow
    none = _hits([[False] * len(NAMES)] * n)
    codes = assign_codes(base, none, rules, (yellow, red))
    flagged = codes[residential] != "green"
    assert flagged.mean() <= budget + 1e-12
    # below the budget the rule file's thresholds stand
    low = np.full(n, 0.1)
    assert thresholds(low, residential, rules) == (rules.codes.yellow_score, rules.codes.red_score)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.005, max_value=0.2),
       st.floats(min_value=0.0, max_value=0.3))
def test_budget_counting_alarms_caps_everything_flagged(seed: int, budget: float, alarm_rate: float) -> None:
    rng = np.random.default_rng(seed)
    n = 1000
    base = np.clip(rng.beta(2, 2, n) * 0.5 + 0.5, 0, 1)
    base[:50] = 0.8  # ties
    residential = rng.random(n) < 0.8
    alarm = rng.random(n) < alarm_rate
    rules = RULES.model_copy(update={"codes": RULES.codes.model_copy(
        update={"residential_flag_budget": budget, "budget_counts_alarms": True})})
    hits = _hits([[bool(a)] + [False] * (len(NAMES) - 1) for a in alarm])
    cut = thresholds(base, residential, rules, alarm)
    flagged = assign_codes(base, hits, rules, cut)[residential] != "green"
    n_res, n_alarm = int(residential.sum()), int(alarm[residential].sum())
    # the whole list stays within the budget, unless the alarms alone exceed it (then the score adds none)
    assert flagged.sum() <= max(np.floor(budget * n_res), n_alarm)


def test_budget_counting_alarms_leaves_the_score_the_rest() -> None:
    n = 1000
    base = np.linspace(0.99, 0.0, n)  # distinct scores, the first 500 above yellow
    alarm = np.zeros(n, dtype=bool)
    alarm[[3, 600, 700, 800, 900]] = True  # one alarmed account the score flags anyway, four it does not
    rules = RULES.model_copy(update={"codes": RULES.codes.model_copy(
        update={"residential_flag_budget": 0.02, "budget_counts_alarms": True})})
    yellow, _ = thresholds(base, np.ones(n, dtype=bool), rules, alarm)
    assert ((base >= yellow) & ~alarm).sum() == 20 - 5
    assert ((base >= yellow) | alarm).sum() == 20
    # counted apart (11c), the score alone flags the whole budget and alarms come on top
    apart = rules.model_copy(update={"codes": rules.codes.model_copy(update={"budget_counts_alarms": False})})
    assert 19 <= (base >= thresholds(base, np.ones(n, dtype=bool), apart, alarm)[0]).sum() <= 20


def test_budget_needs_enough_residential_accounts() -> None:
    rules = RULES.model_copy(update={"codes": RULES.codes.model_copy(update={"residential_flag_budget": 0.01})})
    base = np.full(50, 0.95)
    assert thresholds(base, np.ones(50, dtype=bool), rules) == (rules.codes.yellow_score, rules.codes.red_score)


def test_prior_shift_recovers_the_population_share() -> None:
    # a calibrated classifier trained where half the cases are positive, applied where 2% are
    rng = np.random.default_rng(7)
    n = 20_000
    y = rng.random(n) < 0.02
    x = np.where(y, rng.normal(1.0, 1.0, n), rng.normal(-1.0, 1.0, n))
    p_train = 1 / (1 + np.exp(-2.0 * x))  # exact posterior at a 50% prior: log-likelihood ratio 2x
    adj, q = prior_shift(p_train, 0.5)
    assert abs(q - 0.02) < 0.01
    assert adj.mean() < p_train.mean() / 5
    assert np.all(np.diff(adj[np.argsort(p_train)]) >= -1e-12)  # the ranking is kept
    # applied where the share equals the labels' one, nothing moves
    y2 = rng.random(n) < 0.5
    x2 = np.where(y2, rng.normal(1.0, 1.0, n), rng.normal(-1.0, 1.0, n))
    p2 = 1 / (1 + np.exp(-2.0 * x2))
    same, q2 = prior_shift(p2, 0.5)
    assert abs(q2 - 0.5) < 0.03 and np.abs(same - p2).max() < 0.05


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.1, max_value=20))
def test_rank_evidence_depends_on_ranks_only(seed: int, stretch: float) -> None:
    rng = np.random.default_rng(seed)
    df = _feature_frame(300, rng)
    df["tariff"] = np.where(rng.random(300) < 0.7, "residential", "commercial")
    scoring = RULES.scoring.model_copy(update={"evidence": "rank", "level_gate_z": None, "iforest_weight": 0.0})
    a, _ = unsupervised_score(df, scoring)
    z = [c for c in df.columns if c.startswith("z_")]
    stretched = df.copy()
    stretched[z] = np.sign(df[z]) * np.abs(df[z]) ** 1.5 * stretch  # a monotone transform of every z-score
    b, _ = unsupervised_score(stretched, scoring)
    np.testing.assert_allclose(a, b, atol=1e-12)
    # the most suspicious account on a feature gets the most points from it
    f = "z_sf_low_week_ratio_ex_ev"
    contrib = unsupervised_score(df, scoring)[1][f]
    res = (df["tariff"] == "residential").to_numpy()
    assert contrib[res].idxmax() == df.loc[res, f].idxmin()

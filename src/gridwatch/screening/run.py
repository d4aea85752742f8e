"""One screening run: features on an engine → alarms → scores → codes → reasons → results in the workspace.

Results (read by the work-order web app)::

    results/screening/<run_id>/results.parquet   account_no, score, code, model_hits, reasons_zh,
                                                 reasons_en, evidence, run_id, as_of
    results/screening/<run_id>/run.json          as_of, engine, ruleset version, model version, counts
    results/screening/<run_id>/features.parquet  the feature table scored (``screening.keep_features``)
    results/screening/<run_id>/labels.parquet    the field labels the supervised model learnt from, if any
    results/screening/LATEST                     the id of the latest run

A run can re-score the feature table of an earlier run (``features_from``): new health-code conditions or
new labels are applied in seconds, without reading the readings again; the as-of date is the earlier run's.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from gridwatch.address.links import load_links
from gridwatch.engine import get_engine
from gridwatch.lake.layout import has_data, read_sql
from gridwatch.screening.feature_table import feature_table
from gridwatch.screening.reasons import explain_all
from gridwatch.screening.rules import RuleSet, load_rules
from gridwatch.screening.scoring import (
    assign_codes,
    combine,
    model_hits,
    prior_shift,
    thresholds,
    train_supervised,
    unsupervised_score,
)
from gridwatch.screening.window import Window

if TYPE_CHECKING:
    from gridwatch.workspace import Workspace

MODEL_VERSION = "screening-2"
"""Version of the feature and scoring code (recorded with every run; `screen --features-from` re-uses only a
table of the same version). 2: festival ratios besides EV charging (`sf_ratio_ex_ev`, `sf_low_week_ratio_ex_ev`)."""

RESULT_COLUMNS = (
    "account_no", "score", "code", "model_hits", "reasons_zh", "reasons_en", "evidence", "run_id", "as_of",
)


@dataclass
class ScreenOutcome:
    results: pd.DataFrame
    features: pd.DataFrame
    run: dict = field(default_factory=dict)
    run_dir: Path | None = None


def latest_reading_date(ws: Workspace) -> date:
    import duckdb

    if not has_data(ws.lake_dir, "readings_daily"):
        raise ValueError(f"{ws.lake_dir}: no daily readings in the lake; run `gridwatch ingest` first")
    d = duckdb.sql(f"SELECT max(date) FROM ({read_sql(ws.lake_dir, 'readings_daily')})").fetchall()[0][0]
    return d


def load_labels(ws: Workspace) -> pd.DataFrame:
    import duckdb

    if not has_data(ws.lake_dir, "labels"):
        return pd.DataFrame({"account_no": [], "is_workshop": []})
    q = f"SELECT account_no, is_workshop FROM ({read_sql(ws.lake_dir, 'labels')}) ORDER BY verified_on"
    return duckdb.sql(q).df()


def score_features(
    feats: pd.DataFrame, rules: RuleSet, labels: pd.DataFrame | None = None, *, seed: int = 0
) -> tuple[pd.DataFrame, dict]:
    """Score a feature table; returns the results (without run columns) and facts for run.json."""
    unsup, contrib = unsupervised_score(feats, rules.scoring, seed)
    sup = train_supervised(feats, labels, rules.scoring, seed) if labels is not None else None
    base = unsup
    prior = None
    if sup is not None:
        w = rules.scoring.supervised_weight
        # labels of residential suspects say nothing about factories: other tariffs keep the label-free score
        applies = sup.applies(feats)
        prob = np.zeros(len(feats))
        if applies.any():
            # the labels hold about half workshops, the population a few per thousand: re-weight (Saerens EM)
            prob[applies], prior = prior_shift(sup.predict(feats[applies]), sup.label_prior)
        base = np.where(applies, (1 - w) * unsup + w * prob, unsup)
    hits = model_hits(feats, rules)
    score = combine(base, hits, rules)
    cut = thresholds(base, (feats["tariff"] == "residential").to_numpy(), rules, hits.any(axis=1).to_numpy())
    code = assign_codes(score, hits, rules, cut)
    names = np.asarray(hits.columns, dtype=object)
    hit_arr = hits.to_numpy()
    model_hit_text = np.full(len(hit_arr), "", dtype=object)
    for i in np.flatnonzero(hit_arr.any(axis=1)):  # joined only where a model raised an alarm
        model_hit_text[i] = ",".join(names[hit_arr[i]])
    reasons = explain_all(feats, hits, contrib, code != "green")
    out = pd.DataFrame({
        "account_no": feats["account_no"].to_numpy(),
        "score": np.round(score, 6),
        "unsupervised": np.round(unsup, 6),
        "code": code,
        "model_hits": model_hit_text,
    })
    out = pd.concat([out, reasons.reset_index(drop=True)], axis=1)
    facts = {
        "supervised": None if sup is None else {
            "n_labels": sup.n_labels, "n_positive": sup.n_positive, "tariffs": sorted(sup.tariffs),
            "label_prior": round(sup.label_prior, 4), "estimated_prior": None if prior is None else round(prior, 5),
        },
        "thresholds": {"yellow": round(cut[0], 6), "red": round(cut[1], 6)},
        "model_hit_counts": {k: int(v) for k, v in hits.sum().items()},
    }
    return out, facts


def _active_rules(ws: Workspace) -> Path | None:
    """The rule file activated for the workspace (health-code conditions set in the web app), if any."""
    path = ws.active_rules_path
    return path if path.exists() else None


def screen(
    ws: Workspace,
    *,
    as_of: date | None = None,
    engine_name: str | None = None,
    rules_path: str | Path | None = None,
    use_labels: bool = True,
    keep: bool = True,
    features_from: str | None = None,
) -> ScreenOutcome:
    """Screen every customer; ``features_from`` re-scores the kept feature table of that earlier run."""
    s = ws.settings.screening
    rules = load_rules(rules_path if rules_path is not None else (s.rules_file or _active_rules(ws)))
    t0, c0 = time.perf_counter(), time.process_time()
    links = None
    earlier: dict = {}
    if features_from is not None:
        feats, earlier = read_kept_features(ws, features_from)
        if as_of is not None and as_of.isoformat() != earlier["as_of"]:
            raise ValueError(
                f"--as-of {as_of} differs from run {features_from}'s as-of {earlier['as_of']}: its features "
                "describe that window; screen without --features-from to compute the new one"
            )
        as_of, engine_name = date.fromisoformat(earlier["as_of"]), earlier["engine"]
    else:
        engine_name = engine_name or ws.settings.engine.name
        as_of = as_of or latest_reading_date(ws)
        window = Window.of(as_of, s)
        links = load_links(ws)
        engine = get_engine(engine_name, ws)
        try:
            feats = feature_table(engine, ws.lake_dir, window, s, links).to_pandas()
        finally:
            engine.close()
    t_feat, c_feat = time.perf_counter() - t0, time.process_time() - c0
    labels = load_labels(ws) if use_labels else None
    results, facts = score_features(feats, rules, labels)
    training_labels = None
    if facts["supervised"] is not None and labels is not None:  # kept so evaluation can hold them out
        training_labels = (
            labels.drop_duplicates("account_no", keep="last")
            .loc[lambda d: d["account_no"].isin(feats["account_no"])][["account_no", "is_workshop"]]
            .reset_index(drop=True)
        )
    run_id = new_run_id(ws)
    results["run_id"] = run_id
    results["as_of"] = as_of
    codes = results["code"].value_counts()
    run = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "engine": engine_name,
        "ruleset_version": rules.version,
        "jurisdiction": rules.jurisdiction.code,
        "model_version": MODEL_VERSION,
        "customers": len(results),
        # permits/registry: exact joins, plus the address module's entity links when they exist
        "entity_links": links.num_rows if links is not None else earlier.get("entity_links"),
        "counts": {c: int(codes.get(c, 0)) for c in ("green", "yellow", "red")},
        "seconds_features": round(t_feat, 2),
        "seconds_total": round(time.perf_counter() - t0, 2),
        # CPU time of the process, all threads (the engine's included): the cost on a shared machine
        "cpu_seconds_features": round(c_feat, 2),
        "cpu_seconds_total": round(time.process_time() - c0, 2),
        "features_from": features_from,
        **facts,
    }
    outcome = ScreenOutcome(results=results, features=feats, run=run)
    if keep:
        outcome.run_dir = write_run(
            ws, results, run,
            # a re-scoring run points at the table it re-used instead of writing a copy
            features=feats if s.keep_features and features_from is None else None,
            training_labels=training_labels,
        )
    return outcome


def new_run_id(ws: Workspace) -> str:
    """A run id (UTC time, process id) whose folder this call created: two runs started in the same second
    by one process (a re-scoring right after its run) get ``-2``, ``-3``… instead of sharing a folder."""
    base = ws.results_dir / "screening"
    base.mkdir(parents=True, exist_ok=True)
    stem = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid() % 10000:04d}"
    for n in range(1, 10_000):
        run_id = stem if n == 1 else f"{stem}-{n}"
        try:
            (base / run_id).mkdir()
        except FileExistsError:
            continue
        return run_id
    raise RuntimeError(f"{base}: no free run id for {stem}")


FEATURES_FILE = "features.parquet"
TRAINING_LABELS_FILE = "labels.parquet"


def write_run(
    ws: Workspace,
    results: pd.DataFrame,
    run: dict,
    *,
    features: pd.DataFrame | None = None,
    training_labels: pd.DataFrame | None = None,
) -> Path:
    """Write a run's files; ``LATEST`` moves last, so a reader never sees a run half written."""
    base = ws.results_dir / "screening"
    run_dir = base / run["run_id"]
    run_dir.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(results[list(RESULT_COLUMNS)], preserve_index=False)
    _atomic(run_dir / "results.parquet", lambda p: pq.write_table(table, p))
    if features is not None:
        ft = pa.Table.from_pandas(features, preserve_index=False)
        _atomic(run_dir / FEATURES_FILE, lambda p: pq.write_table(ft, p, compression="zstd"))
    if training_labels is not None:
        lt = pa.Table.from_pandas(training_labels, preserve_index=False)
        _atomic(run_dir / TRAINING_LABELS_FILE, lambda p: pq.write_table(lt, p))
    _atomic(run_dir / "run.json", lambda p: p.write_text(json.dumps(run, ensure_ascii=False, indent=2)))
    _atomic(base / "LATEST", lambda p: p.write_text(run["run_id"] + "\n"))
    return run_dir


def read_kept_features(ws: Workspace, run_id: str) -> tuple[pd.DataFrame, dict]:
    """The feature table kept by an earlier run, and that run's run.json."""
    d = ws.results_dir / "screening" / run_id
    if not (d / "run.json").exists():
        raise ValueError(f"{d}: no such screening run")
    run = json.loads((d / "run.json").read_text())
    if not (d / FEATURES_FILE).exists() and run.get("features_from"):
        feats, _ = read_kept_features(ws, run["features_from"])  # a re-scoring run: its source's table
        return feats, run
    if not (d / FEATURES_FILE).exists():
        raise ValueError(
            f"{d / FEATURES_FILE}: run {run_id} kept no feature table (screening.keep_features was off); "
            "screen without --features-from"
        )
    if run.get("model_version") != MODEL_VERSION:
        raise ValueError(
            f"run {run_id} computed its features with model {run.get('model_version')}, this is {MODEL_VERSION}: "
            "screen without --features-from"
        )
    return pd.read_parquet(d / FEATURES_FILE), run


def _atomic(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_csv(results: pd.DataFrame, path: Path) -> None:
    """The stable CSV contract: account_no, score, code, model_hits, reasons, reasons_en, evidence."""
    out = results.rename(columns={"reasons_zh": "reasons"})[
        ["account_no", "score", "code", "model_hits", "reasons", "reasons_en", "evidence"]
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8")

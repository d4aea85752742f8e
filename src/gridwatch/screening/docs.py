"""Render docs/SCREENING.md from the registries (features, models, rule-file schema) plus the prose here.

``python -m gridwatch.screening.docs > docs/SCREENING.md``; tests fail when a model, feature or rule-file
key is missing from the file.
"""

from __future__ import annotations

from pydantic import BaseModel

from gridwatch.screening.feature_catalog import FEATURES
from gridwatch.screening.models import MODELS
from gridwatch.screening.rules import Codes, Condition, Jurisdiction, ModelRule, RuleSet, Scoring, load_rules

INTRO = """# Screening (屏查): features, models, health codes

`gridwatch screen` gives every power customer a score in [0, 1] (higher = more suspicious), a health code
(健康码) green / yellow / red, the named models that raised an alarm, and the top reasons in Chinese and
English with their evidence numbers ("夜间用电占比71%，同类用户18%" / "night use 71% of daily, peers 18%").

```
gridwatch --home H screen [--as-of 2025-12-31] [--engine duckdb|spark] [--rules district.yaml] --out codes.csv
gridwatch --home H evaluate --truth SIM/truth [--out report/]
```

Which conditions a run uses: `--rules FILE`, else `screening.rules_file`, else the conditions the city
activated for the workspace (`results/rules/active.yaml`, written by the web page 判定条件 `/rules` or by
`gridwatch rules import FILE --activate`; versions, authors and diffs are kept in the store), else the
built-in default. The run records the rule-set version it used.

CSV contract (stable): `account_no, score, code, model_hits, reasons, reasons_en, evidence` — `model_hits`
comma-separated model names, `reasons` Chinese reasons joined by "；", `evidence` JSON text. Each run is
also kept in the workspace for the web app: `results/screening/<run_id>/results.parquet` (columns
`account_no, score, code, model_hits, reasons_zh, reasons_en, evidence, run_id, as_of`), `run.json`
(as-of, engine, rule-set version, model version, counts, alarm counts, supervised or not) and
`results/screening/LATEST` (the latest run id).

Measured quality on simulated cities: `docs/EVALUATION-screening.md`; speed: `docs/BENCHMARKS-screening.md`.

## How it works

1. **Features** (`feature_sql.py`): one DuckDB-dialect SQL text per pass, run by either engine
   (`gridwatch.engine`; Spark gets it transpiled by sqlglot, with the few dialect differences in
   `engine/dialects.py`). Pass 1 is per customer over the lake; DuckDB runs it per bucket of customers
   (`screening.bucket_rows` readings each) because its exact median/quantile cannot spill. A bucket is a
   range of the account key cut at the customers' quantiles; the lake keeps its parts sorted by it in
   small row groups, so each bucket reads only its own row groups (Parquet min/max pruning). The readings
   are grouped and joined by `account_key`, the BIGINT key of `account_no` the lake stores at ingest
   (`lake/account_key.py`), and the per-account results joined back to `account_no` through the customers
   (`features.key_column`; a lake without the key, or where two customers share one, groups by
   `account_no`, the same SQL with the other column); buckets are then ranges of `account_key`, by which
   the lake sorts those parts. Pass 1 reads only `account_key, date, kwh` of the daily readings, twice: one group-by computes every moment, conditional
   mean and the exact median/p95 (calendar and weather reduced beforehand to one flag row per day), a
   second counts days against each account's own thresholds (off, on, flat); no window function or sort
   runs over daily rows. Pass 2 compares every customer
   with its peers: same tariff in the same transformer district (台区), or the same tariff city-wide when
   the district has fewer than `screening.min_peers` customers. Readings never leave the engine; only the
   per-customer table (one row per customer) comes back. Two small passes go with them (`extra_sql.py`,
   `feature_table.py`): **curve signatures** from interval data — EV-charging-like runs (a flat block of
   ≥ 3 kW above the day's median, 1–6 h, starting 18–3 h; `ev_kwh_day`, and the level without it,
   `level_ex_ev_vs_peer`) and the similarity of the daily profile to the residential one
   (`res_shape_corr`). The curve pass runs before pass 2: a car charged at home leaves with a family
   that travels over Spring Festival, so its charging is taken out of the festival ratios before they
   meet their peers (`sf_ratio_ex_ev`, `sf_low_week_ratio_ex_ev`; the raw ratios stay in the table).
   Then **entity links**: `has_permit`, `is_registered_business` and
   `is_deregistered_business` are the exact joins (permit account number, permit holder or registry name
   = customer name) OR the links of the address module (`results/address/links.parquet`, written by
   `gridwatch address link`, read with `gridwatch.address.links.load_links`). Without links.parquet the
   exact joins decide alone; `run.json` records how many links were used (`entity_links`).
2. **Models** (`models.py` + the rule file): named alarms whose conditions are data.
3. **Unsupervised score**: signed, weighted peer z-scores turned into anomaly points. With `evidence: rank`
   (the default) each z-score counts by the surprise of its rank within the tariff, −ln(p) with p the share
   of the tariff's accounts at least as suspicious, less `rank_floor`; so a long-tailed or two-humped
   feature (Spring Festival stop, on/off days) weighs like any other, and several weak signs add up
   (a small workshop at household level shows many). With `evidence: z` the clipped z-score counts
   itself. Shape evidence may be gated by the level (a sigmoid on `z_log_mean_kwh` around `level_gate_z`;
   `null`: no gate). Blended with an IsolationForest score; `1 − exp(−points / anomaly_scale)`; accounts
   under `min_mean_kwh` score 0. The points are scaled down by the share of recent use drawn by
   EV-charging-like runs (`ev_discount`) and by a household-like daily profile (`shape_discount`).
4. **Supervised score** (when `labels` holds enough field verification outcomes): LightGBM on all
   numeric features, probabilities calibrated by isotonic regression (3-fold `CalibratedClassifierCV`),
   then moved from the labels' share of workshops (about half: verified accounts were suspects) to the
   share among the scored accounts, estimated by the EM of Saerens, Latinne & Decaestecker (2002);
   `base = (1 − supervised_weight) × unsupervised + supervised_weight × probability` for accounts of the
   tariffs the labels cover (labels of residential suspects say nothing about factories; other accounts
   keep the unsupervised score). `run.json` records both shares.
5. **Combination**: `score = 1 − (1 − base) × Π(1 − weight_m)` over the models that raised an alarm.
   Code: red when `score ≥ red_score`, yellow when `score ≥ yellow_score`, and at least the `severity`
   of every alarm. With `residential_flag_budget`, when the score before alarms would flag more than that
   share of residential accounts, both thresholds rise to the score quantile at 1 − budget among them
   (inspection capacity; the same list size with daily or interval data, with or without labels); the
   thresholds used are in `run.json`. With `budget_counts_alarms` (default rule set since 11d) the
   residential accounts an alarm flags fill the budget first and the score may flag only the rest of it,
   so the whole list of residential accounts stays within the budget (unless the alarms alone exceed it);
   an alarm on one account can then leave another, lower-scored one out of the list.
   Adding an alarm never lowers a score or a code (property-tested).
6. **Reasons**: alarms first (their templates with evidence), then the largest anomaly points, three at
   most; evidence JSON holds each alarm's evidence features and the z-scores behind the other reasons.

Missing data: a missing day is not a zero. `coverage` and `zero_share` carry gaps and zero days; every
ratio whose denominator is missing or zero is NULL; a NULL feature never satisfies a rule condition.
Daily data alone is enough: interval features are NULL without interval data (`interval_days = 0`) and
the models and scores that need them simply do not fire.
"""

RULES_DOC = """## The rule file (判定条件)

A jurisdiction's judgment conditions: YAML or JSON, strict (unknown keys, unknown features, unknown
models, out-of-range values and ill-typed values are rejected with the file name and the path of each
error, e.g. `district.yaml: invalid rule file (1 error(s))  models.resurgence.all_of.3.feature: Value
error, unknown feature 'nite_share'`). No code is evaluated. Pass it with `--rules FILE` or set
`screening.rules_file`; the built-in default is `src/gridwatch/screening/default_rules.yaml`. The
version string is recorded in every run's `run.json`.

Top level:
{top}

`codes`:
{codes}

`scoring`:
{scoring}

`models.<name>` (one entry per model below; a model without an entry never fires):
{model}

A condition is `{{feature, op, value}}`:
{cond}

Operators: `>=`, `>`, `<=`, `<` (number), `==`, `!=` (one value), `in`, `not_in` (list), `is_null`,
`not_null` (no value). `feature` is any column of the feature table below. Example:

```yaml
format: gridwatch-rules/1
version: "tianhe-2026.12"
jurisdiction: {{code: "440106", name: 天河区}}
codes: {{yellow_score: 0.55, red_score: 0.8}}
scoring: {{...}}            # as in the default
models:
  night_production:
    severity: red          # this district treats night production as red
    weight: 0.5
    all_of:
      - {{feature: interval_days, op: ">=", value: 7}}
      - {{feature: mean_kwh, op: ">=", value: 15}}
    any_of:
      - {{feature: night_share, op: ">=", value: 0.5}}
      - {{feature: night_day_ratio, op: ">=", value: 1.5}}
```
"""


def _fields(model: type[BaseModel]) -> str:
    rows = ["| key | meaning |", "|---|---|"]
    for name, info in model.model_fields.items():
        rows.append(f"| `{name}` | {info.description or ''} |")
    return "\n".join(rows)


def render() -> str:
    rules = load_rules()
    out = [INTRO, "## Models", ""]
    out.append("| model | 名称 | schedule | default severity / weight |")
    out.append("|---|---|---|---|")
    for name, spec in MODELS.items():
        r = rules.models[name]
        out.append(f"| `{name}` | {spec.title_zh} | {spec.schedule} | {r.severity} / {r.weight} |")
    out.append("")
    for name, spec in MODELS.items():
        r = rules.models[name]
        conds = " AND ".join(f"{c.feature} {c.op} {c.value if c.value is not None else ''}".strip() for c in r.all_of)
        if r.any_of:
            conds += " AND (" + " OR ".join(f"{c.feature} {c.op} {c.value}" for c in r.any_of) + ")"
        out += [
            f"### `{name}` — {spec.title_en} / {spec.title_zh}",
            "",
            spec.description,
            "",
            f"- inputs: {', '.join(spec.inputs)}; schedule: {spec.schedule}",
            f"- evidence: {', '.join(f'`{e}`' for e in spec.evidence)}",
            f"- default conditions: {conds}",
            f"- reason: 「{spec.reason_zh}」 / \"{spec.reason_en}\"",
            "",
        ]
    out += ["## Features", "", "| feature | unit | source | meaning |", "|---|---|---|---|"]
    for f in FEATURES.values():
        out.append(f"| `{f.name}` | {f.unit} | {f.source} | {f.meaning} {f.zh} |")
    out.append("")
    out.append(RULES_DOC.format(
        top=_fields(RuleSet), codes=_fields(Codes), scoring=_fields(Scoring), model=_fields(ModelRule),
        cond=_fields(Condition),
    ))
    out.append(f"Jurisdiction: {_fields(Jurisdiction)}\n")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")

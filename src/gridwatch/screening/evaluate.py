"""Evaluate a screening run against a simulated city's ground truth.

Truth: ``<truth_dir>/customers.parquet`` (or ``.csv``) with at least ``account_no`` and ``is_workshop``;
``trade`` and ``kind`` are used when present.  Residential accounts are those whose lake tariff is
residential.  Figures: recall of hidden workshops, flag rate (yellow + red) of residential accounts,
precision by code, recall by trade, flag rate by kind (confounders), the recall reachable at a 2%
residential flag rate by score alone, a PR curve and score histograms (PNG) and a Markdown report.

A run that learnt from field labels is also judged on the accounts it did not learn from (``held_out``):
a verified workshop the model was trained on is found again trivially, so only the others say how well the
supervised score generalises.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

FLAGGED = ("yellow", "red")


def read_truth(truth_dir: Path) -> pd.DataFrame:
    for name in ("customers.parquet", "customers.csv"):
        p = truth_dir / name
        if p.exists():
            df = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p, dtype={"account_no": str})
            break
    else:
        raise FileNotFoundError(f"{truth_dir}: no customers.parquet or customers.csv (ground truth)")
    missing = {"account_no", "is_workshop"} - set(df.columns)
    if missing:
        raise ValueError(f"{truth_dir}: truth lacks column(s) {', '.join(sorted(missing))}")
    df["account_no"] = df["account_no"].astype(str)
    df["is_workshop"] = df["is_workshop"].astype(str).str.lower().isin(["true", "1", "yes"])
    return df


def metrics(results: pd.DataFrame, truth: pd.DataFrame, tariffs: pd.DataFrame) -> dict:
    """All figures of the report as a JSON-able dict."""
    df = results.merge(truth, on="account_no", how="left", suffixes=("", "_truth"))
    df = df.merge(tariffs[["account_no", "tariff"]], on="account_no", how="left", suffixes=("", "_lake"))
    df["is_workshop"] = df["is_workshop"].fillna(False).astype(bool)
    flag = df["code"].isin(FLAGGED)
    pos = df["is_workshop"]
    finding = pos.copy()  # any true finding of the catalogue: workshop, unpermitted factory, closed/resurgent
    if "kind" in df:
        finding |= df["kind"].eq("factory_unpermitted")
    if "patterns" in df:
        finding |= df["patterns"].fillna("").str.contains("closed_firm_consuming|resurgent|resurged_elsewhere")
    red = df["code"] == "red"
    res = df["tariff"] == "residential"
    out: dict = {
        "customers": len(df),
        "workshops": int(pos.sum()),
        "residential": int(res.sum()),
        "flagged": int(flag.sum()),
        "flag_rate_all": _ratio(flag.sum(), len(df)),
        "recall": _ratio((flag & pos).sum(), pos.sum()),
        "precision_flagged": _ratio((flag & pos).sum(), flag.sum()),
        "residential_flag_rate": _ratio((flag & res).sum(), res.sum()),
        "residential_nonworkshop_flag_rate": _ratio((flag & res & ~pos).sum(), (res & ~pos).sum()),
        "recall_residential_workshops": _ratio((flag & pos & res).sum(), (pos & res).sum()),
    }
    out["red_precision_any_finding"] = _ratio((red & finding).sum(), red.sum())
    # the workshop question alone: red residential accounts that are hidden workshops
    out["red_precision_residential"] = _ratio((red & res & pos).sum(), (red & res).sum())
    out["by_code"] = {
        c: {"n": int((df["code"] == c).sum()), "workshops": int(((df["code"] == c) & pos).sum()),
            "precision": _ratio(((df["code"] == c) & pos).sum(), (df["code"] == c).sum())}
        for c in ("red", "yellow", "green")
    }
    if "trade" in df:
        out["by_trade"] = {
            str(t): {"workshops": len(g), "recall": _ratio(g["code"].isin(FLAGGED).sum(), len(g))}
            for t, g in df[pos].groupby(df.loc[pos, "trade"].fillna("unknown"))
        }
    if "kind" in df:
        out["by_kind"] = {
            str(k): {"n": len(g), "flag_rate": _ratio(g["code"].isin(FLAGGED).sum(), len(g)),
                     "red_rate": _ratio((g["code"] == "red").sum(), len(g))}
            for k, g in df.groupby(df["kind"].fillna("unknown"))
        }
    if "model_hits" in df:
        hits = df["model_hits"].fillna("").str.split(",").explode()
        hits = hits[hits != ""]
        out["by_model"] = {
            str(m): {"alarms": len(ix), "workshops": int(pos.loc[ix.index].sum()),
                     "precision": _ratio(pos.loc[ix.index].sum(), len(ix))}
            for m, ix in hits.groupby(hits)
        }
    out["entity_models"] = _entity_models(df)
    out["red_by_category"] = _red_by_category(df, pos)
    # ranking quality of the score alone: recall when flagging the top 2% of residential accounts
    if res.any() and pos.any():
        thr = float(np.quantile(df.loc[res, "score"], 0.98))
        top = df["score"] > thr
        out["score_threshold_at_2pct_residential"] = thr
        out["recall_at_2pct_residential_by_score"] = _ratio((top & pos).sum(), pos.sum())
    out["average_precision"] = _average_precision(df["score"].to_numpy(), pos.to_numpy())
    return out


ENTITY_CHECKS: tuple[tuple[str, str, str, str], ...] = (
    # (figure, truth column, truth value or pattern, model) — the models that join permits and the registry
    ("closed_firms_caught", "patterns", "closed_firm_consuming", "closed_still_consuming"),
    ("unpermitted_factories_caught", "kind", "factory_unpermitted", "unpermitted_industrial_load"),
    ("permitted_factories_flagged_unpermitted", "kind", "factory_permitted", "unpermitted_industrial_load"),
)
"""Truth groups and the model that should (or should not) fire on them."""


def _entity_models(df: pd.DataFrame) -> dict:
    """For each entity check: accounts in the truth group and how many the model alarmed on."""
    out: dict = {}
    if "model_hits" not in df:
        return out
    hits = df["model_hits"].fillna("").str.split(",")
    for figure, col, value, model in ENTITY_CHECKS:
        if col not in df:
            continue
        member = df[col].fillna("").astype(str).str.split(";").apply(lambda v, x=value: x in v)
        fired = hits.apply(lambda v, m=model: m in v)
        out[figure] = {"n": int(member.sum()), "alarms": int((member & fired).sum()),
                       "rate": _ratio((member & fired).sum(), member.sum())}
    return out


RED_CATEGORIES: tuple[tuple[str, str, str | None], ...] = (
    # (category, model whose alarm puts a red account in it, truth pattern that confirms it)
    ("closed firm still consuming", "closed_still_consuming", "closed_firm_consuming"),
    ("resurgence", "resurgence", "resurgent|resurged_elsewhere"),
)
"""Red codes that answer another question than "hidden workshop"; every other red is judged as a workshop.
The truth marks deregistered (注销) firms that keep consuming, not revoked (吊销) ones, so the first category's
precision counts revoked firms still consuming as false although the model describes them."""


def _red_by_category(df: pd.DataFrame, pos: pd.Series) -> dict:
    """Precision of red per question: each entity category against its own truth, the rest as workshops."""
    red = df["code"] == "red"
    hits = df["model_hits"].fillna("").str.split(",") if "model_hits" in df else pd.Series([[]] * len(df))
    patterns = df["patterns"].fillna("") if "patterns" in df else pd.Series([""] * len(df), index=df.index)
    left = red.copy()
    out: dict = {}
    for name, model, pattern in RED_CATEGORIES:
        member = left & hits.apply(lambda v, m=model: m in v).to_numpy()
        true = member & (pos | patterns.str.contains(pattern or "$^"))
        out[name] = {"n": int(member.sum()), "true": int(true.sum()), "precision": _ratio(true.sum(), member.sum())}
        left &= ~member
    out["hidden workshop"] = {"n": int(left.sum()), "true": int((left & pos).sum()),
                              "precision": _ratio((left & pos).sum(), left.sum())}
    return out


def _ratio(a: float, b: float) -> float | None:
    return None if not b else round(float(a) / float(b), 4)


def _average_precision(score: np.ndarray, y: np.ndarray) -> float | None:
    if not y.any():
        return None
    from sklearn.metrics import average_precision_score

    return round(float(average_precision_score(y, score)), 4)


def plots(results: pd.DataFrame, truth: pd.DataFrame, out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    df = results.merge(truth[["account_no", "is_workshop"]], on="account_no", how="left")
    y = df["is_workshop"].fillna(False).astype(bool).to_numpy()
    s = df["score"].to_numpy()
    files = []
    if y.any():
        p, r, _ = precision_recall_curve(y, s)
        fig, ax = plt.subplots(figsize=(5, 4))
        ax.plot(r, p)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_title("Precision-recall of the screening score")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out_dir / "pr_curve.png", dpi=110)
        plt.close(fig)
        files.append("pr_curve.png")
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0, 1, 41)
    ax.hist(s[~y], bins=bins, alpha=0.6, label="not workshop", log=True)
    ax.hist(s[y], bins=bins, alpha=0.6, label="workshop", log=True)
    ax.set_xlabel("score")
    ax.set_ylabel("accounts (log)")
    ax.legend()
    ax.set_title("Score histograms")
    fig.tight_layout()
    fig.savefig(out_dir / "score_hist.png", dpi=110)
    plt.close(fig)
    files.append("score_hist.png")
    return files


def report_markdown(m: dict, run: dict, images: list[str]) -> str:
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{100 * v:.1f}%"

    lines = [
        f"# Screening evaluation — run {run.get('run_id', '?')}",
        "",
        f"as-of {run.get('as_of')}, engine {run.get('engine')}, rule set {run.get('ruleset_version')}, "
        f"model {run.get('model_version')}, supervised: {run.get('supervised') or 'no (cold start)'}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| customers | {m['customers']} |",
        f"| hidden workshops (truth) | {m['workshops']} |",
        f"| recall of workshops (yellow+red) | {pct(m['recall'])} |",
        f"| residential flag rate (yellow+red) | {pct(m['residential_flag_rate'])} |",
        f"| precision of red (hidden workshops) | {pct(m['by_code']['red']['precision'])} |",
        f"| precision of red (any true finding: workshop, unpermitted factory, closed or resurgent site) | "
        f"{pct(m.get('red_precision_any_finding'))} |",
        f"| precision of red among residential accounts (hidden workshops) | "
        f"{pct(m.get('red_precision_residential'))} |",
        f"| precision of yellow+red | {pct(m['precision_flagged'])} |",
        f"| recall at 2% residential flag rate (score only) | "
        f"{pct(m.get('recall_at_2pct_residential_by_score'))} |",
        f"| average precision | {m['average_precision']} |",
    ]
    if m.get("held_out"):
        h = m["held_out"]
        lines += [
            "",
            f"## Held out: the accounts the supervised model did not learn from "
            f"({h['labelled_accounts_excluded']} labelled accounts left out)",
            "",
            "| figure | value |",
            "|---|---|",
            f"| hidden workshops (truth) | {h['workshops']} |",
            f"| recall of workshops (yellow+red) | {pct(h['recall'])} |",
            f"| residential flag rate (yellow+red) | {pct(h['residential_flag_rate'])} |",
            f"| precision of red (hidden workshops) | {pct(h['red_precision'])} |",
            f"| recall at 2% residential flag rate (score only) | {pct(h['recall_at_2pct_residential_by_score'])} |",
            f"| average precision | {h['average_precision']} |",
        ]
    lines += [
        "",
        "## By code",
        "",
        "| code | accounts | workshops | precision |",
        "|---|---|---|---|",
    ]
    for c, v in m["by_code"].items():
        lines.append(f"| {c} | {v['n']} | {v['workshops']} | {pct(v['precision'])} |")
    if m.get("entity_models"):
        lines += ["", "## Permit and registry models (entity links)", "", "| check | accounts | alarms | rate |",
                  "|---|---|---|---|"]
        for k, v in m["entity_models"].items():
            lines.append(f"| {k.replace('_', ' ')} | {v['n']} | {v['alarms']} | {pct(v['rate'])} |")
    for title, key, cols in (
        ("Red codes by question (precision against that question's truth)", "red_by_category",
         ("n", "true", "precision")),
        ("By trade (recall)", "by_trade", ("workshops", "recall")),
        ("By kind (flag rate)", "by_kind", ("n", "flag_rate", "red_rate")),
        ("By model (alarms)", "by_model", ("alarms", "workshops", "precision")),
    ):
        if key not in m:
            continue
        lines += ["", f"## {title}", "", "| | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
        for k, v in m[key].items():
            vals = [pct(v[c]) if isinstance(v[c], float) else str(v[c]) for c in cols]
            lines.append(f"| {k} | " + " | ".join(vals) + " |")
    lines += ["", *[f"![{i}]({i})" for i in images], ""]
    return "\n".join(lines)


HELD_OUT_FIGURES = (
    "customers", "workshops", "recall", "residential_flag_rate", "red_precision_residential",
    "recall_at_2pct_residential_by_score", "average_precision",
)
"""Figures repeated on the accounts a supervised run did not learn from."""


def held_out_metrics(results: pd.DataFrame, truth: pd.DataFrame, tariffs: pd.DataFrame, trained_on: set[str]) -> dict:
    """The main figures on the accounts not among the training labels, plus red precision over all of them."""
    rest = results[~results["account_no"].isin(trained_on)]
    m = metrics(rest, truth, tariffs)
    out = {k: m.get(k) for k in HELD_OUT_FIGURES}
    out["labelled_accounts_excluded"] = len(results) - len(rest)
    out["red_precision"] = m["by_code"]["red"]["precision"]
    return out


def evaluate(
    results: pd.DataFrame,
    run: dict,
    truth_dir: Path,
    tariffs: pd.DataFrame,
    out_dir: Path,
    trained_on: set[str] | None = None,
) -> dict:
    """Write metrics.json, report.md and the plots; ``trained_on``: accounts of the run's training labels."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = read_truth(truth_dir)
    m = metrics(results, truth, tariffs)
    if trained_on:
        m["held_out"] = held_out_metrics(results, truth, tariffs, trained_on)
    images = plots(results, truth, out_dir)
    (out_dir / "metrics.json").write_text(json.dumps({"run": run, "metrics": m}, indent=2, ensure_ascii=False))
    (out_dir / "report.md").write_text(report_markdown(m, run, images), encoding="utf-8")
    return m

"""`gridwatch screen` and `gridwatch evaluate` end to end on the small city."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from gridwatch.cli.app import app

from .conftest import build_city

CSV_COLUMNS = ["account_no", "score", "code", "model_hits", "reasons", "reasons_en", "evidence"]
RESULT_COLUMNS = ["account_no", "score", "code", "model_hits", "reasons_zh", "reasons_en", "evidence", "run_id", "as_of"]


def test_screen_writes_csv_and_run_and_evaluate_reports(tmp_path: Path) -> None:
    city = build_city(tmp_path / "home")
    home = str(city.ws.home)
    runner = CliRunner()
    out = tmp_path / "codes.csv"
    r = runner.invoke(app, ["--home", home, "screen", "--out", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"account_no": str})
    assert list(df.columns) == CSV_COLUMNS
    assert len(df) == len(city.daily)
    assert df["score"].between(0, 1).all()
    by = df.set_index("account_no")
    assert by.loc["W001", "code"] == "red" and "industrial_shape" in by.loc["W001", "model_hits"]
    assert "夜间用电占比83%" in by.loc["N001", "reasons"] and "night use 83% of daily" in by.loc["N001", "reasons_en"]
    assert json.loads(by.loc["N001", "evidence"])["night_production"]["night_share"] == round(40 / 48, 4)
    households = by[by.index.str.startswith("H")]
    assert (households["code"] == "green").all()
    assert by.loc["E001", "code"] == "green"  # the EV charger explains its extra night load
    # the closed-firm and permit models see through the entity links
    assert "closed_still_consuming" in by.loc["L001", "model_hits"]
    assert "unpermitted_industrial_load" in by.loc["I001", "model_hits"]
    assert "unpermitted_industrial_load" not in str(by.loc["I004", "model_hits"])

    base = Path(home) / "results" / "screening"
    run_id = (base / "LATEST").read_text().strip()
    res = pd.read_parquet(base / run_id / "results.parquet")
    assert list(res.columns) == RESULT_COLUMNS
    run = json.loads((base / run_id / "run.json").read_text())
    assert run["as_of"] == "2025-12-31" and run["engine"] == "duckdb"
    assert run["ruleset_version"] and run["model_version"]
    assert sum(run["counts"].values()) == len(city.daily)

    truth = tmp_path / "truth"
    truth.mkdir()
    pd.DataFrame({
        "account_no": list(city.daily),
        "is_workshop": [a in ("W001", "N001") for a in city.daily],
        "trade": ["wood" if a in ("W001", "N001") else "" for a in city.daily],
        "kind": ["factory_unpermitted" if a == "I001" else "factory_permitted" if a.startswith("I") else ""
                 for a in city.daily],
        "patterns": ["closed_firm_consuming" if a in ("D001", "L001") else "" for a in city.daily],
    }).to_csv(truth / "customers.csv", index=False)
    r = runner.invoke(app, ["--home", home, "evaluate", "--truth", str(truth), "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "rep" / "metrics.json").read_text())["metrics"]
    assert m["recall"] == 1.0 and m["workshops"] == 2
    ent = m["entity_models"]
    assert ent["closed_firms_caught"] == {"n": 2, "alarms": 2, "rate": 1.0}
    assert ent["unpermitted_factories_caught"] == {"n": 1, "alarms": 1, "rate": 1.0}
    assert ent["permitted_factories_flagged_unpermitted"] == {"n": 3, "alarms": 0, "rate": 0.0}
    for f in ("report.md", "pr_curve.png", "score_hist.png"):
        assert (tmp_path / "rep" / f).stat().st_size > 0


def test_screen_rejects_a_bad_rule_file(tmp_path: Path) -> None:
    city = build_city(tmp_path / "home")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: gridwatch-rules/1\nversion: x\n")
    r = CliRunner().invoke(app, ["--home", str(city.ws.home), "screen", "--rules", str(bad), "--out",
                                 str(tmp_path / "x.csv")])
    assert r.exit_code == 2
    assert "bad.yaml: invalid rule file" in r.output


def test_rescoring_kept_features_with_labels_and_held_out_evaluation(tmp_path: Path) -> None:
    """A run keeps its feature table; a later run re-scores it with other conditions and field labels, keeps
    the labels it learnt from, and evaluation judges the accounts it did not learn from apart."""
    from importlib import resources

    import yaml

    city = build_city(tmp_path / "home")
    home = str(city.ws.home)
    runner = CliRunner()
    r = runner.invoke(app, ["--home", home, "screen", "--no-labels", "--out", str(tmp_path / "a.csv")])
    assert r.exit_code == 0, r.output
    base = Path(home) / "results" / "screening"
    first = (base / "LATEST").read_text().strip()
    assert (base / first / "features.parquet").exists()
    assert not (base / first / "labels.parquet").exists()  # cold start learnt from nothing

    # same conditions, kept features: the same codes and scores, and no second copy of the table
    r = runner.invoke(app, ["--home", home, "screen", "--no-labels", "--features-from", first,
                            "--out", str(tmp_path / "b.csv")])
    assert r.exit_code == 0, r.output
    a = pd.read_csv(tmp_path / "a.csv", dtype={"account_no": str})
    b = pd.read_csv(tmp_path / "b.csv", dtype={"account_no": str})
    pd.testing.assert_frame_equal(a, b)
    second = (base / "LATEST").read_text().strip()
    run2 = json.loads((base / second / "run.json").read_text())
    assert run2["features_from"] == first and run2["as_of"] == "2025-12-31"
    assert not (base / second / "features.parquet").exists()

    # another as-of cannot re-use a window's features
    r = runner.invoke(app, ["--home", home, "screen", "--features-from", first, "--as-of", "2025-11-30",
                            "--out", str(tmp_path / "c.csv")])
    assert r.exit_code == 2 and "differs from run" in r.output

    # field labels: 30 verified accounts, every hidden-workshop-like one among them confirmed
    accounts = list(city.daily)
    workshops = {"W001", "N001", "S001", "R001"}
    labelled = [*[a for a in accounts if a.startswith("H")][:26], "W001", "N001", "S001", "R001"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    pd.DataFrame({
        "account_no": labelled,
        "verified_on": ["2025-10-01"] * len(labelled),
        "outcome": ["confirmed" if a in workshops else "household" for a in labelled],
        "is_workshop": [a in workshops for a in labelled],
    }).to_csv(inbox / "labels.csv", index=False)
    r = runner.invoke(app, ["--home", home, "lake", "load", str(inbox)])
    assert r.exit_code == 0, r.output
    rules = yaml.safe_load(resources.files("gridwatch.screening").joinpath("default_rules.yaml").read_text("utf-8"))
    rules["version"] = "test-few-labels"
    rules["scoring"].update({"min_labels": 20, "min_positive": 3})
    rule_file = tmp_path / "rules.yaml"
    rule_file.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    r = runner.invoke(app, ["--home", home, "screen", "--features-from", first, "--rules", str(rule_file),
                            "--out", str(tmp_path / "d.csv")])
    assert r.exit_code == 0, r.output
    third = (base / "LATEST").read_text().strip()
    run3 = json.loads((base / third / "run.json").read_text())
    assert run3["supervised"]["n_labels"] == 30 and run3["supervised"]["n_positive"] == 4
    assert run3["ruleset_version"] == "test-few-labels"
    kept = pd.read_parquet(base / third / "labels.parquet")
    assert sorted(kept["account_no"]) == sorted(labelled)
    # a run re-using a re-scoring run's features reads the original table
    r = runner.invoke(app, ["--home", home, "screen", "--no-labels", "--features-from", second,
                            "--out", str(tmp_path / "e.csv")])
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(a, pd.read_csv(tmp_path / "e.csv", dtype={"account_no": str}))

    truth = tmp_path / "truth"
    truth.mkdir()
    pd.DataFrame({"account_no": accounts, "is_workshop": [a in ("W001", "N001", "G001") for a in accounts]}).to_csv(
        truth / "customers.csv", index=False
    )
    r = runner.invoke(app, ["--home", home, "evaluate", "--truth", str(truth), "--run", third,
                            "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert "held out (30 labelled accounts left out)" in r.output
    m = json.loads((tmp_path / "rep" / "metrics.json").read_text())["metrics"]
    held = m["held_out"]
    assert held["labelled_accounts_excluded"] == 30
    assert held["customers"] == m["customers"] - 30
    assert m["workshops"] == 3 and held["workshops"] == 1  # W001 and N001 were learnt from; G001 was not
    assert "Held out" in (tmp_path / "rep" / "report.md").read_text()

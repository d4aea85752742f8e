"""``gridwatch screen`` and ``gridwatch evaluate``: health codes for every customer, and their quality."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gridwatch.cli.app import workspace


def register(app: typer.Typer) -> None:
    @app.command("screen")
    def screen_cmd(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", help="CSV to write (one row per screened customer).")],
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Last day looked at (YYYY-MM-DD); default: latest reading.")
        ] = None,
        engine: Annotated[
            str | None, typer.Option("--engine", help="duckdb (default) or spark; default from settings.")
        ] = None,
        rules: Annotated[
            Path | None, typer.Option("--rules", help="Rule file (YAML/JSON); default: the conditions activated for the workspace (gridwatch rules), else the built-in set.")
        ] = None,
        no_labels: Annotated[
            bool, typer.Option("--no-labels", help="Ignore field labels (cold start, unsupervised only).")
        ] = False,
        features_from: Annotated[
            str | None,
            typer.Option(
                "--features-from",
                help="Re-score the feature table kept by this earlier run (its as-of date; other conditions "
                "or labels) instead of computing features from the lake.",
            ),
        ] = None,
    ) -> None:
        """Screen every customer: score, green/yellow/red code, model alarms and reasons (屏查/健康码)."""
        from gridwatch.screening.rules import RuleFileError
        from gridwatch.screening.run import screen, write_csv

        ws = workspace(ctx)
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise typer.BadParameter(f"--as-of {as_of!r} is not a date YYYY-MM-DD") from None
        try:
            outcome = screen(
                ws, as_of=day, engine_name=engine, rules_path=rules, use_labels=not no_labels,
                features_from=features_from,
            )
        except (RuleFileError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        write_csv(outcome.results, out)
        r = outcome.run
        typer.echo(
            f"run {r['run_id']} as-of {r['as_of']} on {r['engine']}: {r['customers']} customers, "
            f"red {r['counts']['red']}, yellow {r['counts']['yellow']}, green {r['counts']['green']} "
            f"({r['seconds_total']} s) → {out}"
        )

    @app.command("evaluate")
    def evaluate_cmd(
        ctx: typer.Context,
        truth: Annotated[Path, typer.Option("--truth", help="Ground-truth folder of a simulated city.")],
        out: Annotated[Path | None, typer.Option("--out", help="Report folder.")] = None,
        run_id: Annotated[str | None, typer.Option("--run", help="Screening run id; default: latest.")] = None,
    ) -> None:
        """Precision, recall and flag rates of a screening run against ground truth, with plots."""
        import duckdb
        import pandas as pd

        from gridwatch.lake.layout import read_sql
        from gridwatch.screening.evaluate import evaluate
        from gridwatch.screening.runs import read_run, read_training_labels

        ws = workspace(ctx)
        try:
            results, run = read_run(ws, run_id)
        except FileNotFoundError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        tariffs: pd.DataFrame = duckdb.sql(
            f"SELECT account_no, tariff FROM ({read_sql(ws.lake_dir, 'customers')})"
        ).df()
        out_dir = out or ws.results_dir / "screening" / run["run_id"] / "evaluation"
        trained_on = read_training_labels(ws, run["run_id"])
        m = evaluate(results, run, truth, tariffs, out_dir, trained_on=trained_on)
        red = m["by_code"]["red"]["precision"]
        typer.echo(
            f"recall {m['recall']}, residential flag rate {m['residential_flag_rate']}, red precision {red}, "
            f"recall@2% by score {m.get('recall_at_2pct_residential_by_score')} → {out_dir / 'report.md'}"
        )
        if "held_out" in m:
            h = m["held_out"]
            typer.echo(
                f"held out ({h['labelled_accounts_excluded']} labelled accounts left out): recall {h['recall']}, "
                f"residential flag rate {h['residential_flag_rate']}, red precision {h['red_precision']}"
            )

"""Read screening runs kept in the workspace (for evaluation and the web app)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from gridwatch.workspace import Workspace


def latest_run_id(ws: Workspace) -> str:
    p = ws.results_dir / "screening" / "LATEST"
    if not p.exists():
        raise FileNotFoundError(f"{p}: no screening run yet; run `gridwatch screen` first")
    return p.read_text().strip()


def read_run(ws: Workspace, run_id: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Results and run.json of a run (default: the latest)."""
    rid = run_id or latest_run_id(ws)
    d = ws.results_dir / "screening" / rid
    if not (d / "results.parquet").exists():
        raise FileNotFoundError(f"{d}: no such screening run")
    return pd.read_parquet(d / "results.parquet"), json.loads((d / "run.json").read_text())


def read_training_labels(ws: Workspace, run_id: str) -> set[str]:
    """Accounts whose field labels the run's supervised model learnt from (empty for a cold-start run)."""
    p = ws.results_dir / "screening" / run_id / "labels.parquet"
    if not p.exists():
        return set()
    return set(pd.read_parquet(p, columns=["account_no"])["account_no"].astype(str))

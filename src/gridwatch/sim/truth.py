"""The ground truth kept apart from the input files (``truth/``): its README, shipped as package data."""

from __future__ import annotations

from importlib import resources


def truth_readme() -> str:
    return (resources.files("gridwatch.sim") / "data" / "truth_README.md").read_text(encoding="utf-8")

"""docs/SCREENING.md documents every model, every feature and every rule-file key."""

from __future__ import annotations

from pathlib import Path

from gridwatch.screening.feature_catalog import FEATURES
from gridwatch.screening.models import MODELS
from gridwatch.screening.rules import Codes, ModelRule, RuleSet, Scoring

DOC = Path(__file__).resolve().parents[2] / "docs" / "SCREENING.md"


def test_every_model_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, spec in MODELS.items():
        assert f"### `{name}`" in text, f"model {name} lacks a section in docs/SCREENING.md"
        assert spec.description and spec.inputs and spec.evidence and spec.title_zh and spec.title_en
        for f in spec.evidence:
            assert f in FEATURES, f"model {name}: evidence {f} is not a documented feature"


def test_every_feature_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, f in FEATURES.items():
        assert f"`{name}`" in text, f"feature {name} missing from docs/SCREENING.md"
        assert f.unit and f.meaning


def test_every_rule_key_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for model in (RuleSet, Codes, Scoring, ModelRule):
        for key in model.model_fields:
            assert f"`{key}`" in text, f"rule-file key {key} missing from docs/SCREENING.md"


def test_feature_sql_and_catalogue_agree(features) -> None:  # type: ignore[no-untyped-def]
    cols = {"account_no", *features.columns}
    assert cols == set(FEATURES), (sorted(cols - set(FEATURES)), sorted(set(FEATURES) - cols))

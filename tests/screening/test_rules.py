"""The rule file: the built-in default, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from gridwatch.screening.models import MODELS
from gridwatch.screening.rules import Condition, RuleFileError, load_rules, parse_rules


def _default_dict() -> dict:
    from importlib import resources

    return yaml.safe_load(resources.files("gridwatch.screening").joinpath("default_rules.yaml").read_text())


def test_default_rules_cover_every_model() -> None:
    rules = load_rules()
    assert set(rules.models) == set(MODELS)
    assert rules.codes.yellow_score <= rules.codes.red_score


def test_rules_load_from_yaml_and_json(tmp_path: Path) -> None:
    import json

    d = _default_dict()
    d["version"] = "district-7"
    (tmp_path / "r.json").write_text(json.dumps(d))
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(d, allow_unicode=True))
    assert load_rules(tmp_path / "r.json").version == "district-7"
    assert load_rules(tmp_path / "r.yaml").version == "district-7"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(colour="red"), "colour: Extra inputs are not permitted"),
        (lambda d: d.update(format="gridwatch-rules/9"), "format:"),
        (lambda d: d["models"].update(magic={"severity": "red", "weight": 0.1, "all_of": []}), "unknown model"),
        (lambda d: d["models"]["resurgence"]["all_of"].append({"feature": "nite_share", "op": ">=", "value": 1}),
         "models.resurgence.all_of.3.feature: Value error, unknown feature 'nite_share'"),
        (lambda d: d["models"]["resurgence"]["all_of"].append({"feature": "mean_kwh", "op": ">=", "value": "x"}),
         "needs a number"),
        (lambda d: d["models"]["resurgence"]["all_of"].append({"feature": "tariff", "op": "in", "value": "r"}),
         "needs a list"),
        (lambda d: d["models"]["resurgence"].update(weight=1.5), "models.resurgence.weight"),
        (lambda d: d["models"]["resurgence"].update(severity="purple"), "models.resurgence.severity"),
        (lambda d: d["codes"].update(yellow_score=0.9, red_score=0.5), "yellow_score must not exceed red_score"),
        (lambda d: d["scoring"]["weights"].update(mean_kwh=1.0), "unknown z-score feature 'mean_kwh'"),
        (lambda d: d["models"]["resurgence"].update(all_of=[]), "models.resurgence.all_of"),
    ],
    ids=["extra-key", "format", "unknown-model", "unknown-feature", "op-number", "op-list", "weight-range",
         "severity", "code-order", "weights", "empty-conditions"],
)
def test_invalid_rule_files_name_the_file_and_path(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    d = _default_dict()
    mutate(d)
    p = tmp_path / "district.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True))
    with pytest.raises(RuleFileError) as err:
        load_rules(p)
    assert str(p) in str(err.value)
    assert message in str(err.value)


def test_not_yaml_and_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="not valid YAML"):
        parse_rules("a: [1, 2", "x.yaml")
    with pytest.raises(RuleFileError, match="top level must be a mapping"):
        parse_rules("- 1\n- 2\n", "x.yaml")
    with pytest.raises(RuleFileError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")


def test_conditions_treat_null_as_not_satisfied() -> None:
    df = pd.DataFrame({"night_share": [0.7, None, 0.1], "tariff": ["residential", None, "industrial"]})
    assert Condition(feature="night_share", op=">=", value=0.5).mask(df).tolist() == [True, False, False]
    assert Condition(feature="night_share", op="<", value=0.5).mask(df).tolist() == [False, False, True]
    assert Condition(feature="night_share", op="is_null").mask(df).tolist() == [False, True, False]
    assert Condition(feature="tariff", op="not_in", value=["industrial"]).mask(df).tolist() == [True, False, False]

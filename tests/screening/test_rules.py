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


def test_industrial_shape_sees_an_all_week_workshop_but_not_a_hostel() -> None:
    """A garment workshop working every day (simulated, rule set 11d's tuning seeds): no weekend rest, no
    Spring Festival mean below 15%, and it follows the weather a little through the family living on
    site; but it idles at standby for a week around the festival and runs at the same level all year on a
    timetable unlike a household's.  A hostel is as flat and as large, but keeps the household profile
    and does not stop for the festival."""
    cols = ["tariff", "level_ex_ev_vs_peer", "mean_ex_ev_kwh", "temp_corr", "weekend_ratio", "sf_ratio_ex_ev",
            "sf_low_week_ratio_ex_ev", "flat_share", "onoff_share", "cap_use", "res_shape_corr"]
    df = pd.DataFrame([
        ["residential", 3.2, 22.8, 0.37, 1.00, 0.37, 0.048, 0.78, 0.04, 0.06, 0.10],  # all-week workshop
        ["residential", 4.3, 32.2, 0.45, 1.00, 0.63, 0.51, 0.75, 0.0, 0.07, 0.87],  # hostel
    ], columns=cols)
    assert load_rules().models["industrial_shape"].mask(df).tolist() == [True, False]

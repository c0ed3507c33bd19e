"""The conditions registry: every condition keeps the contract, and a condition added
in one place is parsed from a policy file, evaluated and described in the plans."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError, PolicyError
from arrearsrisk.plans import (
    CONDITIONS,
    Condition,
    check_condition,
    default_policy_path,
    parse_policy,
    register_condition,
    release_candidates,
    risk_plans,
)
from arrearsrisk.plans.conditions import FlagCondition, NumberCondition
from arrearsrisk.plans.facts import Facts, build_facts, check_scores, example_facts, fill_history
from arrearsrisk.vocabulary import LANGS, WINDOWS

AS_OF = pd.Timestamp("2025-09-30")
SHIPPED = default_policy_path().read_text(encoding="utf-8")


def small_tables() -> tuple[pd.DataFrame, ar.Ledger, pd.DataFrame]:
    """Scores, ledger (customers only) and features of four customers."""
    ids = ["C1", "C2", "C3", "C4"]
    scores = pd.DataFrame(
        {
            "customer_id": ids,
            "as_of": AS_OF,
            "grade": ["I", "II", "II", "III"],
            "p_I": [0.6, 0.2, 0.3, 0.01],
            "a_warning": [False, True, False, False],
            "exposure": [30000.0, 500.0, 1500.0, 800.0],
            "arrears": [45000.0, 0.0, 100.0, 0.0],
            "reasons": [["late bills: 4"], [], ["arrears CNY 100"], []],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "category": ["industrial", "residential", "commercial", "residential"],
            "region": ["East", "West", "East", "North"],
            "opened": pd.Timestamp("2015-01-01"),
            "voltage_kv": [10.0, 0.4, 0.4, 0.4],
            "prepaid": [False, False, True, False],
            "deposit": [0.0, 2500.0, 1000.0, 3000.0],
            "group_id": [None, "G1", None, None],
            "capacity_increase": [True, False, None, False],
            "high_hazard": [False, False, False, False],
            "budget_funded": [False, False, False, False],
        }
    )
    bills = pd.DataFrame(
        columns=["customer_id", "period", "issue_date", "due_date", "kwh", "amount"]
    )
    payments = pd.DataFrame(columns=["customer_id", "paid_date", "amount"])
    ledger = ar.Ledger(customers=customers, bills=bills, payments=payments)
    features = pd.DataFrame(
        {
            "channel_share_bank_debit_12m": [0.0, 0.5, 1.0, 1.0],
            "channel_share_online_12m": [0.0, 0.0, 0.0, 0.0],
            "payments_count_12m": 12.0,
            "billing_history_months": 100.0,
            **{f"late_bills_count_{w}m": [3.0, 0.0, 1.0, 0.0] for w in WINDOWS},
        },
        index=pd.Index(ids, name="customer_id"),
    )
    return scores, ledger, features


def real_facts() -> Facts:
    scores, ledger, features = small_tables()
    clean, as_of = check_scores(scores)
    facts = build_facts(clean, ledger, as_of)
    fill_history(facts, np.arange(len(facts.frame)), ledger, as_of, features)
    return facts


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_every_registered_condition_keeps_the_contract(name):
    check_condition(CONDITIONS[name])
    check_condition(CONDITIONS[name], real_facts())


def test_the_example_facts_have_every_column_of_real_facts():
    real, example = real_facts(), example_facts()
    assert set(example.frame.columns) == set(real.frame.columns)
    assert example.history_done.all()


def test_the_registry_keeps_the_order_of_the_error_messages():
    assert list(CONDITIONS)[:3] == ["grade", "category", "warning"]
    assert list(CONDITIONS)[-3:] == ["clean_months", "reasons_any", "flags"]
    with pytest.raises(PolicyError, match=r"allowed: grade, category, warning, prepaid, "):
        parse_policy(SHIPPED.replace("exposure_above = 50000", "exposure_abov = 50000"))


# -- a condition added in a test ------------------------------------------------------


class RegionCondition(Condition):
    """The customer's supply area is one of a list: ``region_in = ["East"]``."""

    name = "region_in"
    kind = "regions"

    @property
    def example(self) -> Any:
        return ["East"]

    def parse(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.refuse("a list of supply areas", value)
        return tuple(value)

    def holds(self, value: tuple[str, ...], facts: Facts) -> np.ndarray:
        return facts.frame["region"].isin(list(value)).to_numpy(dtype=bool)

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        words = {"zh": "供电所：{region}", "en": "supply area {region}"}[lang]
        return [words.format(region=r) for r in facts.frame["region"].to_numpy()[rows]]


NEW_MEASURES = """
[[measure]]
code = "area_visit"
kind = "action"
name_zh = "供电所走访"
name_en = "Area visit"
explain_zh = "走访"
explain_en = "Visit"
  [[measure.when]]
  grade = ["I", "II"]
  region_in = ["East"]
  deposit_above = 900

[[measure]]
code = "area_release"
kind = "release"
name_zh = "解除"
name_en = "Release"
explain_zh = "解除"
explain_en = "Release"
  [[measure.when]]
  region_in = ["North"]
  clean_months = 12
"""


@pytest.fixture
def new_conditions():
    """Register region_in and deposit_above for one test, then take them out."""
    added = [
        register_condition(RegionCondition()),
        register_condition(
            NumberCondition(
                "deposit_above",
                fact="deposit",
                op=">",
                digits=0,
                words={
                    "zh": "保证金{value}元，高于{limit}元",
                    "en": "deposit CNY {value} > {limit}",
                },
            )
        ),
    ]
    try:
        yield added
    finally:
        for condition in added:
            CONDITIONS.pop(condition.name, None)


def test_a_new_condition_is_parsed_evaluated_and_described(new_conditions):
    for condition in new_conditions:
        check_condition(condition)
    policy = parse_policy(SHIPPED + NEW_MEASURES)
    assert policy.measure("area_visit").when[0].conditions == (
        ("grade", ("I", "II")),
        ("region_in", ("East",)),
        ("deposit_above", 900.0),
    )
    scores, ledger, features = small_tables()
    by_lang = {
        lang: risk_plans(scores, ledger, lang, policy=policy, features=features) for lang in LANGS
    }
    got = {
        cid: [m for m in ms if m.code == "area_visit"]
        for cid, ms in zip(by_lang["en"]["customer_id"], by_lang["en"]["measures"], strict=True)
    }
    # C1 is East but holds no deposit; C3 is East with a deposit of 1,000; C2 is West
    assert [cid for cid, ms in got.items() if ms] == ["C3"]
    assert got["C3"][0].reason == "Risk Grade II; supply area East; deposit CNY 1,000 > 900"
    zh = by_lang["zh"].set_index("customer_id").loc["C3", "measures"]
    reason = next(m.reason for m in zh if m.code == "area_visit")
    assert reason == "风险II级；供电所：East；保证金1,000元，高于900元"
    release = release_candidates(scores, ledger, "en", policy=policy, features=features)
    assert release["customer_id"].tolist() == ["C4"]
    released = {m.code: m for m in release.loc[0, "measures"]}
    assert list(released) == ["release_deposit", "area_release"]
    assert released["area_release"].reason == (
        "supply area North; paid on time with no arrears for 12 months"
    )


def test_a_removed_condition_is_unknown_again(new_conditions):
    for condition in new_conditions:
        del CONDITIONS[condition.name]
    with pytest.raises(PolicyError, match=r"unknown condition 'region_in'"):
        parse_policy(SHIPPED + NEW_MEASURES)


def test_a_new_condition_refuses_a_bad_value_with_a_policy_error(new_conditions):
    text = (SHIPPED + NEW_MEASURES).replace('region_in = ["East"]', "region_in = 3")
    with pytest.raises(PolicyError) as err:
        parse_policy(text, source="mine.toml")
    assert str(err.value) == (
        "policy: measure 'area_visit': when #1: condition 'region_in' must be a list of "
        "supply areas, got 3.\n  in mine.toml"
    )
    assert (err.value.measure, err.value.key) == ("area_visit", "region_in")


# -- the contract check finds broken conditions -----------------------------------------


def test_a_name_is_registered_once(new_conditions):
    with pytest.raises(ArrearsRiskError, match=r"'region_in' is already registered"):
        register_condition(RegionCondition())
    with pytest.raises(ArrearsRiskError, match=r"must be a Condition object"):
        register_condition("region_in")  # type: ignore[arg-type]


class _Broken(RegionCondition):
    name = "broken"


class _NoName(_Broken):
    name = "2 words"


class _BadExample(_Broken):
    @property
    def example(self) -> Any:
        return "East"


class _NotBools(_Broken):
    def holds(self, value: Any, facts: Facts) -> np.ndarray:
        return np.ones(len(facts.frame) + 1, dtype=bool)


class _OneLanguage(_Broken):
    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        return [{"zh": "东"}[lang]] * len(rows)


class _Silent(_Broken):
    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        return [""] * len(rows)


@pytest.mark.parametrize(
    ("broken", "match"),
    [
        (_NoName(), r"a condition needs a name .* got '2 words'"),
        (_BadExample(), r"condition 'broken': its example 'East' does not parse: condition"),
        (_NotBools(), r"condition 'broken': must evaluate to 3 bools"),
        (_OneLanguage(), r"condition 'broken': describing \('East',\) in 'en' raised KeyError"),
        (_Silent(), r"condition 'broken': must describe each of 3 customers in 'zh'"),
        (
            FlagCondition("sunny", fact="sunny", yes={"zh": "晴"}, no={"zh": "阴"}),
            r"condition 'sunny': evaluating True raised KeyError",
        ),
    ],
)
def test_check_condition_names_the_broken_part(broken, match):
    with pytest.raises(ArrearsRiskError, match=match):
        check_condition(broken)

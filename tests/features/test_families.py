"""The registry of feature families and the contract check every family passes.

Every registered family passes :func:`arrearsrisk.features.check_feature_family` (on its
own small ledger, on the tiny literal one and on generated ones); a toy family missing
each declaration in turn, or whose builder breaks a rule, is refused with a message
naming the family and the fault; a toy family registered by a user shows up in every
place the built-in ones do, and is gone again once removed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import arrearsrisk as ar
from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.errors import FeatureFamilyError
from arrearsrisk.features import (
    FAMILIES,
    FeatureFamily,
    check_feature_family,
    families,
    monotone_constraints,
    register_family,
    registered,
    unregister_family,
)
from arrearsrisk.features.checks import CHECK_AS_OF, check_ledger
from arrearsrisk.features.family import CONTEXTS
from arrearsrisk.features.texts import CategoryText, NameAndValue, NumberText, zh_en
from arrearsrisk.scoring.reasons import describe, top_reasons
from tests.strategies import ledgers_with_as_of

AS_OF = "2024-04-30"


# --- a toy family ----------------------------------------------------------------------


def _toy_build(s: Snapshot) -> dict[str, Any]:
    due = s.b_is_due & s.in_window(s.b_due, 3)
    return {
        "toy_due_bills_count_3m": s.per_customer(s.b_cust[due]),
        "toy_bill_band": pd.Categorical(
            np.where(np.isnan(s.exposure), None, np.where(s.exposure > 500, "high", "low")),
            categories=["high", "low"],
        ),
    }


TOY = FeatureFamily(
    name="toy",
    names=("toy_due_bills_count_3m", "toy_bill_band"),
    build=_toy_build,
    monotone={"toy_due_bills_count_3m": 1},
    reasons={
        "toy_due_bills_count": NumberText(
            zh_en("近{w}个月玩具到期{v:.0f}笔", "{v:.0f} toy bills due in {w} months")
        ),
        "toy_bill_band": CategoryText(zh_en("玩具档位{v}", "toy band {v}")),
    },
    summary="a family defined in a test",
)


def _with(**changes: Any) -> FeatureFamily:
    return dataclasses.replace(TOY, **changes)


def _builder(change: Callable[[dict[str, Any], Snapshot], dict[str, Any]]) -> FeatureFamily:
    return _with(build=lambda s: change(_toy_build(s), s))


# --- every registered family keeps the contract ---------------------------------------


@pytest.mark.parametrize("family", families(), ids=lambda f: f.name)
def test_every_registered_family_keeps_the_contract(family, tables):
    check_feature_family(family)
    check_feature_family(family, ar.Ledger(**tables), AS_OF)


@settings(max_examples=12, deadline=None)
@given(ledgers_with_as_of())
def test_every_registered_family_keeps_the_contract_on_generated_ledgers(case):
    ledger, as_of = case
    for family in families():
        check_feature_family(family, ledger, as_of)


def test_the_toy_family_keeps_the_contract(tables):
    check_feature_family(TOY)
    check_feature_family(TOY, ar.Ledger(**tables))  # as_of: halfway through the bills


def test_the_built_in_families_come_first_in_output_order():
    assert families()[: len(FAMILIES)] == FAMILIES
    assert ar.feature_names()[: sum(len(f.names) for f in FAMILIES)] == [
        n for f in FAMILIES for n in f.names
    ]


def test_the_check_ledger_has_a_future_to_rewrite():
    ledger = check_ledger()
    assert (ledger.bills["issue_date"] > CHECK_AS_OF).any()
    assert (ledger.payments["paid_date"] > CHECK_AS_OF).any()
    assert ledger.attribute_columns == ["substation", "peak_load_kw"]


# --- a family missing a declaration is refused -----------------------------------------

MISSING_DECLARATIONS = {
    "no name": ({"name": ""}, r"name must be a non-empty str"),
    "no names": ({"names": ()}, r"no names"),
    "names not a tuple": ({"names": ["toy_due_bills_count_3m"]}, r"no names"),
    "name twice": (
        {"names": ("toy_bill_band", "toy_bill_band")},
        r"name 'toy_bill_band' is declared twice",
    ),
    "label name": ({"names": ("toy_bill_band", "grade")}, r"name 'grade' is an id or label"),
    "no builder": ({"build": None}, r"no builder"),
    "no monotone": ({"monotone": None}, r"no monotone directions"),
    "monotone of another family": (
        {"monotone": {"late_streak": 1}},
        r"monotone names 'late_streak', not a feature of the family",
    ),
    "monotone not a sign": (
        {"monotone": {"toy_due_bills_count_3m": 2}},
        r"monotone direction of 'toy_due_bills_count_3m' must be -1, 0 or 1, got 2",
    ),
    "monotone a bool": (
        {"monotone": {"toy_due_bills_count_3m": True}},
        r"must be -1, 0 or 1, got True",
    ),
    "no reasons": ({"reasons": None}, r"no reason texts"),
    "no reason for a feature": (
        {"reasons": {"toy_bill_band": TOY.reasons["toy_bill_band"]}},
        r"no reason text for 'toy_due_bills_count_3m' \(in zh and en\)",
    ),
    "no English": (
        {"reasons": {**TOY.reasons, "toy_bill_band": CategoryText({"zh": "玩具档位{v}"})}},
        r"reason text 'toy_bill_band' has no 'en' text",
    ),
    "empty Chinese": (
        {"reasons": {**TOY.reasons, "toy_bill_band": CategoryText(zh_en(" ", "band {v}"))}},
        r"reason text 'toy_bill_band' has no 'zh' text",
    ),
    "broken template": (
        {"reasons": {**TOY.reasons, "toy_bill_band": CategoryText(zh_en("{x}", "{v}"))}},
        r"reason text of 'toy_bill_band' fails in 'zh'.*KeyError",
    ),
    "not a reason text": (
        {"reasons": {**TOY.reasons, "toy_bill_band": "toy band"}},
        r"reason text 'toy_bill_band' is not a ReasonText",
    ),
    "unknown context": ({"needs": ("weather",)}, r"needs unknown context 'weather'"),
    "context not taken": (
        {"needs": ("peers",)},
        r"builder does not take the context 'peers' it needs",
    ),
    "extra columns without default text": (
        {"extra_names": lambda ledger: ledger.attribute_columns},
        r"extra_names needs a default_reason",
    ),
}


@pytest.mark.parametrize(
    ("changes", "message"), MISSING_DECLARATIONS.values(), ids=MISSING_DECLARATIONS.keys()
)
def test_a_family_missing_a_declaration_is_refused(changes, message):
    family = _with(**changes)
    with pytest.raises(FeatureFamilyError, match=message) as err:
        check_feature_family(family)
    assert err.value.family == (family.name or "''")
    assert "breaks its contract" in str(err.value)
    with pytest.raises(FeatureFamilyError, match=message):
        register_family(family)
    assert families() == FAMILIES


def test_every_fault_is_listed_at_once():
    with pytest.raises(FeatureFamilyError) as err:
        check_feature_family(_with(build=None, monotone=None, reasons=None))
    text = str(err.value)
    assert text.startswith("feature family 'toy' breaks its contract:")
    assert all(m in text for m in ("no builder", "no monotone", "no reason texts"))


def test_a_default_reason_covers_features_without_a_text():
    check_feature_family(_with(reasons={}, default_reason=NameAndValue()))


def test_something_not_a_family_is_refused():
    with pytest.raises(FeatureFamilyError, match="must be a FeatureFamily, got dict"):
        check_feature_family({"name": "toy"})  # type: ignore[arg-type]


# --- a builder breaking a rule is refused ----------------------------------------------


def _leaky(out: dict[str, Any], s: Snapshot) -> dict[str, Any]:
    # Counts every bill of the ledger, the future ones too.
    codes = pd.Index(s.customer_ids).get_indexer(s.ledger.bills["customer_id"])
    return {**out, "toy_due_bills_count_3m": np.bincount(codes, minlength=s.n).astype(float)}


def _per_customer(s: Snapshot, ids: pd.Series, weights: Any = None) -> np.ndarray:
    codes = pd.Index(s.customer_ids).get_indexer(ids)
    return np.bincount(codes, weights=weights, minlength=s.n).astype(float)


def _leaky_payments(out: dict[str, Any], s: Snapshot) -> dict[str, Any]:
    # Sums every payment of the ledger: the future ones too.
    pays = s.ledger.payments
    return {**out, "toy_due_bills_count_3m": _per_customer(s, pays["customer_id"], pays["amount"])}


def _leaky_amounts(out: dict[str, Any], s: Snapshot) -> dict[str, Any]:
    # The same count of bills, but whether the largest bill of the whole ledger is known.
    top = s.ledger.bills["amount"].max()
    return {
        **out,
        "toy_due_bills_count_3m": np.where(np.isin(s.b_amount, top).any(), 1.0, 0.0) * np.ones(s.n),
    }


def _leaky_customers(out: dict[str, Any], s: Snapshot) -> dict[str, Any]:
    # How many accounts the ledger has, opened by as_of or not.
    return {**out, "toy_due_bills_count_3m": np.full(s.n, float(len(s.ledger.customers)))}


def _shifty(out: dict[str, Any], s: Snapshot) -> dict[str, Any]:
    # Numbers while there are bills, text before the first one.
    band = out["toy_bill_band"]
    return {**out, "toy_bill_band": band if len(s.b_cust) else np.full(s.n, np.nan)}


_counter = iter(range(10**9))

BROKEN_BUILDERS = {
    "names in another order": (
        lambda out, s: dict(reversed(out.items())),
        r"built \['toy_bill_band', 'toy_due_bills_count_3m'\], not its declared columns",
    ),
    "a column missing": (
        lambda out, s: {"toy_bill_band": out["toy_bill_band"]},
        r"not its declared columns \['toy_due_bills_count_3m', 'toy_bill_band'\]",
    ),
    "a column undeclared": (
        lambda out, s: {**out, "toy_more": out["toy_due_bills_count_3m"]},
        r"built \[.*'toy_more'\], not its declared",
    ),
    "not a mapping": (lambda out, s: list(out.values()), r"built list, not its declared"),
    "integers": (
        lambda out, s: {**out, "toy_due_bills_count_3m": np.zeros(s.n, dtype=np.int64)},
        r"column 'toy_due_bills_count_3m' is int64, not float64 numbers or a pandas",
    ),
    "text as objects": (
        lambda out, s: {**out, "toy_bill_band": np.asarray(out["toy_bill_band"], dtype=object)},
        r"column 'toy_bill_band' is object, not float64",
    ),
    "a value short": (
        lambda out, s: {**out, "toy_due_bills_count_3m": np.zeros(s.n - 1)},
        r"column 'toy_due_bills_count_3m' has shape \(4,\), not one value per customer .*\(5\)",
    ),
    "a grid": (
        lambda out, s: {**out, "toy_due_bills_count_3m": np.zeros((s.n, 2))},
        r"has shape \(5, 2\), not one value per customer",
    ),
    "random": (
        lambda out, s: {**out, "toy_due_bills_count_3m": np.full(s.n, float(next(_counter)))},
        r"column 'toy_due_bills_count_3m' differs when built twice \(not deterministic\)",
    ),
    "leaky": (
        _leaky,
        r"column 'toy_due_bills_count_3m' changes when the bills and payments dated after "
        r"2024-06-30 are dropped \(leakage\)",
    ),
    "leaky through payments": (_leaky_payments, r"are dropped \(leakage\)"),
    "leaky through amounts": (_leaky_amounts, r"are altered \(leakage\)"),
    "leaky through customers": (_leaky_customers, r"are added to \(leakage\)"),
    "unstable dtype": (_shifty, r"column 'toy_bill_band' is category at 2024-06-30 but float64"),
    "failing": (lambda out, s: 1 / 0, r"the builder failed at 2024-06-30: ZeroDivisionError"),
}


@pytest.mark.parametrize(
    ("change", "message"), BROKEN_BUILDERS.values(), ids=BROKEN_BUILDERS.keys()
)
def test_a_builder_breaking_the_contract_is_refused(change, message):
    with pytest.raises(FeatureFamilyError, match=message) as err:
        check_feature_family(_builder(change))
    assert str(err.value).startswith("feature family 'toy'")


def test_a_text_failing_on_a_built_value_is_refused():
    # Renders for 0, 1 and NaN, but not for the text levels the builder gives.
    number = NumberText(zh_en("档位{v:.0f}", "band {v:.0f}"))
    with pytest.raises(FeatureFamilyError, match=r"reason text of 'toy_bill_band' fails .*'high'"):
        check_feature_family(_with(reasons={**TOY.reasons, "toy_bill_band": number}))


# --- a user's family in the registry ---------------------------------------------------


def test_a_registered_family_is_built_named_constrained_described_and_removed(tables):
    ledger = ar.Ledger(**tables)
    before = ar.build_features(ledger, AS_OF)
    assert "toy" not in [f.name for f in families()]
    with registered(TOY):
        assert families()[-1] is TOY
        feats = ar.build_features(ledger, AS_OF)
        assert list(feats.columns) == [*before.columns, *TOY.names]
        assert ar.feature_names()[-2:] == list(TOY.names)
        assert list(feats.columns) == ar.feature_names(ledger)
        pd.testing.assert_frame_equal(feats[before.columns], before)
        assert feats.loc["C1", "toy_due_bills_count_3m"] == 3
        assert feats["toy_bill_band"].dtype == "category"
        assert feats.loc["C1", "toy_bill_band"] == "high"
        assert monotone_constraints(["toy_due_bills_count_3m", "toy_bill_band"]) == [1, 0]
        assert describe("toy_due_bills_count_3m", 3.0, "en") == "3 toy bills due in 3 months"
        assert describe("toy_bill_band", "low") == "玩具档位low"
        contrib = np.array([[0.0, 2.0, 1.0, 0.0]])
        assert top_reasons(contrib, feats.iloc[:1], list(feats.columns[-3:]), "en") == [
            "3 toy bills due in 3 months; toy band high"
        ]
        # Its names are reserved: an extra customer column may not take them.
        tables["customers"]["toy_bill_band"] = ["a", "b"]
        with pytest.raises(ar.LedgerError, match="extra column 'toy_bill_band' has the name"):
            ar.build_features(ar.Ledger(**tables), AS_OF)
    assert "toy" not in [f.name for f in families()]
    assert families() == FAMILIES
    pd.testing.assert_frame_equal(ar.build_features(ledger, AS_OF), before)
    assert monotone_constraints(["toy_due_bills_count_3m"]) == [0]
    assert describe("toy_due_bills_count_3m", 3.0, "en") == "toy_due_bills_count_3m: 3.0"
    # Once the family is gone, the name is free for an extra customer column again.
    assert "toy_bill_band" in ar.build_features(ar.Ledger(**tables), AS_OF).columns


def test_register_and_unregister_by_hand():
    assert register_family(TOY) is TOY
    try:
        with pytest.raises(FeatureFamilyError, match="a family named 'toy' is registered already"):
            register_family(TOY)
    finally:
        assert unregister_family("toy") is TOY
    with pytest.raises(FeatureFamilyError, match="no feature family 'toy' is registered"):
        unregister_family("toy")


def test_a_family_taking_a_registered_feature_name_is_refused():
    thief = _with(
        name="thief",
        names=("late_streak",),
        build=lambda s: {"late_streak": np.zeros(s.n)},
        monotone={},
        reasons={},
        default_reason=NameAndValue(),
    )
    check_feature_family(thief)  # fine on its own
    with pytest.raises(
        FeatureFamilyError, match="feature 'late_streak' belongs to family 'payments' already"
    ):
        register_family(thief)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_built_in_families_cannot_be_unregistered(family):
    with pytest.raises(FeatureFamilyError, match=f"'{family.name}' is built in"):
        unregister_family(family.name)
    assert families() == FAMILIES


def _regions(ledger: ar.Ledger) -> list[str]:
    return [f"toy_in_{r}" for r in sorted(ledger.customers["region"].dropna().unique())]


def test_a_family_with_context_and_extra_columns(tables):
    # A builder gets exactly the context it declares; its extra columns follow its names.
    seen: list[Any] = []

    def build(s: Snapshot, peers: ar.PeerContext | None, reserved: Any) -> dict[str, Any]:
        seen.append(peers)
        assert {"late_streak", "customer_id", "grade", *TOY.names} <= reserved
        region = s.ledger.customers["region"].iloc[s.c_row].to_numpy()
        extra = {c: (region == c[len("toy_in_") :]).astype(float) for c in _regions(s.ledger)}
        return {**_toy_build(s), **extra}

    family = _with(
        build=build,
        needs=tuple(CONTEXTS),
        extra_names=_regions,
        default_reason=NameAndValue(),
    )
    with registered(family):  # registered: its own names are reserved too
        check_feature_family(family)
    assert seen and all(p is None for p in seen)  # the check passes no peers: its own
    ledger = ar.Ledger(**tables)
    with registered(family):
        ctx = ar.peer_context(ledger, AS_OF)
        feats = ar.build_features(ledger, AS_OF, peers=ctx)
        assert seen[-1] is ctx
        assert list(feats.columns[-4:]) == [*TOY.names, "toy_in_East", "toy_in_West"]
        assert feats["toy_in_East"].tolist() == [1.0, 0.0]
        assert ar.feature_names(ledger)[-2:] == ["toy_in_East", "toy_in_West"]
        assert ar.feature_names()[-1] == "toy_bill_band"  # without a ledger: declared names
        assert describe("toy_in_East", 1.0, "en") == "toy_in_East: 1.0"


def test_the_package_docstring_tables_every_built_in_family():
    import arrearsrisk.features as features

    table = features.__doc__ or ""
    assert all(f"\n{family.name} " in table for family in FAMILIES)


def test_a_family_building_another_family_s_column_is_refused_in_batch_and_one_account(tables):
    # extra_names comes from the ledger, so registering cannot see the clash: building does
    from arrearsrisk.features.one_account import account_features

    def build(s: Snapshot) -> dict[str, Any]:
        return {**_toy_build(s), "arrears_amount": np.zeros(len(s.customer_ids))}

    clash = _with(
        extra_names=lambda ledger: ["arrears_amount"], build=build, default_reason=NameAndValue()
    )
    ledger = ar.Ledger(**tables)
    message = r"feature family 'toy' built columns another family built: \['arrears_amount'\]"
    with registered(clash):
        with pytest.raises(FeatureFamilyError, match=message):
            ar.build_features(ledger, AS_OF)
        with pytest.raises(FeatureFamilyError, match=message):
            account_features(ledger.subset(["C1"]), AS_OF)

"""What ``score`` refuses about its inputs: features of another date, an attribute whose
type changed since training, an ``as_of`` outside the data (issue 10, items 3, 4, 6)."""

from __future__ import annotations

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.models.risk_model import FeatureSpec, RiskModel

AS_OF = "2024-04-30"


def with_attribute(model: RiskModel, name: str) -> RiskModel:
    """The sample model reading its input ``voltage_kv`` from an attribute ``name``."""
    names = tuple(name if n == "voltage_kv" else n for n in model.spec.names)
    return RiskModel(
        model.boosters,
        FeatureSpec(names, dict(model.spec.categories)),
        model.calibrators,
        model.cutoff_I,
        model.cutoff_I_II,
        model.warning_threshold,
        model.info,
        model.version,
    )


def test_features_carry_their_date(tables):
    feats = ar.build_features(ar.Ledger(**tables), AS_OF)
    assert feats.attrs["as_of"] == pd.Timestamp(AS_OF)
    assert feats.loc[["C1"]].attrs["as_of"] == pd.Timestamp(AS_OF)


def test_features_of_another_date_are_refused(tables, sample_model):
    ledger = ar.Ledger(**tables)
    feats = ar.build_features(ledger, "2024-03-31")
    with pytest.raises(
        ar.ArrearsRiskError,
        match=r"features were built as of 2024-03-31, scores are asked as of 2024-04-30\.\n"
        r"  hint: build the features at the scoring date",
    ):
        ar.score(ledger, AS_OF, sample_model, features=feats)


def test_features_without_a_date_are_refused(tables, sample_model):
    ledger = ar.Ledger(**tables)
    feats = ar.build_features(ledger, AS_OF)
    feats.attrs.clear()
    with pytest.raises(ar.ArrearsRiskError, match=r"features carry no date"):
        ar.score(ledger, AS_OF, sample_model, features=feats)


def test_features_of_the_same_date_give_the_same_scores(tables, sample_model):
    ledger = ar.Ledger(**tables)
    feats = ar.build_features(ledger, "2024-04")  # the month's end
    pd.testing.assert_frame_equal(
        ar.score(ledger, AS_OF, sample_model, features=feats),
        ar.score(ledger, AS_OF, sample_model),
    )


def test_a_numeric_attribute_now_holding_text_is_refused_by_name(tables, sample_model):
    model = with_attribute(sample_model, "floors")
    tables["customers"]["floors"] = [3.0, 5.0]
    assert len(ar.score(ar.Ledger(**tables), AS_OF, model)) == 2  # numbers: fine
    tables["customers"]["floors"] = ["3", "unknown"]
    with pytest.raises(
        ar.LedgerError,
        match=r"customers: column 'floors' held numbers when the model was trained but now "
        r"holds text in 1 of 2 customers: C2 \('unknown'\)",
    ) as err:
        ar.score(ar.Ledger(**tables), AS_OF, model)
    assert (err.value.table, err.value.column, err.value.rule) == (
        "customers",
        "floors",
        "attribute_type",
    )


def test_a_numeric_attribute_that_became_an_identifier_is_refused(sample_model):
    n = 30
    ids = [f"C{i:02d}" for i in range(n)]
    tabs = {
        "customers": pd.DataFrame(
            {
                "customer_id": ids,
                "category": ["commercial"] * n,
                "income": [f"{1000 + i}" for i in range(n - 1)] + ["unknown"],
            }
        ),
        "bills": pd.DataFrame(
            {
                "customer_id": ids,
                "period": ["2024-03"] * n,
                "issue_date": ["2024-04-01"] * n,
                "due_date": ["2024-04-15"] * n,
                "kwh": [1.0] * n,
                "amount": [1.0] * n,
            }
        ),
        "payments": pd.DataFrame(
            {"customer_id": ids, "paid_date": ["2024-04-10"] * n, "amount": [1.0] * n}
        ),
    }
    with pytest.warns(ar.LedgerWarning, match="'income' looks like a per-customer identifier"):
        ledger = ar.Ledger(**tabs)
    with pytest.raises(ar.LedgerError, match="column 'income' is an input of the model"):
        ar.score(ledger, AS_OF, with_attribute(sample_model, "income"))


@pytest.mark.parametrize(
    ("as_of", "message"),
    [("2021-06-30", "is before the ledger's data"), ("2027-06-30", "more than a month after")],
)
def test_scoring_outside_the_data_gives_a_warning(tables, sample_model, as_of, message):
    with pytest.warns(ar.LedgerWarning, match=message):
        ar.score(ar.Ledger(**tables), as_of, sample_model)


def test_scoring_at_a_month_and_an_int(tables, sample_model):
    ledger = ar.Ledger(**tables)
    scores = ar.score(ledger, "2024-04", sample_model)
    assert scores["as_of"].unique().tolist() == [pd.Timestamp("2024-04-30")]
    with pytest.raises(ar.ArrearsRiskError, match="is a number, not a date"):
        ar.score(ledger, 20240430, sample_model)


@pytest.mark.filterwarnings("ignore:policy:arrearsrisk.errors.LedgerWarning")
def test_no_score_shows_a_negative_exposure(tables, sample_model):
    credit = {
        "customer_id": "C2",
        "period": "2024-03",
        "issue_date": "2024-04-01",
        "due_date": "2024-04-15",
        "kwh": 0.0,
        "amount": -9000.0,
        "estimated": False,
    }
    tables["bills"] = pd.concat([tables["bills"], pd.DataFrame([credit])], ignore_index=True)
    scores = ar.score(ar.Ledger(**tables), AS_OF, sample_model, reasons="all", lang="en")
    assert scores.set_index("customer_id").loc["C2", "exposure"] == 0.0
    assert not scores["reasons"].str.contains("average monthly bill CNY -").any()
    # Even graded I, C2's plan reads a bill of 0, never a negative one.
    risky = scores.assign(grade="I", p_I=0.9, p_II=0.05, p_III=0.05)
    plans = ar.risk_plans(risky, ar.Ledger(**tables), "en")
    texts = " ".join(map(str, plans.to_numpy().ravel()))
    assert "C2" in plans["customer_id"].tolist()
    assert "CNY -" not in texts and "-9,000" not in texts

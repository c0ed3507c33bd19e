"""Safety flags are never lost silently: whatever spelling of the header the ledger
accepts, a high-hazard customer never gets the disconnection procedure, and a customer
whose flag is unknown (no column, or an empty cell) gets a held procedure that says
why, in Chinese and English, with a LedgerWarning."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import arrearsrisk as ar
from arrearsrisk.plans import risk_plans

AS_OF = "2025-09-30"
HAZARD_SPELLINGS = [
    "high_hazard",
    "High_Hazard",
    "HIGH_HAZARD",
    " high_hazard ",
    "high_hazard\u3000",
]


def ledger_of(customers: dict[str, list[object]]) -> tuple[pd.DataFrame, ar.Ledger]:
    """Grade I customers in debt for a month (disconnection applies unless a flag
    forbids it), with the customer columns given."""
    ids = customers["customer_id"]
    n = len(ids)
    table = pd.DataFrame({"category": ["industrial"] * n, **customers})
    bills = pd.DataFrame(
        {
            "customer_id": ids,
            "period": "2025-08",
            "issue_date": "2025-09-01",
            "due_date": "2025-09-15",
            "kwh": 100.0,
            "amount": 800.0,
        }
    )
    payments = pd.DataFrame(columns=["customer_id", "paid_date", "amount"])
    scores = pd.DataFrame(
        {
            "customer_id": ids,
            "as_of": AS_OF,
            "grade": "I",
            "p_I": 0.8,
            "a_warning": False,
            "exposure": 800.0,
            "arrears": 1600.0,
        }
    )
    return scores, ar.Ledger(customers=table, bills=bills, payments=payments)


def codes(plans: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    return dict(zip(plans["customer_id"], plans["measure_codes"], strict=True))


def quiet_plans(scores: pd.DataFrame, ledger: ar.Ledger, lang: str = "en") -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        return risk_plans(scores, ledger, lang)


@pytest.mark.parametrize("header", HAZARD_SPELLINGS)
def test_every_accepted_spelling_of_the_header_is_honoured(header):
    scores, ledger = ledger_of(
        {"customer_id": ["C1", "C2"], header: [True, False], "budget_funded": [False, False]}
    )
    plans = risk_plans(scores, ledger, "en")  # both flags known: no warning
    got = codes(plans)
    assert "disconnection" not in got["C1"] and "disconnection_hold" not in got["C1"]
    assert "disconnection" in got["C2"]
    assert plans.set_index("customer_id")["high_hazard"].to_dict() == {"C1": True, "C2": False}


@pytest.mark.parametrize("header", HAZARD_SPELLINGS[:4])
def test_the_spelling_is_honoured_through_a_csv_file_too(tmp_path, header):
    scores, ledger = ledger_of(
        {"customer_id": ["C1", "C2"], header: ["是", "否"], "budget_funded": ["否", "否"]}
    )
    ledger.customers.rename(columns={"high_hazard": header}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    ledger.bills.to_csv(tmp_path / "bills.csv", index=False)
    ledger.payments.to_csv(tmp_path / "payments.csv", index=False)
    read = ar.read_ledger(tmp_path)
    got = codes(risk_plans(scores, read, "en"))
    assert "disconnection" not in got["C1"] and "disconnection" in got["C2"]


def test_without_the_column_no_one_is_disconnected_and_the_plan_says_so():
    scores, ledger = ledger_of({"customer_id": ["C1"], "budget_funded": [False]})
    with pytest.warns(
        ar.LedgerWarning,
        match=r"customers: the ledger has no 'high_hazard' column: measure 'disconnection' "
        r"\(the lawful disconnection procedure\) is held for 1 customer\(s\)",
    ):
        en = risk_plans(scores, ledger, "en")
    with pytest.warns(ar.LedgerWarning, match="high_hazard"):
        zh = risk_plans(scores, ledger, "zh")
    assert "disconnection" not in en.loc[0, "measure_codes"]
    assert en.loc[0, "measure_codes"][-1] == "disconnection_hold"
    held_en, held_zh = en.loc[0, "measures"][-1], zh.loc[0, "measures"][-1]
    assert (
        held_en.reason == "the ledger has no high-hazard flag: verify by hand before any suspension"
    )
    assert held_zh.reason == "台账缺少高危用户标识，停电程序须人工核实"
    assert held_zh.name == "停电程序暂缓：人工核实客户标识"
    assert held_en.steps == () and held_en.amount is None
    long = ar.plan_measures(en)
    assert long.loc[long["code"] == "disconnection_hold", "kind"].tolist() == ["action"]


def test_an_empty_cell_holds_only_that_customer():
    scores, ledger = ledger_of(
        {
            "customer_id": ["C1", "C2", "C3"],
            "high_hazard": ["no", "", None],
            "budget_funded": [False, False, False],
        }
    )
    with pytest.warns(
        ar.LedgerWarning, match=r"'high_hazard' is empty for some customers.*held for 2"
    ):
        plans = risk_plans(scores, ledger, "zh")
    got = codes(plans)
    assert "disconnection" in got["C1"]
    for cid in ("C2", "C3"):
        assert "disconnection" not in got[cid] and "disconnection_hold" in got[cid]
    held = plans.set_index("customer_id").loc["C2", "measures"][-1]
    assert held.reason == "台账中该户高危用户标识为空，停电程序须人工核实"


def test_an_unknown_budget_funded_flag_holds_the_procedure_too():
    scores, ledger = ledger_of(
        {"customer_id": ["C1", "C2"], "high_hazard": [False, False], "budget_funded": [None, False]}
    )
    with pytest.warns(ar.LedgerWarning, match=r"'budget_funded' is empty for some customers"):
        plans = risk_plans(scores, ledger, "en")
    got = codes(plans)
    assert "disconnection" in got["C2"]
    assert "disconnection" not in got["C1"]
    held = plans.set_index("customer_id").loc["C1", "measures"][-1]
    assert held.reason == (
        "this customer's budget-funded flag is empty in the ledger: verify by hand before "
        "any suspension"
    )


def test_both_flags_missing_are_both_named():
    scores, ledger = ledger_of({"customer_id": ["C1"]})
    with pytest.warns(
        ar.LedgerWarning, match=r"no 'high_hazard' column; the ledger has no 'budget_funded' column"
    ):
        plans = risk_plans(scores, ledger, "en")
    assert plans.loc[0, "measures"][-1].reason == (
        "the ledger has no high-hazard flag: verify by hand before any suspension; "
        "the ledger has no budget-funded flag: verify by hand before any suspension"
    )


def test_a_known_no_to_every_flag_is_not_held_and_warns_nothing():
    scores, ledger = ledger_of(
        {"customer_id": ["C1"], "high_hazard": [False], "budget_funded": [False]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plans = risk_plans(scores, ledger, "en")
    assert plans.loc[0, "measure_codes"][-1] == "disconnection"


FLAG = st.sampled_from([True, False, None, "是", "否", "", "yes", "N"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hazards=st.lists(FLAG, min_size=1, max_size=6),
    funded=st.lists(FLAG, min_size=6, max_size=6),
    header=st.sampled_from([*HAZARD_SPELLINGS, None]),
)
def test_no_spelling_or_value_of_a_safety_flag_leads_to_disconnection_unless_known_no(
    hazards, funded, header
):
    n = len(hazards)
    ids = [f"C{i}" for i in range(n)]
    columns: dict[str, list[object]] = {"customer_id": ids, "budget_funded": funded[:n]}
    if header is not None:
        columns[header] = hazards
    scores, ledger = ledger_of(columns)
    plans = quiet_plans(scores, ledger)
    no, yes = {False, "否", "N"}, {True, "是", "yes"}
    for i, cid in enumerate(ids):
        got = codes(plans)[cid]
        hazard = hazards[i] if header is not None else None
        allowed = hazard in no and funded[i] in no
        assert ("disconnection" in got) == allowed, (cid, hazard, funded[i], header)
        held = not allowed and hazard not in yes and funded[i] not in yes
        assert ("disconnection_hold" in got) == held, (cid, hazard, funded[i], header)

"""One month's counts against a slow twin: ar.score's own output grouped by pandas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.monitoring import Thresholds, build_reference, monitor
from arrearsrisk.monitoring.month import month_counts
from arrearsrisk.monitoring.pooling import SegmentPlan

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def setup() -> tuple[ar.Ledger, ar.RiskModel, object, SegmentPlan]:
    ledger = ar.read_ledger(ROOT / "data" / "sample")
    model = ar.load_model(ROOT / "models" / "sample")
    ref = build_reference(ledger, model, ["2024-06-30", "2024-12-31"])
    sizes = ref.moments["p_I"][:, :, 0].sum(axis=1) / len(ref.months)
    return ledger, model, ref, SegmentPlan.from_sizes(ref.segments, sizes, 150)


def test_month_counts_equal_score_grouped_by_pandas(setup) -> None:
    ledger, model, ref, plan = setup
    month = month_counts(ledger, model, AS_OF, ref, plan)
    scores = ar.score(ledger, AS_OF, model, reasons="none")
    assert month.scores["customer_id"].tolist() == scores["customer_id"].tolist()
    np.testing.assert_allclose(month.scores["p_I"], scores["p_I"], rtol=1e-12)
    customers = ledger.customers.set_index("customer_id").loc[scores["customer_id"]]
    frame = scores.assign(
        region=customers["region"].to_numpy(),
        category=customers["category"].to_numpy(),
        grade_I=(scores["grade"] == "I").to_numpy(),
        in_arrears=(scores["arrears"] > 0).to_numpy(),
    )
    for key in plan.keys:
        if key == "all":
            part = frame
        elif key.startswith(("region=", "category=")) and " & " not in key and "(other)" not in key:
            kind, value = key.split("=")
            part = frame[frame[kind] == value]
        else:
            continue
        j = plan.keys.index(key)
        n, s, ss = month.moments["p_I"][j]
        assert n == len(part), key
        assert s == pytest.approx(part["p_I"].sum()) and ss == pytest.approx(
            (part["p_I"] ** 2).sum()
        )
        assert month.moments["grade_I"][j, 1] == part["grade_I"].sum()
        assert month.moments["in_arrears"][j, 1] == part["in_arrears"].sum()
        assert month.moments["arrears_amount"][j, 1] == pytest.approx(part["arrears"].sum())
        # the grade mix: I (not warned), II, III, warned
        mix = month.counts["grade"][j]
        warned = part["a_warning"].to_numpy()
        assert mix[3] == warned.sum()
        assert mix[0] == ((part["grade"] == "I") & ~warned).sum()
        assert mix[1] + mix[2] == (part["grade"] != "I").sum()


def test_bills_of_the_month_by_a_twin(setup) -> None:
    ledger, model, ref, plan = setup
    month = month_counts(ledger, model, AS_OF, ref, plan)
    bills = ledger.bills
    issued = bills[(bills["issue_date"] >= "2025-06-01") & (bills["issue_date"] <= AS_OF)]
    scored = set(month.scores["customer_id"])
    issued = issued[issued["customer_id"].isin(scored)]
    num, den = month.quality["estimated"][0]
    assert den == len(issued)
    assert num == issued["estimated"].fillna(False).astype(bool).sum()
    num, den = month.quality["no_bill"][0]
    assert den == len(scored)
    assert num == len(scored - set(issued["customer_id"]))


def test_thresholds_change_verdicts_not_values(setup) -> None:
    ledger, model, ref, _ = setup
    loose = monitor(ledger, model, ["2025-05", "2025-06"], reference=ref)
    strict = monitor(
        ledger,
        model,
        ["2025-05", "2025-06"],
        reference=ref,
        thresholds=Thresholds(p_watch=1e-3, psi_watch=0.0),
    )
    key = ["month", "check", "segment", "item"]
    a = loose.table.set_index(key).sort_index()
    b = strict.table.set_index(key).sort_index()
    np.testing.assert_allclose(a["value"], b["value"], equal_nan=True)
    psi = a.index.get_level_values("check") == "feature_psi"
    assert (b["verdict"][psi] != "stable").sum() >= (a["verdict"][psi] != "stable").sum()
    assert list(pd.unique(loose.table["month"])) == ["2025-05", "2025-06"]
    assert loose.table.query("check == 'grade_migration'")["month"].unique().tolist() == ["2025-06"]

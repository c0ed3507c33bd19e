"""A local downturn the simulator injects is detected; the same world without it is not
flagged; estimated performance tracks matured performance.

One model is trained on 2024 (its labels mature by 2025-04-30, before the shock), then
monitored through 2025 on two ledgers of the same seed: one where the firms of the
Dongcheng station fall into distress from 2025-07 (``Shock(42, region="Dongcheng")``)
and one without.  The shock draws no random numbers, so both are the same world up to
2025-06.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.monitoring import JUDGED_CHECKS, Monitoring, Thresholds, monitor
from arrearsrisk.sample import Shock, simulate_ledger

pytestmark = pytest.mark.slow

SHOCK_START = "2025-07"  # period 42 of a ledger starting 2022-01
REGION = "region=Dongcheng"
RISK_CHECKS = ("arrears", "score_shift", "grade_I_share", "score_psi")
THRESHOLDS = Thresholds(min_customers=100)


def _ledger(shocks: list[Shock]) -> ar.Ledger:
    tables = simulate_ledger(3000, 48, "2022-01", seed=5, downturn=False, shocks=shocks)
    return ar.Ledger(customers=tables.customers, bills=tables.bills, payments=tables.payments)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    shocked = _ledger([Shock(42, region="Dongcheng", strength=1.0)])
    calm = _ledger([])
    cutoffs = list(pd.date_range("2024-01-31", "2024-12-31", freq="ME"))
    frame = ar.training_frame(shocked, cutoffs)
    folder = tmp_path_factory.mktemp("model") / "bundle"
    result = ar.train(
        frame,
        track=False,
        num_boost_round=40,
        test_months=2,
        valid_months=2,
        seed=1,
        save_to=folder,
    )
    model = ar.load_model(folder)  # the reference travels in the bundle
    months = ("2025-01", "2025-12")
    return {
        "shocked": shocked,
        "calm": calm,
        "frame": frame,
        "calm_frame": ar.training_frame(calm, cutoffs),
        "model": model,
        "trained": result.model,
        "with_shock": monitor(shocked, model, months, thresholds=THRESHOLDS),
        "without": monitor(calm, model, months, thresholds=THRESHOLDS),
    }


def test_the_shock_is_the_only_difference_before_it_starts(runs) -> None:
    shocked, calm = runs["shocked"], runs["calm"]
    before = shocked.bills["period"] < SHOCK_START
    pd.testing.assert_frame_equal(
        shocked.bills[before].reset_index(drop=True),
        calm.bills[calm.bills["period"] < SHOCK_START].reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(runs["frame"], runs["calm_frame"])  # same training data
    a, b = runs["with_shock"].table, runs["without"].table
    drift = ~a["check"].isin(["performance", "estimate_error"])
    early = a[(a["month"] < SHOCK_START) & drift].reset_index(drop=True)
    early_b = b[(b["month"] < SHOCK_START) & ~b["check"].isin(["performance", "estimate_error"])]
    pd.testing.assert_frame_equal(early, early_b.reset_index(drop=True))


def test_the_reference_is_saved_with_the_model(runs) -> None:
    model = runs["model"]
    assert model.reference is not None
    assert model.reference == runs["trained"].reference
    months = model.reference["months"]
    assert months[0] == "2024-01-31" and months[-1] == "2024-12-31"


def test_monitor_flags_the_shocked_region_soon_after_the_shock(runs) -> None:
    result: Monitoring = runs["with_shock"]
    flags = result.first_flags("watch", RISK_CHECKS)
    region = flags[flags["segment"] == REGION]
    assert not region.empty, result.alerts("watch", RISK_CHECKS).head(20).to_string()
    first = region["first_month"].min()
    assert SHOCK_START <= first <= "2025-10"  # within three months of the start
    # the shocked region's observed arrears is the first fact to move
    arrears = result.table.query("check == 'arrears' and item == 'share' and segment == @REGION")
    late = arrears[arrears["month"] >= "2025-10"]["value"]
    early = arrears[arrears["month"] < SHOCK_START]["value"]
    assert late.min() > early.max() + 0.05


def test_no_risk_flag_for_the_region_before_the_shock_nor_without_it(runs) -> None:
    with_shock, without = runs["with_shock"], runs["without"]
    before = with_shock.alerts("watch", RISK_CHECKS)
    before = before[(before["month"] < SHOCK_START) & (before["segment"] == REGION)]
    assert before.empty, before.to_string()
    calm = without.alerts("watch", RISK_CHECKS)
    assert calm[calm["segment"] == REGION].empty, calm[calm["segment"] == REGION].to_string()


def test_false_alarms_on_stable_months_are_rare(runs) -> None:
    """Segment rows of the judged checks flagged before the shock (the portfolio row is
    left out: the simulated portfolio really drifts, its arrears accumulate)."""
    result: Monitoring = runs["with_shock"]
    segments = [s for s in result.table["segment"].unique() if s != "all"]
    rate = result.false_alarm_rate(SHOCK_START, "watch", JUDGED_CHECKS, segments)
    alerts = result.false_alarm_rate(SHOCK_START, "alert", JUDGED_CHECKS, segments)
    print(f"false-alarm rate on stable months: watch {rate:.3f}, alert {alerts:.3f}")
    assert rate <= 0.06
    assert alerts <= 0.03
    # without the shock the rate stays as low over the whole year
    calm: Monitoring = runs["without"]
    assert calm.false_alarm_rate("2026-01", "watch", JUDGED_CHECKS, segments) <= 0.06


def test_estimated_performance_tracks_matured_performance(runs) -> None:
    result: Monitoring = runs["without"]
    perf = result.performance("all").query("item == 'grade_I_precision'")
    both = perf.dropna(subset=["realised", "estimated"])
    assert set(both["month"]) == set(result.matured)
    assert result.matured == [f"2025-{m:02d}" for m in range(1, 10)]  # outcomes by 2026-01
    error = (both["estimated"] - both["realised"]).abs()
    print(
        f"|estimated - realised| Grade I precision: mean {error.mean():.3f}, max {error.max():.3f}"
    )
    assert error.mean() <= 0.08
    # months whose outcomes are not in yet carry estimates only, marked as estimated
    open_ = result.table.query("month > '2025-09' and segment == 'all'")
    assert not open_["check"].eq("performance").any()
    est = open_[open_["check"] == "estimated_performance"]
    assert est["estimated"].all() and len(est) > 0


def test_every_check_has_texts_in_both_languages(runs) -> None:
    from arrearsrisk.monitoring.texts import CHECK_TEXT, ITEM_TEXT

    table = runs["with_shock"].table
    assert set(table["check"]) <= set(CHECK_TEXT)
    for check in set(table["check"]):
        assert set(CHECK_TEXT[check]) == {"zh", "en"}
    features = set(runs["model"].spec.names)
    items = {i for i in table["item"] if "->" not in i and "," not in i} - features
    assert items <= set(ITEM_TEXT), items - set(ITEM_TEXT)
    zh = runs["with_shock"].labelled("zh")
    assert "告警" in set(zh["verdict"]) or "关注" in set(zh["verdict"])


def test_table_shape_and_grade_migration(runs) -> None:
    result: Monitoring = runs["with_shock"]
    t = result.table
    assert set(t["verdict"]) <= {"stable", "watch", "alert"}
    assert t["month"].min() == "2025-01" and t["month"].max() == "2025-12"
    mig = t.query("check == 'grade_migration' and segment == 'all' and month == '2025-02'")
    counts = mig[mig["item"].str.contains("->")].set_index("item")["value"]
    jan = result.table.query("check == 'score_psi' and segment == 'all' and month == '2025-01'")
    feb = result.table.query("check == 'score_psi' and segment == 'all' and month == '2025-02'")
    stayed = counts[
        [i for i in counts.index if not i.startswith("new") and not i.endswith("closed")]
    ]
    closed = counts[[i for i in counts.index if i.endswith("closed")]]
    new = counts[[i for i in counts.index if i.startswith("new")]]
    assert stayed.sum() + closed.sum() == jan["n"].iloc[0]  # every January customer once
    assert stayed.sum() + new.sum() == feb["n"].iloc[0]  # every February customer once
    assert result.segments["status"].str.startswith(("judged", "pooled", "skipped", "new")).all()
    assert np.isfinite(t.query("check == 'score_psi'")["value"]).all()

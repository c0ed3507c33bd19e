"""Frozen reference bins: binning rules, counts against a pandas twin, JSON round trip,
refusal of malformed references, the bundle file, and old bundles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.errors import BundleError
from arrearsrisk.monitoring import MonitoringError, MonitoringReference, monitor
from arrearsrisk.monitoring.pooling import SegmentPlan
from arrearsrisk.monitoring.reference import Binning, group_column, reference_from_scored
from arrearsrisk.monitoring.segments import segment_labels

ROOT = Path(__file__).resolve().parents[2]
OLD_BUNDLE = ROOT / "tests" / "models" / "hostile_bundle"
"""A bundle saved before monitoring references (the 2026-11-22 sample model)."""


def test_binning_by_value_for_few_whole_numbers() -> None:
    b = Binning.fit("late_bills_count_3m", np.array([0.0, 0, 1, 2, 2, 3, np.nan]))
    assert b.kind == "values" and b.cuts == (0.0, 1.0, 2.0, 3.0)
    # a value unseen in training goes to "other", a missing one to "missing"
    assert b.codes(np.array([0.0, 3.0, 7.0, np.nan, 1.0])).tolist() == [0, 3, 4, 5, 1]
    assert b.labels() == ["0", "1", "2", "3", "other", "missing"]


def test_quantile_cuts_never_sit_on_a_shared_value() -> None:
    # three values held by many customers: every cut is a midpoint between two of them
    x = np.repeat([0.05, 0.07, 0.12], [500, 300, 200])
    b = Binning.fit("rate", x, bins=10)
    assert b.kind == "quantile"
    assert b.cuts == pytest.approx((0.06, 0.095))
    assert np.bincount(b.codes(x)).tolist() == [500, 300, 200]
    # a small move of the rates keeps each group in its bin (no jump across a cut)
    assert np.bincount(b.codes(x + 0.004)).tolist() == [500, 300, 200]


def test_levels_binning() -> None:
    values = pd.Categorical(["N"] * 6 + ["S"] * 5 + ["T"] * 2 + [None])
    b = Binning.fit("region", values)
    assert b.kind == "levels" and b.levels == ("N", "S")  # T is held by fewer than 5
    assert b.codes(pd.Categorical(["S", "T", None, "N"])).tolist() == [1, 2, 3, 0]


def test_group_column_finds_peer_rates() -> None:
    frame = pd.DataFrame(
        {
            "region": ["N", "N", "N", "S", "S"] * 30,
            # leave-one-out: two values per region (with and without the customer's own)
            "rate": [0.10, 0.10, 0.11, 0.30, 0.29] * 30,
            "x": np.linspace(0, 1, 150),
        }
    )
    rows = np.arange(150)
    assert group_column(frame, "rate", rows) == "region"
    assert group_column(frame, "x", rows) == ""


def _scored(
    n: int, seed: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 4, n).astype(float),
            "arrears_amount": np.where(rng.random(n) < 0.2, rng.gamma(2, 300, n), 0.0),
            "region": pd.Categorical(rng.choice(["N", "S", "W"], n, p=[0.5, 0.4, 0.1])),
            "category": pd.Categorical(rng.choice(["residential", "industrial"], n)),
        }
    )
    frame.loc[rng.random(n) < 0.05, "x"] = np.nan
    as_of = rng.choice(pd.to_datetime(["2024-01-31", "2024-02-29", "2024-07-31"]), n)
    p1 = rng.beta(1, 8, n)
    codes = np.where(p1 > 0.3, 0, np.where(p1 > 0.1, 1, 2))
    warned = p1 > 0.6
    return frame, as_of, p1, codes, warned


def test_reference_counts_equal_a_pandas_groupby() -> None:
    frame, as_of, p1, codes, warned = _scored(3000, 0)
    ref = reference_from_scored(frame, as_of, p1, codes, warned, ["x", "k"])
    assert ref.segments[0] == "all" and "region=N & category=industrial" in ref.segments
    month = pd.DatetimeIndex(as_of).month.to_numpy()
    bins = ref.binnings["x"].codes(frame["x"])
    for key in ("all", "region=S", "category=industrial"):
        if key == "all":
            mask = np.ones(len(frame), dtype=bool)
        else:
            kind, value = key.split("=")
            mask = (frame[kind].astype(str) == value).to_numpy()
        twin = (
            pd.DataFrame({"m": month[mask], "b": bins[mask]})
            .value_counts()
            .unstack(fill_value=0)
            .reindex(columns=range(ref.binnings["x"].n_bins), fill_value=0)
        )
        mine = ref.counts["x"][ref.index(key)]
        for m in (1, 2, 7):
            assert mine[m - 1].tolist() == twin.loc[m].tolist()
        assert mine[[2, 3, 4, 5, 7, 8, 9, 10, 11]].sum() == 0
    # moments of p_I of a crossed segment
    key = "region=W & category=residential"
    mask = ((frame["region"] == "W") & (frame["category"] == "residential")).to_numpy()
    n, s, ss = ref.moments["p_I"][ref.index(key)].sum(axis=0)
    assert (n, s) == (mask.sum(), pytest.approx(p1[mask].sum()))
    assert ss == pytest.approx((p1[mask] ** 2).sum())
    # grade mix: warned customers are their own bin
    g = ref.counts["grade"][0].sum(axis=0)
    assert g.tolist()[:4] == [
        ((codes == 0) & ~warned).sum(),
        ((codes == 1) & ~warned).sum(),
        ((codes == 2) & ~warned).sum(),
        warned.sum(),
    ]


def test_reference_round_trips_through_json() -> None:
    ref = reference_from_scored(*_scored(500, 1), ["x", "k"])
    again = MonitoringReference.from_json(ref.to_json())
    assert again.segments == ref.segments
    assert [b.to_dict() for b in again.binnings.values()] == [
        b.to_dict() for b in ref.binnings.values()
    ]
    for name in ref.counts:
        assert np.array_equal(again.counts[name], ref.counts[name])
    for name in ref.moments:
        assert np.allclose(again.moments[name], ref.moments[name], rtol=1e-9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="x"), "is not a monitoring reference"),
        (lambda d: d.update(version=99), "reference version 99"),
        (lambda d: d["segments"].__setitem__(0, "region=N"), "first segment must be 'all'"),
        (lambda d: d["counts"].pop("x"), "counts must be given for every binning"),
        (lambda d: d["counts"].__setitem__("x", [[1, 2]]), "x has shape"),
        (lambda d: d["binnings"][2].update(cuts=[0.5, 0.1]), "cuts of .* must increase"),
        (lambda d: d["moments"].pop("p_I"), "moments must hold"),
    ],
)
def test_malformed_references_are_refused(change, message) -> None:
    data = reference_from_scored(*_scored(500, 2), ["x", "k"]).to_dict()
    change(data)
    with pytest.raises(MonitoringError, match=message):
        MonitoringReference.from_dict(data)


def test_segment_plan_pools_and_skips() -> None:
    segments = ["all", "region=N", "region=S", "region=W", "category=a", "category=b"]
    plan = SegmentPlan.from_sizes(segments, np.array([1000, 600, 150, 100, 990, 10.0]), 200)
    assert plan.keys == ["all", "region=N", "category=a", "region=(other)"]
    assert plan.status["region=W"] == "pooled into region=(other)"
    assert plan.status["category=b"].startswith("skipped: 10 customers a month")
    # a region new since the reference goes to the pool, and is said so
    labelled = {
        k: (keys, codes)
        for k, keys, codes in segment_labels(
            {"region": pd.Categorical(["N", "X", "S"]), "category": pd.Categorical(["a", "a", "b"])}
        )
    }
    keys, codes = labelled["region"]
    index = {k: i for i, k in enumerate(segments)}
    rows = plan.positions("region", keys, index)[codes]
    assert rows.tolist() == [1, 3, 3]
    assert plan.status["region=X"] == "new since the reference: pooled into region=(other)"


def test_bundle_keeps_the_reference_and_old_bundles_still_load(tmp_path: Path) -> None:
    model = ar.load_model(OLD_BUNDLE)
    assert model.reference is None  # trained before references: loads as before
    ref = reference_from_scored(*_scored(400, 3), ["x", "k"])
    model.reference = ref.to_dict()
    folder = Path(model.save(tmp_path / "m"))
    assert (folder / "monitoring.json").exists()
    again = ar.load_model(folder)
    assert MonitoringReference.from_dict(again.reference).segments == ref.segments
    assert again.version == model.version
    # a changed reference file is refused like any other bundle file
    text = (folder / "monitoring.json").read_text()
    (folder / "monitoring.json").write_text(text.replace('"all"', '"ALL"', 1))
    with pytest.raises(BundleError, match=r"monitoring\.json does not match its sha256"):
        ar.load_model(folder)


def test_monitor_says_an_old_bundle_needs_a_reference(tmp_path: Path) -> None:
    ledger = ar.read_ledger(ROOT / "data" / "sample")
    old = tmp_path / "old"
    shutil.copytree(OLD_BUNDLE, old)
    with pytest.raises(MonitoringError, match=r"(?s)has no monitoring reference .* retrain it"):
        monitor(ledger, old, ["2025-06"])
    # the documented fallback: a reference rebuilt from the ledger at the training months
    from arrearsrisk.monitoring import build_reference

    model = ar.load_model(old)
    ref = build_reference(ledger, model, ["2024-06-30", "2024-07-31"])
    assert ref.months == ["2024-06-30", "2024-07-31"]
    result = monitor(ledger, model, ["2025-06"], reference=ref)
    assert set(result.table["month"]) == {"2025-06"}
    assert result.reference_months == ["2024-06-30", "2024-07-31"]
    with pytest.raises(MonitoringError, match=r"months is empty"):
        monitor(ledger, model, [], reference=ref)
    json.dumps(ref.to_dict())  # plain JSON

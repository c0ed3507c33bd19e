"""The reference of a large training frame is built from a capped sample: exactly
``max_rows`` rows, every month represented in proportion, whole customers, the same rows
every time; its bins stay within sampling tolerance of the full frame's; the sample is
recorded in the reference; ``build_reference`` picks the same rows as
:func:`reference_rows` on every customer month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.monitoring import MonitoringError, MonitoringReference
from arrearsrisk.monitoring.reference import reference_from_scored
from arrearsrisk.monitoring.sampling import MAX_REFERENCE_ROWS, reference_rows

MONTHS = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31", "2024-06-30", "2024-12-31"])


def _panel(n_customers: int, n_months: int, seed: int, drop: float = 0.2) -> pd.DataFrame:
    """Customers over months, some months missing for some customers."""
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"C{i:06d}" for i in range(n_customers)], n_months)
    as_of = np.tile(MONTHS[:n_months].to_numpy(), n_customers)
    keep = rng.random(len(ids)) >= drop
    return pd.DataFrame({"customer_id": ids[keep], "as_of": as_of[keep]})


@settings(max_examples=40, deadline=None)
@given(
    n_customers=st.integers(1, 400),
    n_months=st.integers(1, 5),
    cap=st.integers(5, 1500),
    seed=st.integers(0, 10_000),
)
def test_the_cap_is_exact_stratified_and_reproducible(n_customers, n_months, cap, seed):
    frame = _panel(n_customers, n_months, seed)
    if frame.empty:
        return
    rows = reference_rows(frame["customer_id"], frame["as_of"], max_rows=cap, seed=seed)
    assert len(rows) == min(cap, len(frame))
    assert np.all(np.diff(rows) > 0)  # distinct positions, increasing
    kept = frame.iloc[rows]
    counts = frame["as_of"].value_counts()
    got = kept["as_of"].value_counts().reindex(counts.index, fill_value=0)
    assert (got >= 1).all()  # every month represented
    share = counts * min(cap, len(frame)) / len(frame)
    # proportional up to rounding (one row moved to a month that would have had none)
    assert (np.abs(got - share) < 1 + len(counts)).all()
    again = reference_rows(frame["customer_id"], frame["as_of"], max_rows=cap, seed=seed)
    assert np.array_equal(rows, again)
    # the rows picked do not depend on the frame's order
    shuffled = frame.sample(frac=1.0, random_state=seed)
    other = shuffled.iloc[reference_rows(shuffled["customer_id"], shuffled["as_of"], cap, seed)]
    key = ["customer_id", "as_of"]
    assert sorted(map(tuple, other[key].to_numpy().tolist())) == sorted(
        map(tuple, kept[key].to_numpy().tolist())
    )


def test_customers_not_rows_are_sampled():
    frame = _panel(3000, 5, 1, drop=0.0)  # every customer in every month
    rows = reference_rows(frame["customer_id"], frame["as_of"], max_rows=5000, seed=7)
    kept = frame.iloc[rows]
    by_month = kept.groupby("as_of")["customer_id"].apply(frozenset)
    assert by_month.map(len).tolist() == [1000] * 5
    assert len(set(by_month)) == 1  # the same 1,000 customers in each month
    # another seed draws other customers
    other = frame.iloc[reference_rows(frame["customer_id"], frame["as_of"], 5000, seed=8)]
    assert set(other["customer_id"]) != set(kept["customer_id"])
    # with months missing, a customer sampled in one month is sampled in its others
    gappy = _panel(3000, 5, 2, drop=0.3)
    picked = gappy.iloc[reference_rows(gappy["customer_id"], gappy["as_of"], 4000, seed=7)]
    whole = gappy[gappy["customer_id"].isin(set(picked["customer_id"]))]
    assert len(picked) / len(whole) > 0.97  # all their months, up to the months' rounding


def test_small_frames_are_not_sampled_and_bad_caps_are_refused():
    frame = _panel(50, 3, 3)
    assert reference_rows(frame["customer_id"], frame["as_of"]).tolist() == list(range(len(frame)))
    assert len(reference_rows(frame["customer_id"], frame["as_of"], None)) == len(frame)
    assert MAX_REFERENCE_ROWS == 200_000
    with pytest.raises(MonitoringError, match="fewer than the 3 reference months"):
        reference_rows(frame["customer_id"], frame["as_of"], max_rows=2)
    with pytest.raises(MonitoringError, match=r"max_rows must be a whole number >= 1"):
        reference_rows(frame["customer_id"], frame["as_of"], max_rows=0)
    with pytest.raises(MonitoringError, match=r"max_rows must be a whole number >= 1"):
        reference_rows(frame["customer_id"], frame["as_of"], max_rows=10.5)  # type: ignore[arg-type]
    with pytest.raises(MonitoringError, match="customer ids for"):
        reference_rows(frame["customer_id"][:-1], frame["as_of"], max_rows=10)


def _scored_panel(n_customers: int, seed: int):
    """A training-like frame: customer traits persist across months."""
    rng = np.random.default_rng(seed)
    base = _panel(n_customers, 5, seed, drop=0.1).reset_index(drop=True)
    customer = base["customer_id"].str[1:].astype(int).to_numpy()
    trait = rng.normal(size=n_customers)[customer]
    region = np.array(["N", "S", "W"])[rng.choice(3, n_customers, p=[0.5, 0.35, 0.15])][customer]
    n = len(base)
    frame = base.assign(
        x=trait + 0.5 * rng.normal(size=n),
        k=np.clip(np.round(trait + rng.normal(size=n)), -2, 3),
        arrears_amount=np.where(rng.random(n) < 0.2, 300.0, 0.0),
        region=pd.Categorical(region),
    )
    p1 = 1 / (1 + np.exp(-(frame["x"].to_numpy() - 2)))
    codes = np.where(p1 > 0.3, 0, np.where(p1 > 0.1, 1, 2))
    return frame, p1, codes, p1 > 0.6


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000))
def test_a_sampled_reference_has_the_bins_of_the_full_one(seed):
    frame, p1, codes, warned = _scored_panel(20_000, seed)
    cap = 30_000
    full = reference_from_scored(frame, frame["as_of"], p1, codes, warned, ["x", "k"])
    rows = reference_rows(frame["customer_id"], frame["as_of"], max_rows=cap, seed=seed)
    part = frame.iloc[rows]
    sampled = reference_from_scored(
        part,
        part["as_of"],
        p1[rows],
        codes[rows],
        warned[rows],
        ["x", "k"],
        source_rows=len(frame),
    )
    assert (sampled.rows, sampled.source_rows, sampled.sampled) == (cap, len(frame), True)
    assert (full.rows, full.source_rows, full.sampled) == (len(frame), len(frame), False)
    assert sampled.segments == full.segments and sampled.months == full.months
    # quantile cuts: the full frame's share below each sampled cut is the decile's
    x = np.sort(frame["x"].to_numpy())
    below = np.searchsorted(x, np.asarray(sampled.binnings["x"].cuts)) / len(x)
    assert np.allclose(below, np.arange(1, 10) / 10, atol=0.02)
    # value bins, p_I deciles and the grade mix: shares per segment and month
    for name in ("k", "grade"):
        assert sampled.binnings[name] == full.binnings[name]
        for key in ("all", "region=N", "region=W"):
            a, b = sampled.counts[name][sampled.index(key)], full.counts[name][full.index(key)]
            for m in (0, 1, 2, 5, 11):
                share_a, share_b = a[m] / a[m].sum(), b[m] / b[m].sum()
                # 5 standard errors of a share over the sampled customers of the month
                tol = 5 * np.sqrt(0.25 / a[m].sum())
                assert np.max(np.abs(share_a - share_b)) < tol
    for name in ("p_I", "in_arrears"):
        a, b = sampled.moments[name][0], full.moments[name][0]
        mean_a, mean_b = a[:, 1].sum() / a[:, 0].sum(), b[:, 1].sum() / b[:, 0].sum()
        assert abs(mean_a - mean_b) < 0.01


def test_the_sample_is_recorded_and_read_back():
    frame, p1, codes, warned = _scored_panel(400, 4)
    ref = reference_from_scored(
        frame, frame["as_of"], p1, codes, warned, ["x"], source_rows=len(frame) * 3
    )
    data = ref.to_dict()
    assert (data["rows"], data["source_rows"], data["sampled"]) == (
        len(frame),
        len(frame) * 3,
        True,
    )
    again = MonitoringReference.from_json(ref.to_json())
    assert (again.rows, again.source_rows, again.sampled) == (len(frame), len(frame) * 3, True)
    # a reference saved before the sample was recorded: built from every row
    old = {k: v for k, v in data.items() if k not in ("rows", "source_rows", "sampled")}
    legacy = MonitoringReference.from_dict(old)
    assert (legacy.rows, legacy.source_rows, legacy.sampled) == (len(frame), len(frame), False)
    with pytest.raises(MonitoringError, match=r"sampled is False but 1\d\d\d of \d+ rows"):
        MonitoringReference.from_dict({**data, "sampled": False})
    with pytest.raises(MonitoringError, match="0 < rows <= source_rows"):
        MonitoringReference.from_dict({**data, "source_rows": 10})
    with pytest.raises(MonitoringError, match="source_rows is 10, fewer than the"):
        reference_from_scored(frame, frame["as_of"], p1, codes, warned, ["x"], source_rows=10)


@pytest.mark.slow
def test_build_reference_scores_the_rows_reference_rows_picks():
    """Twin: each month's features cut to the cap, then the months' quotas, equal one
    draw of :func:`reference_rows` over every customer month."""
    import arrearsrisk as ar
    from arrearsrisk.features import feature_columns
    from arrearsrisk.monitoring.sampling import build_reference
    from arrearsrisk.monitoring.segments import KINDS
    from tests.monitoring_project import project

    p = project()
    model = ar.load_model(p.bundle)
    months = ["2024-02-29", "2024-05-31", "2024-06-30"]
    cap = 1500
    got = build_reference(p.ledger, model, months, max_rows=cap, seed=3)
    names = list(model.spec.names)
    parts, ids, dates = [], [], []
    for m in months:
        who, feats = feature_columns(p.ledger, pd.Timestamp(m))
        cols = {*names, *KINDS, "arrears_amount"} & set(feats)
        parts.append(pd.DataFrame({k: feats[k] for k in cols}))
        ids.append(who)
        dates.append(np.full(len(who), pd.Timestamp(m)))
    every = pd.concat(parts, ignore_index=True)
    as_of = np.concatenate(dates)
    rows = reference_rows(np.concatenate(ids), as_of, max_rows=cap, seed=3)
    part = every.iloc[rows].reset_index(drop=True)
    for k in (*KINDS, *model.spec.categories):
        if k in part:
            part[k] = part[k].astype("category")
    x = model.spec.matrix(part)
    graded = model.grade({t: model.raw(x, t) for t in ("grade_I", "grade_I_II", "warning")})
    want = reference_from_scored(
        part,
        as_of[rows],
        graded["p_I"],
        graded["codes"],
        graded["a_warning"],
        names,
        source_rows=len(every),
    )
    assert got.rows == cap and got.source_rows == len(every) > cap and got.sampled
    assert got.to_json() == want.to_json()
    unsampled = build_reference(p.ledger, model, months, max_rows=None)
    assert unsampled.rows == len(every) and not unsampled.sampled

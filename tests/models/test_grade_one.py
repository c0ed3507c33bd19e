"""One customer's grading without arrays (``RiskModel.grade_one``, what
``score_account`` uses) gives the bits of the batch's ``RiskModel.grade``."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.models.risk_model import Calibrator

RAW = st.one_of(
    st.floats(0.0, 1.0),
    st.sampled_from([0.0, 1.0, 1e-12, 1e-9, 1 - 1e-9, 1 - 1e-12, 0.5, float("nan")]),
)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


@settings(max_examples=500, deadline=None)
@given(RAW, st.floats(0.05, 5.0), st.floats(-4.0, 4.0))
def test_a_calibrator_of_one_value_is_its_array_call(raw, a, b):
    c = Calibrator(a, b)
    assert same(c.one(raw), float(c(np.array([raw]))[0]))


@settings(max_examples=300, deadline=None)
@given(RAW, RAW, RAW, st.data())
def test_grade_one_is_grade_of_a_one_row_array(sample_model, p1, p12, pw, data):
    model = sample_model
    # cut-offs and threshold around the customer's own probabilities: ties are exercised
    model_cut = data.draw(st.sampled_from(["model", "at p_I", "at the others"]))
    raw = {"grade_I": p1, "grade_I_II": p12, "warning": pw}
    batch = model.grade({k: np.array([v]) for k, v in raw.items()})
    saved = (model.cutoff_I, model.cutoff_I_II, model.warning_threshold)
    try:
        if model_cut != "model":
            model.cutoff_I = float(batch["p_I"][0]) if model_cut == "at p_I" else saved[0]
            model.cutoff_I_II = float(batch["p_I"][0] + batch["p_II"][0])
            model.warning_threshold = float(batch["p_warning"][0])
            batch = model.grade({k: np.array([v]) for k, v in raw.items()})
        one = model.grade_one(raw)
    finally:
        model.cutoff_I, model.cutoff_I_II, model.warning_threshold = saved
    assert one["code"] == int(batch["codes"][0])
    assert one["a_warning"] is bool(batch["a_warning"][0])
    for key in ("p_I", "p_II", "p_III", "p_warning"):
        assert same(one[key], float(batch[key][0])), key

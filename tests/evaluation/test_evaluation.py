"""Evaluation metrics on tiny literal predictions a reader can check by hand."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arrearsrisk.evaluation as evaluation
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation import (
    BREAKDOWN_METRICS,
    PROBABILITY_COLUMNS,
    PSI_SHIFT,
    PSI_STABLE,
    Evaluation,
    evaluate,
    population_stability,
    psi_verdict,
)
from arrearsrisk.vocabulary import GRADES


def six_rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three Grade I, one II, two III customers.

    p_I ranks the Grade I customers .9, .8, .4 and the others .5, .3, .2: 8 of the 9
    (I, not I) pairs are in order (only .4 < .5), so the Grade I AUC is 8/9.
    """
    truth = pd.DataFrame(
        {
            "grade": pd.Categorical(["I", "I", "I", "II", "III", "III"], categories=GRADES),
            "a_warning": [True, True, False, False, False, False],
            "category": ["res", "res", "com", "com", "res", "com"],
        },
        index=pd.Index(list("abcdef"), name="customer_id"),
    )
    pred = pd.DataFrame(
        {
            "p_I": [0.9, 0.8, 0.4, 0.5, 0.3, 0.2],
            "p_II": [0.05, 0.1, 0.4, 0.3, 0.2, 0.1],
            "p_III": [0.05, 0.1, 0.2, 0.2, 0.5, 0.7],
            "grade": ["I", "I", "II", "I", "III", "III"],
            "p_warning": [0.8, 0.3, 0.4, 0.1, 0.2, 0.1],
            "a_warning": [True, False, True, False, False, False],
        },
        index=truth.index,
    )
    return truth, pred


@pytest.fixture
def six() -> tuple[pd.DataFrame, pd.DataFrame]:
    return six_rows()


# --- exact values ----------------------------------------------------------------


def test_grade_metrics_of_the_six_rows(six):
    m = evaluate(*six, top_k=(2, 4)).metrics
    assert m["n"] == 6
    assert m["grade_I_rate"] == 0.5
    assert m["grade_I_auc"] == pytest.approx(8 / 9)
    # ROC points (fpr, tpr): (0, 1/3) (0, 2/3) (1/3, 2/3) (1/3, 1) ...: KS = 2/3.
    assert m["grade_I_ks"] == pytest.approx(2 / 3)
    # p_I + p_II: .95 .9 .8 .8 for I/II, .5 .3 for III: perfectly separated.
    assert m["grade_I_II_auc"] == 1.0
    assert m["grade_I_II_ks"] == 1.0
    # The 2 highest p_I (.9, .8) are Grade I; of the 4 highest (.9 .8 .5 .4), 3.
    assert m["grade_I_precision_at_2"] == 1.0
    assert m["grade_I_precision_at_4"] == 0.75


def test_classification_metrics_of_the_six_rows(six):
    m = evaluate(*six).metrics
    # Confusion (rows true, columns predicted): I [2 1 0], II [1 0 0], III [0 0 2].
    assert m["grade_I_precision"] == pytest.approx(2 / 3)
    assert m["grade_I_recall"] == pytest.approx(2 / 3)
    assert m["grade_II_precision"] == 0.0
    assert m["grade_II_recall"] == 0.0
    assert m["grade_III_precision"] == 1.0
    assert m["grade_III_recall"] == 1.0
    # F1: I 2/3, II 0, III 1.
    assert m["macro_f1"] == pytest.approx(5 / 9)
    # Quadratic weights (i - j)^2; observed disagreement 1 + 1 = 2; expected from the
    # marginals (3, 1, 2) x (3, 1, 2) / 6 = 58 / 6; kappa = 1 - 2 / (58 / 6) = 23 / 29.
    assert m["qwk"] == pytest.approx(23 / 29)


def test_brier_scores_of_the_six_rows(six):
    m = evaluate(*six).metrics
    # Row sums of (p - onehot)^2: .015 .06 .56 .78 .38 .14, total 1.935.
    assert m["brier"] == pytest.approx(1.935 / 6)
    # (1 - p_I)^2 for Grade I, p_I^2 otherwise: .01 .04 .36 .25 .09 .04 = .79.
    assert m["grade_I_brier"] == pytest.approx(0.79 / 6)


def test_warning_metrics_of_the_six_rows(six):
    m = evaluate(*six, top_k=(2,)).metrics
    assert m["warning_rate"] == pytest.approx(1 / 3)
    # Warned .8 and .3 vs not .4 .1 .2 .1: 7 of the 8 pairs in order.
    assert m["warning_auc"] == pytest.approx(7 / 8)
    # Ranked .8 (T) .4 (F) .3 (T): AP = 1/2 * 1 + 1/2 * 2/3.
    assert m["warning_pr_auc"] == pytest.approx(5 / 6)
    # Predicted a_warning flags a (T) and c (F): precision 1/2, recall 1/2.
    assert m["warning_precision"] == 0.5
    assert m["warning_recall"] == 0.5
    assert m["warning_precision_at_2"] == 0.5
    # (.2^2 + .7^2 + .4^2 + .1^2 + .2^2 + .1^2) / 6 = .75 / 6.
    assert m["warning_brier"] == pytest.approx(0.125)


def test_warning_threshold_replaces_the_predicted_warning(six):
    m = evaluate(*six, warning_threshold=0.3).metrics
    # p_warning >= .3 flags a (T), b (T), c (F).
    assert m["warning_precision"] == pytest.approx(2 / 3)
    assert m["warning_recall"] == 1.0


def test_precision_at_k_shares_ties_at_the_kth_score():
    truth = pd.DataFrame({"grade": ["I", "III", "I", "III"]})
    pred = pd.DataFrame(
        {"p_I": [0.9, 0.5, 0.5, 0.5], "p_II": [0.1, 0.2, 0.2, 0.2], "p_III": [0, 0.3, 0.3, 0.3]}
    )
    pred["grade"] = ["I", "I", "I", "I"]
    m = evaluate(truth, pred, top_k=(2, 10)).metrics
    # .9 is Grade I; the 2nd place is shared by three rows tied at .5, one of them I.
    assert m["grade_I_precision_at_2"] == pytest.approx((1 + 1 / 3) / 2)
    # k beyond n: all rows.
    assert m["grade_I_precision_at_10"] == 0.5


def test_confusion_roc_and_pr_tables(six):
    ev = evaluate(*six)
    expected = pd.DataFrame(
        [[2, 1, 0], [1, 0, 0], [0, 0, 2]],
        index=pd.Index(GRADES, name="true"),
        columns=pd.Index(GRADES, name="predicted"),
    )
    pd.testing.assert_frame_equal(ev.confusion, expected, check_dtype=False)
    assert set(ev.roc) == {"grade_I", "grade_I_II", "warning"}
    roc = ev.roc["grade_I"]
    assert list(roc.columns) == ["fpr", "tpr", "threshold"]
    assert (roc["fpr"].iloc[[0, -1]].tolist(), roc["tpr"].iloc[[0, -1]].tolist()) == (
        [0, 1],
        [0, 1],
    )
    assert list(ev.pr.columns) == ["precision", "recall", "threshold"]
    assert ev.pr["recall"].iloc[-1] == 0 and math.isnan(ev.pr["threshold"].iloc[-1])
    assert set(ev.tables()) == {
        "breakdown",
        "calibration",
        "confusion",
        "roc_grade_I",
        "roc_grade_I_II",
        "roc_warning",
        "pr_warning",
    }


def test_calibration_table_has_uniform_bins():
    truth = pd.DataFrame({"grade": ["I", "III", "I", "III", "I"]})
    pred = pd.DataFrame(
        {
            "p_I": [0.05, 0.05, 0.55, 0.55, 0.95],
            "p_II": [0.0] * 5,
            "p_III": [0.95, 0.95, 0.45, 0.45, 0.05],
            "grade": ["III", "III", "I", "I", "I"],
        }
    )
    cal = evaluate(truth, pred).calibration
    grade_i = cal[cal["target"] == "grade_I"]
    assert grade_i["bin"].tolist() == [0, 5, 9]
    assert grade_i["bin_low"].tolist() == pytest.approx([0.0, 0.5, 0.9])
    assert grade_i["bin_high"].tolist() == pytest.approx([0.1, 0.6, 1.0])
    assert grade_i["mean_predicted"].tolist() == pytest.approx([0.05, 0.55, 0.95])
    assert grade_i["observed_rate"].tolist() == [0.5, 0.5, 1.0]
    assert grade_i["count"].tolist() == [2, 2, 1]
    assert set(cal["target"]) == {"grade_I", "grade_II", "grade_III"}
    assert (cal.groupby("target")["count"].sum() == 5).all()


def test_breakdown_by_category(six):
    bd = evaluate(*six, by="category").breakdown
    assert list(bd.columns) == ["by", "group", "n", *BREAKDOWN_METRICS]
    assert bd["by"].tolist() == ["category", "category"]
    assert bd["group"].tolist() == ["com", "res"]
    assert bd["n"].tolist() == [3, 3]
    com, res = bd.iloc[0], bd.iloc[1]
    # com: I (.4) vs II (.5), III (.2); res: I (.9, .8) vs III (.3).
    assert (com["grade_I_auc"], res["grade_I_auc"]) == (0.5, 1.0)
    assert (com["grade_I_rate"], res["grade_I_rate"]) == pytest.approx((1 / 3, 2 / 3))
    assert com["brier"] == pytest.approx((0.56 + 0.78 + 0.14) / 3)
    assert res["brier"] == pytest.approx((0.015 + 0.06 + 0.38) / 3)
    # com has no warning: its warning_pr_auc is undefined.
    assert math.isnan(com["warning_pr_auc"]) and res["warning_pr_auc"] == 1.0


def test_breakdown_is_empty_without_by(six):
    bd = evaluate(*six).breakdown
    assert bd.empty and list(bd.columns) == ["by", "group", "n", *BREAKDOWN_METRICS]


# --- properties ------------------------------------------------------------------


def synthetic(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Seeded grades and unrelated Dirichlet probabilities."""
    rng = np.random.default_rng(seed)
    grades = rng.choice(np.array(GRADES), size=n, p=[0.2, 0.3, 0.5])
    truth = pd.DataFrame({"grade": grades, "a_warning": rng.random(n) < 0.2})
    return truth, rng.dirichlet([1, 1, 1], size=n)


def test_perfect_predictions_score_perfectly():
    truth, _ = synthetic()
    onehot = (truth["grade"].to_numpy()[:, None] == np.array(GRADES)).astype(float)
    pred = pd.DataFrame(0.9 * onehot + 0.1 / 3, columns=["p_I", "p_II", "p_III"])
    pred["grade"] = truth["grade"]
    pred["p_warning"] = truth["a_warning"].astype(float)
    pred["a_warning"] = truth["a_warning"]
    m = evaluate(truth, pred, top_k=(50,)).metrics
    for key in ("grade_I_auc", "grade_I_ks", "grade_I_II_auc", "grade_I_II_ks", "macro_f1"):
        assert m[key] == 1.0, key
    assert m["qwk"] == pytest.approx(1.0)
    for g in GRADES:
        assert m[f"grade_{g}_precision"] == m[f"grade_{g}_recall"] == 1.0
    assert m["warning_auc"] == m["warning_pr_auc"] == m["warning_precision"] == 1.0
    assert m["warning_brier"] == 0.0
    assert m["n"] * m["grade_I_rate"] >= 50  # so the top 50 are all Grade I
    assert m["grade_I_precision_at_50"] == 1.0


def test_constant_probabilities_rank_like_chance():
    truth, _ = synthetic()
    pred = pd.DataFrame(
        {"p_I": 0.2, "p_II": 0.3, "p_III": 0.5, "p_warning": 0.1}, index=truth.index
    )
    pred["grade"] = "III"
    m = evaluate(truth, pred).metrics
    assert m["grade_I_auc"] == m["grade_I_II_auc"] == m["warning_auc"] == 0.5
    assert m["grade_I_ks"] == 0.0
    # All tied: the precision at k is the base rate.
    assert m["grade_I_precision_at_100"] == pytest.approx(m["grade_I_rate"])


def test_one_class_only_gives_nan_and_no_warning():
    truth = pd.DataFrame({"grade": ["III"] * 4, "a_warning": [False] * 4})
    pred = pd.DataFrame(
        {"p_I": 0.1, "p_II": 0.2, "p_III": 0.7, "p_warning": [0.1, 0.2, 0.3, 0.4]},
        index=truth.index,
    )
    pred["grade"] = "III"
    pred["a_warning"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = evaluate(truth, pred, by=["grade"])
    m = ev.metrics
    undefined = [
        "grade_I_auc",
        "grade_I_ks",
        "grade_I_II_auc",
        "grade_I_II_ks",
        "grade_I_precision",
        "grade_I_recall",
        "grade_II_precision",
        "grade_II_recall",
        "qwk",
        "warning_auc",
        "warning_pr_auc",
        "warning_precision",
        "warning_recall",
    ]
    assert [k for k in undefined if not math.isnan(m[k])] == []
    assert m["macro_f1"] == 1.0  # only Grade III occurs, and it is right
    assert m["grade_I_precision_at_100"] == 0.0
    assert m["brier"] == pytest.approx(0.01 + 0.04 + 0.09)
    assert ev.roc["grade_I"].empty and ev.pr.empty
    assert math.isnan(ev.breakdown.loc[0, "grade_I_auc"])


def test_absent_warning_columns_skip_the_warning_metrics(six):
    truth, pred = six
    no_model = evaluate(truth, pred.drop(columns=["p_warning", "a_warning"])).metrics
    assert [k for k in no_model if k.startswith("warning")] == ["warning_rate"]
    flags_only = evaluate(truth, pred.drop(columns=["p_warning"]), warning_threshold=0.5).metrics
    assert sorted(k for k in flags_only if k.startswith("warning")) == [
        "warning_precision",
        "warning_rate",
        "warning_recall",
    ]
    no_truth = evaluate(truth.drop(columns=["a_warning"]), pred)
    assert not [k for k in no_truth.metrics if k.startswith("warning")]
    assert "warning" not in no_truth.roc and no_truth.pr.empty
    assert set(no_truth.calibration["target"]) == {"grade_I", "grade_II", "grade_III"}


def test_metric_keys_are_mlflow_friendly(six):
    ev = evaluate(*six, top_k=(1, 3))
    assert all(k.replace("_", "").isalnum() and k.isascii() for k in ev.metrics)
    assert all(isinstance(v, float) for v in ev.metrics.values())
    assert "grade_I_precision_at_3" in ev.metrics and "warning_precision_at_1" in ev.metrics
    assert repr(ev).startswith("Evaluation(n=6, grade_I_auc=0.8889")
    assert isinstance(ev, Evaluation)


def test_grades_are_the_vocabulary_grades():
    from arrearsrisk.evaluation import checks, curves, metrics

    assert checks.GRADES is curves.GRADES is metrics.GRADES is GRADES
    assert PROBABILITY_COLUMNS == ("p_I", "p_II", "p_III")


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t, p: (t, p.drop(columns="p_I")), r"pred needs columns .*missing \['p_I'\]"),
        (lambda t, p: (t.drop(columns="grade"), p), r"truth needs columns .*missing \['grade'\]"),
        (lambda t, p: (t, p.iloc[:5]), "truth has 6 rows and pred 5"),
        (lambda t, p: (t.iloc[:0], p.iloc[:0]), "empty; there is nothing to evaluate"),
        (lambda t, p: (t, p.set_axis(range(6))), "must share the same index"),
        (
            lambda t, p: (t, p.assign(p_III=p["p_III"] + 0.01)),
            r"must sum to 1 within 1e-06; sums differ in 6 of 6 rows",
        ),
        (lambda t, p: (t, p.assign(p_I=np.nan)), "must be finite; NaN or infinite in 6 of 6"),
        (
            lambda t, p: (t, p.assign(grade=[0, 0, 1, 0, 2, 2])),
            r"pred's 'grade' must hold .*\n  hint: map class indices",
        ),
        (lambda t, p: (t.assign(grade="IV"), p), r"truth's 'grade' must hold the grades I, II"),
        (
            lambda t, p: (t.assign(a_warning=["y", "n", "n", "n", "n", "n"]), p),
            r"truth's 'a_warning' must hold booleans",
        ),
        (lambda t, p: (t, p.assign(p_warning=1.5)), r"'p_warning' must be probabilities"),
        (lambda t, p: (t, p.assign(p_I="x")), "must be numbers"),
    ],
)
def test_bad_inputs_are_named(six, change, message):
    truth, pred = change(*six)
    with pytest.raises(ArrearsRiskError, match=message):
        evaluate(truth, pred)


def test_bad_options_are_named(six):
    with pytest.raises(ArrearsRiskError, match=r"by names columns of truth; \['region'\]"):
        evaluate(*six, by=["region"])
    with pytest.raises(ArrearsRiskError, match=r"each top_k must be a whole number >= 1; got 0"):
        evaluate(*six, top_k=(0,))
    with pytest.raises(ArrearsRiskError, match=r"warning_threshold must be in \[0, 1\]; got 2"):
        evaluate(*six, warning_threshold=2)


def test_errors_are_value_errors():
    assert issubclass(ArrearsRiskError, ValueError)


# --- population stability --------------------------------------------------------


def test_psi_equals_the_formula_on_two_known_histograms():
    # bins=2 cuts expected 0..9 at its median 4.5: shares .5 / .5.
    # actual: 10 + 15 values; 20 of 25 (80 %) at or below 4.5.
    actual = list(range(10)) + [0, 1, 2] * 5
    expected_psi = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert population_stability(range(10), actual, bins=2) == pytest.approx(expected_psi)


def test_psi_floors_empty_bins_at_epsilon():
    eps = 1e-4
    by_hand = (1 - 0.5) * math.log(1 / 0.5) + (eps - 0.5) * math.log(eps / 0.5)
    assert population_stability(range(10), [1, 2, 3], bins=2) == pytest.approx(by_hand)


def test_psi_of_a_sample_against_itself_is_zero():
    x = np.random.default_rng(3).normal(size=500)
    assert population_stability(x, x) == 0.0
    assert population_stability(x, x[::-1], bins=20) == 0.0


def test_psi_verdicts():
    assert (PSI_STABLE, PSI_SHIFT) == (0.1, 0.25)
    assert [psi_verdict(v) for v in (0.0, 0.0999, 0.1, 0.2499, 0.25, 3.0)] == [
        "stable",
        "stable",
        "minor shift",
        "minor shift",
        "major shift",
        "major shift",
    ]
    with pytest.raises(ArrearsRiskError, match=r"a PSI is a number >= 0; got nan"):
        psi_verdict(math.nan)


def test_psi_input_errors():
    with pytest.raises(ArrearsRiskError, match=r"actual must be a non-empty 1-D array"):
        population_stability([1.0, 2.0], [])
    with pytest.raises(ArrearsRiskError, match=r"expected must be finite; NaN or infinite"):
        population_stability([1.0, np.nan], [1.0])
    with pytest.raises(ArrearsRiskError, match=r"bins must be a whole number >= 1; got 0"):
        population_stability([1.0, 2.0], [1.0], bins=0)


# --- dependencies ----------------------------------------------------------------


PACKAGE = Path(evaluation.__file__).parent
MODULES = sorted(
    f"arrearsrisk.evaluation.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"
)


def test_evaluation_and_plots_do_not_import_matplotlib():
    code = (
        f"import sys, arrearsrisk.evaluation, {', '.join(MODULES)}\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "arrearsrisk.evaluation.plots" in MODULES
    assert out.stdout.strip() == ""


def test_the_package_does_not_load_plots():
    code = (
        "import sys, arrearsrisk.evaluation\nprint('arrearsrisk.evaluation.plots' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_package_exports_its_public_names():
    assert sorted(evaluation.__all__) == sorted(
        [
            "BREAKDOWN_METRICS",
            "CALIBRATION_BINS",
            "PROBABILITY_COLUMNS",
            "PSI_SHIFT",
            "PSI_STABLE",
            "Evaluation",
            "compare_models",
            "evaluate",
            "population_stability",
            "psi_verdict",
        ]
    )
    assert all(hasattr(evaluation, name) for name in evaluation.__all__)


ALLOWED = ("arrearsrisk.errors", "arrearsrisk.vocabulary", "arrearsrisk.asof", "arrearsrisk.ledger")


def _imported(path: Path) -> set[str]:
    """The arrearsrisk modules a file imports, also inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.split(".")[0] == "arrearsrisk"}


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_evaluation_imports_only_the_stages_below_it(path):
    imported = _imported(path)
    outside = {m for m in imported if not _within(m, ("arrearsrisk.evaluation", *ALLOWED))}
    assert outside == set()
    # module to module inside the package, never through the package itself
    assert "arrearsrisk.evaluation" not in imported

"""Plots: each returns a Figure with the expected lines, bars and legend, and saves a PNG."""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation import Evaluation, evaluate, plots
from arrearsrisk.vocabulary import GRADES


def _predictions(signal: np.ndarray, warning: np.ndarray | None) -> pd.DataFrame:
    logits = np.column_stack([signal - 1.5, 0.3 * signal - 0.3, np.zeros(len(signal))])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = pd.DataFrame(p, columns=["p_I", "p_II", "p_III"])
    pred["grade"] = np.asarray(GRADES)[np.argmax(p, axis=1)]  # the most probable grade
    if warning is not None:
        pred["p_warning"] = 1 / (1 + np.exp(-(1.5 * warning - 2.5)))
        pred["a_warning"] = pred["p_warning"] >= 0.3
    return pred


@pytest.fixture(scope="module")
def evals() -> dict[str, Evaluation]:
    """A seeded model, a logistic baseline and a rule without a warning model."""
    rng = np.random.default_rng(42)
    n = 400
    risk = rng.normal(size=n)
    truth_p = _predictions(risk, risk)
    u = rng.random(n)
    truth = pd.DataFrame(
        {
            "grade": np.where(
                u < truth_p["p_I"],
                "I",
                np.where(u < truth_p["p_I"] + truth_p["p_II"], "II", "III"),
            ),
            "a_warning": rng.random(n) < truth_p["p_warning"],
        }
    )
    noisy = risk + rng.normal(scale=0.6, size=n)
    noisier = risk + rng.normal(scale=1.2, size=n)
    return {
        "model": evaluate(truth, _predictions(noisy, noisy)),
        "logistic": evaluate(truth, _predictions(noisier, noisier)),
        "rule": evaluate(truth, _predictions(np.round(noisier), None)),
    }


def legend_texts(fig: Figure, axes: int = 0) -> list[str]:
    legend = fig.axes[axes].get_legend()
    return [t.get_text() for t in legend.get_texts()]


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_roc_figure_has_one_line_per_model_and_the_diagonal(evals):
    fig = plots.roc_figure(evals)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    texts = legend_texts(fig)
    assert texts[-1] == "chance (AUC 0.5)"
    auc = evals["model"].metrics["grade_I_auc"]
    assert texts[0] == f"model (AUC {auc:.3f}, KS {evals['model'].metrics['grade_I_ks']:.3f})"
    assert [t.split(" (")[0] for t in texts[:3]] == ["model", "logistic", "rule"]
    assert ax.get_xlabel() == "False positive rate" and "Grade I vs rest" in ax.get_title()


def test_roc_figure_of_the_warning_leaves_out_a_model_without_one(evals):
    fig = plots.roc_figure(evals, target="warning")
    assert len(fig.axes[0].lines) == 3
    assert [t.split(" (")[0] for t in legend_texts(fig)] == ["model", "logistic", "chance"]
    with pytest.raises(ArrearsRiskError, match=r"no evaluation has a warning ROC curve"):
        plots.roc_figure({"rule": evals["rule"]}, target="warning")


def test_roc_figure_takes_a_single_evaluation(evals):
    fig = plots.roc_figure(evals["model"], target="grade_I_II")
    assert legend_texts(fig)[0].startswith("model (AUC ")
    assert "Grade I or II vs III" in fig.axes[0].get_title()


def test_calibration_figure_has_lines_and_counts_per_model(evals):
    fig = plots.calibration_figure(evals)
    top, bottom = fig.axes
    assert len(top.lines) == 4  # the diagonal and three models
    assert len(bottom.patches) == 3  # one stairs of counts per model
    texts = legend_texts(fig)
    assert texts[0] == "perfectly calibrated"
    assert texts[1] == f"model (Brier {evals['model'].metrics['grade_I_brier']:.4f})"
    assert bottom.get_yscale() == "log"


def test_calibration_figure_of_the_warning(evals):
    fig = plots.calibration_figure(evals, target="warning")
    assert len(fig.axes[0].lines) == 3
    assert "A-level warning" in fig.axes[0].get_title()


def test_confusion_figure_annotates_counts_and_row_shares(evals):
    ev = evals["model"]
    fig = plots.confusion_figure(ev, name="model")
    ax = fig.axes[0]
    assert len(ax.images) == 1 and len(fig.axes) == 2  # the matrix and its colour bar
    texts = [t.get_text() for t in ax.texts]
    counts = ev.confusion.to_numpy()
    row = counts[0] / counts[0].sum()
    assert texts[:3] == [f"{c:,}\n{s:.0%}" for c, s in zip(counts[0], row, strict=True)]
    assert len(texts) == 9
    assert ax.get_title().startswith("model: confusion (n = 400)")
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"Grade {g}" for g in GRADES]


def test_confusion_figure_with_an_empty_true_grade():
    truth = pd.DataFrame({"grade": ["I", "III"]})
    pred = pd.DataFrame({"p_I": [0.6, 0.1], "p_II": [0.3, 0.2], "p_III": [0.1, 0.7]})
    pred["grade"] = ["I", "III"]
    fig = plots.confusion_figure(evaluate(truth, pred))
    assert [t.get_text() for t in fig.axes[0].texts][3:6] == ["0\n0%"] * 3


def test_feature_importance_figure_shows_the_top_features_largest_first():
    importance = pd.Series([5.0, 1.0, 8.0, 3.0, 0.0], index=["a", "b", "c", "d", "e"])
    fig = plots.feature_importance_figure(importance, top=3)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    # barh draws bottom-up: the largest is the last, at the top.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["d", "a", "c"]
    assert [p.get_width() for p in ax.patches] == [3.0, 5.0, 8.0]
    assert ax.get_xlabel() == "Importance (gain)"
    assert ax.get_title() == "Feature importance by gain: top 3 of 5"
    assert [t.get_text() for t in ax.texts] == ["17.6%", "29.4%", "47.1%"]


def test_feature_importance_errors():
    with pytest.raises(ArrearsRiskError, match="importance must be a non-empty pandas Series"):
        plots.feature_importance_figure(pd.Series(dtype=float))
    with pytest.raises(ArrearsRiskError, match=r"top must be a whole number >= 1; got 0"):
        plots.feature_importance_figure(pd.Series({"a": 1.0}), top=0)
    with pytest.raises(ArrearsRiskError, match="importance must hold finite numbers"):
        plots.feature_importance_figure(pd.Series({"a": 1.0, "b": np.nan}))


def test_grade_distribution_figure_from_series():
    grades = {
        "true": pd.Series(["I", "II", "III", "III"]),
        "model": pd.Series(pd.Categorical(["I", "III", "III", "III"], categories=GRADES)),
    }
    fig = plots.grade_distribution_figure(grades)
    ax = fig.axes[0]
    assert len(ax.patches) == 6
    assert legend_texts(fig) == ["true (n = 4)", "model (n = 4)"]
    heights = [p.get_height() for p in ax.patches]
    assert heights == [0.25, 0.25, 0.5, 0.25, 0.0, 0.75]
    assert [t.get_text() for t in ax.texts] == ["1", "1", "2", "1", "0", "3"]


def test_grade_distribution_figure_from_a_frame_of_counts_or_of_grades():
    counts = pd.DataFrame({"true": [10, 30, 60], "model": [5, 25, 70]}, index=list(GRADES))
    fig = plots.grade_distribution_figure(counts)
    assert len(fig.axes[0].patches) == 6
    assert legend_texts(fig) == ["true (n = 100)", "model (n = 100)"]
    per_row = pd.DataFrame({"true": ["I", "II"], "model": ["II", "II"], "rule": ["I", "I"]})
    assert len(plots.grade_distribution_figure(per_row).axes[0].patches) == 9


def test_grade_distribution_errors():
    with pytest.raises(ArrearsRiskError, match=r"pred_grades\['model'\] must hold the grades"):
        plots.grade_distribution_figure({"model": pd.Series(["I", "IV"])})
    with pytest.raises(ArrearsRiskError, match="needs the grades I, II, III as its index"):
        plots.grade_distribution_figure(pd.DataFrame({"I": [1], "II": [2], "III": [3]}))
    with pytest.raises(ArrearsRiskError, match="pred_grades must be a dict"):
        plots.grade_distribution_figure({})


def test_pr_figure_has_curves_base_rate_and_operating_points(evals):
    fig = plots.pr_figure(evals)
    ax = fig.axes[0]
    assert len(ax.lines) == 3  # model, logistic, base rate; the rule has no warning model
    assert len(ax.collections) == 2  # one operating point per model
    texts = legend_texts(fig)
    ap = evals["model"].metrics["warning_pr_auc"]
    rate = evals["model"].metrics["warning_rate"]
    assert texts == [
        f"model (AP {ap:.3f})",
        f"logistic (AP {evals['logistic'].metrics['warning_pr_auc']:.3f})",
        f"base rate {rate:.3f}",
        "operating point",
    ]
    point = ax.collections[0].get_offsets()[0]
    metrics = evals["model"].metrics
    assert tuple(point) == (metrics["warning_recall"], metrics["warning_precision"])


def test_pr_figure_needs_a_warning_model(evals):
    with pytest.raises(ArrearsRiskError, match="no evaluation has a warning precision-recall"):
        plots.pr_figure({"rule": evals["rule"]})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: plots.roc_figure({}), "evals must be an Evaluation or a non-empty dict"),
        (lambda e: plots.roc_figure({"m": 1}), r"map model names to Evaluation .*\{'m': 'int'\}"),
        (lambda e: plots.roc_figure(e, target="grade_II"), r"target must be one of"),
        (lambda e: plots.calibration_figure(e, target="I"), r"target must be one of"),
        (lambda e: plots.confusion_figure(e), "confusion_figure takes one Evaluation; got dict"),
    ],
)
def test_bad_arguments_are_named(evals, call, message):
    with pytest.raises(ArrearsRiskError, match=message):
        call(evals)


def test_every_figure_saves_a_non_empty_png(evals, tmp_path):
    figures = {
        "roc": plots.roc_figure(evals),
        "calibration": plots.calibration_figure(evals),
        "confusion": plots.confusion_figure(evals["model"]),
        "importance": plots.feature_importance_figure(pd.Series({"a": 2.0, "b": 1.0})),
        "grades": plots.grade_distribution_figure({"model": pd.Series(["I", "III"])}),
        "pr": plots.pr_figure(evals),
    }
    for name, fig in figures.items():
        path = plots.save_figure(fig, tmp_path / "plots" / f"{name}.png")
        assert path == tmp_path / "plots" / f"{name}.png"
        assert path.stat().st_size > 5_000, name
        width, height = fig.get_size_inches()
        assert png_size(path) == (round(width * plots.DPI), round(height * plots.DPI)), name


def test_save_figure_adds_png_and_refuses_other_formats(evals, tmp_path):
    fig = plots.roc_figure(evals)
    assert plots.save_figure(fig, tmp_path / "roc") == tmp_path / "roc.png"
    with pytest.raises(ArrearsRiskError, match=r"path must end in .png, got '.*roc.pdf'"):
        plots.save_figure(fig, tmp_path / "roc.pdf")
    with pytest.raises(ArrearsRiskError, match="fig must be a matplotlib Figure; got str"):
        plots.save_figure("roc", tmp_path / "x.png")  # type: ignore[arg-type]

"""Figures of an out-of-time evaluation, to log as MLflow artifacts or show in a notebook.

Rendering only: every function takes what :func:`arrearsrisk.evaluation.metrics.evaluate`
computed (one :class:`~arrearsrisk.evaluation.metrics.Evaluation`, or several keyed by model
name to draw the model and its baselines on the same axes) and returns a
:class:`matplotlib.figure.Figure`.  :func:`save_figure` writes one as PNG.

This is the only module of arrearsrisk that imports matplotlib, and it does so only
when a function is called.  Figures are built as ``matplotlib.figure.Figure`` objects,
not through ``pyplot``: no global state, no backend switch, nothing to close, and they
render headless (Agg) when saved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.evaluation.curves import CALIBRATION_BINS
from arrearsrisk.evaluation.metrics import Evaluation
from arrearsrisk.vocabulary import GRADES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "calibration_figure",
    "confusion_figure",
    "feature_importance_figure",
    "grade_distribution_figure",
    "pr_figure",
    "roc_figure",
    "save_figure",
]

DPI = 120
"""Resolution of the PNG files written by :func:`save_figure`."""

_TARGETS = {
    "grade_I": "Grade I vs rest",
    "grade_I_II": "Grade I or II vs III",
    "grade_II": "Grade II vs rest",
    "grade_III": "Grade III vs rest",
    "warning": "A-level warning",
}
_ROC_TARGETS = ("grade_I", "grade_I_II", "warning")
_CALIBRATION_TARGETS = ("grade_I", "grade_II", "grade_III", "warning")
_GREY = "0.55"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _models(evals: Mapping[str, Evaluation] | Evaluation) -> dict[str, Evaluation]:
    """``{name: Evaluation}``; a single Evaluation is called ``"model"``."""
    if isinstance(evals, Evaluation):
        return {"model": evals}
    if not isinstance(evals, Mapping) or not evals:
        raise ArrearsRiskError(
            "evals must be an Evaluation or a non-empty dict of model name to Evaluation; "
            f"got {type(evals).__name__} {evals!r:.80}."
        )
    wrong = {str(k): type(v).__name__ for k, v in evals.items() if not isinstance(v, Evaluation)}
    if wrong:
        raise ArrearsRiskError(
            f"evals must map model names to Evaluation objects; got {wrong}.\n"
            "  hint: build them with arrearsrisk.evaluation.metrics.evaluate(truth, pred)."
        )
    return {str(k): v for k, v in evals.items()}


def _check_target(target: str, allowed: tuple[str, ...]) -> str:
    if target not in allowed:
        raise ArrearsRiskError(f"target must be one of {list(allowed)}; got {target!r}.")
    return target


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _style(ax: Axes) -> None:
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _diagonal(ax: Axes, label: str) -> None:
    """The dashed grey diagonal from (0, 0) to (1, 1): chance, or perfect calibration."""
    ax.plot([0, 1], [0, 1], color=_GREY, linestyle="--", linewidth=1, label=label)


def _unit_axes(ax: Axes, **labels: str) -> None:
    """Both axes from 0 to 1 (the y axis a little over, so a line at 1 shows), then
    ``labels`` (``xlabel``, ``ylabel``, ``title``, ...) as for ``Axes.set``."""
    ax.set(xlim=(0, 1), ylim=(0, 1.02), **labels)


def _n(models: dict[str, Evaluation]) -> str:
    counts = {int(ev.metrics["n"]) for ev in models.values()}
    return f"n = {counts.pop():,}" if len(counts) == 1 else "n differs by model"


def roc_figure(evals: Mapping[str, Evaluation] | Evaluation, target: str = "grade_I") -> Figure:
    """ROC curves of one target, one line per model, AUC (and KS) in the legend.

    Parameters
    ----------
    evals : dict of str to Evaluation, or Evaluation
        Models (e.g. ``{"model": ..., "rule": ..., "logistic": ...}``) evaluated on the
        same data.  A model without the curve (e.g. no warning model) is left out.
    target : {"grade_I", "grade_I_II", "warning"}
        Grade I vs rest, Grade I or II vs III, or the A-level warning.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.evaluation import evaluate
    >>> truth = pd.DataFrame({"grade": ["I", "II", "III", "III"]})
    >>> pred = pd.DataFrame({"p_I": [0.6, 0.3, 0.2, 0.1], "p_II": [0.3, 0.4, 0.2, 0.1],
    ...                      "p_III": [0.1, 0.3, 0.6, 0.8], "grade": ["I", "II", "III", "III"]})
    >>> fig = roc_figure({"model": evaluate(truth, pred)})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['model (AUC 1.000, KS 1.000)', 'chance (AUC 0.5)']
    """
    models = _models(evals)
    _check_target(target, _ROC_TARGETS)
    fig = _figure(6.0, 5.6)
    ax = fig.add_subplot()
    drawn = 0
    for i, (name, ev) in enumerate(models.items()):
        curve = ev.roc.get(target)
        if curve is None or curve.empty:
            continue
        label = f"{name} (AUC {_fmt(ev.metrics.get(f'{target}_auc'))}"
        ks = ev.metrics.get(f"{target}_ks")
        label += f", KS {_fmt(ks)})" if ks is not None else ")"
        ax.plot(curve["fpr"], curve["tpr"], color=f"C{i}", linewidth=1.8, label=label)
        drawn += 1
    if not drawn:
        raise ArrearsRiskError(
            f"no evaluation has a {target} ROC curve (models: {list(models)}); the target "
            "has one class only, or the warning was not evaluated."
        )
    _diagonal(ax, "chance (AUC 0.5)")
    _unit_axes(
        ax,
        xlabel="False positive rate",
        ylabel="True positive rate",
        title=f"ROC: {_TARGETS[target]} ({_n(models)})",
        aspect="equal",
    )
    _style(ax)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def calibration_figure(
    evals: Mapping[str, Evaluation] | Evaluation, target: str = "grade_I"
) -> Figure:
    """Reliability diagram: observed rate against mean predicted probability per bin.

    The upper panel has one line per model (Brier score in the legend, where
    :func:`~arrearsrisk.evaluation.metrics.evaluate` measured it) and the diagonal of perfect
    calibration; the lower panel the customers per bin, on a log scale.

    Parameters
    ----------
    evals : dict of str to Evaluation, or Evaluation
        Models evaluated on the same data; one without the target is left out.
    target : {"grade_I", "grade_II", "grade_III", "warning"}
        The probability to check: ``p_I``, ``p_II``, ``p_III`` or ``p_warning``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.evaluation import evaluate
    >>> truth = pd.DataFrame({"grade": ["I", "II", "III", "III"]})
    >>> pred = pd.DataFrame({"p_I": [0.6, 0.3, 0.2, 0.1], "p_II": [0.3, 0.4, 0.2, 0.1],
    ...                      "p_III": [0.1, 0.3, 0.6, 0.8], "grade": ["I", "II", "III", "III"]})
    >>> fig = calibration_figure(evaluate(truth, pred))
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (2, 'Observed rate of Grade I')
    """
    models = _models(evals)
    _check_target(target, _CALIBRATION_TARGETS)
    fig = _figure(6.0, 6.4)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    _diagonal(top, "perfectly calibrated")
    drawn = 0
    for i, (name, ev) in enumerate(models.items()):
        table = ev.calibration[ev.calibration["target"] == target]
        if table.empty:
            continue
        brier = ev.metrics.get(f"{target}_brier")
        label = f"{name} (Brier {_fmt(brier, 4)})" if brier is not None else name
        top.plot(
            table["mean_predicted"],
            table["observed_rate"],
            marker="o",
            markersize=4,
            color=f"C{i}",
            linewidth=1.6,
            label=label,
        )
        counts = np.zeros(CALIBRATION_BINS)
        counts[table["bin"].to_numpy()] = table["count"].to_numpy()
        bottom.stairs(counts, edges, color=f"C{i}", linewidth=1.4)
        drawn += 1
    if not drawn:
        raise ArrearsRiskError(
            f"no evaluation has a {target} calibration table (models: {list(models)}); "
            "was the warning evaluated?"
        )
    what = _TARGETS[target].removesuffix(" vs rest")
    _unit_axes(
        top,
        ylabel=f"Observed rate of {what}",
        title=f"Calibration: {what} ({_n(models)}, {CALIBRATION_BINS} uniform bins)",
    )
    top.legend(loc="upper left", fontsize="small")
    bottom.set_yscale("log")
    bottom.set(xlabel=f"Mean predicted probability of {what}", ylabel="Customers")
    for ax in (top, bottom):
        _style(ax)
    return fig


def confusion_figure(evaluation: Evaluation, *, name: str | None = None) -> Figure:
    """The 3x3 confusion of true and predicted grades: counts and row-normalised shares.

    Cells are shaded by the share of the true grade (each row sums to 100 %) and
    annotated with the count and that share.

    Parameters
    ----------
    evaluation : Evaluation
        One model's evaluation.
    name : str, optional
        The model's name, for the title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.evaluation import evaluate
    >>> truth = pd.DataFrame({"grade": ["I", "II", "III", "III"]})
    >>> pred = pd.DataFrame({"p_I": [0.6, 0.3, 0.2, 0.1], "p_II": [0.3, 0.4, 0.2, 0.1],
    ...                      "p_III": [0.1, 0.3, 0.6, 0.8], "grade": ["I", "II", "III", "III"]})
    >>> fig = confusion_figure(evaluate(truth, pred), name="model")
    >>> fig.axes[0].texts[-1].get_text()
    '2\\n100%'
    """
    if not isinstance(evaluation, Evaluation):
        raise ArrearsRiskError(
            f"confusion_figure takes one Evaluation; got {type(evaluation).__name__}."
        )
    counts = evaluation.confusion.reindex(index=list(GRADES), columns=list(GRADES)).to_numpy()
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    fig = _figure(5.6, 4.8)
    ax = fig.add_subplot()
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for (row, col), count in np.ndenumerate(counts):
        share = shares[row, col]
        ax.text(
            col,
            row,
            f"{count:,}\n{share:.0%}",
            ha="center",
            va="center",
            fontsize="medium",
            color="white" if share > 0.6 else "black",
        )
    ticks = range(len(GRADES))
    ax.set_xticks(ticks, [f"Grade {g}" for g in GRADES])
    ax.set_yticks(ticks, [f"Grade {g}" for g in GRADES])
    ax.set(xlabel="Predicted grade", ylabel="True grade")
    metrics = evaluation.metrics
    head = f"{name}: confusion" if name else "Confusion"
    ax.set_title(
        f"{head} (n = {int(metrics['n']):,})\n"
        f"macro-F1 {_fmt(metrics.get('macro_f1'))}, QWK {_fmt(metrics.get('qwk'))}"
    )
    fig.colorbar(image, ax=ax, label="Share of the true grade", format="{x:.0%}")
    return fig


def feature_importance_figure(
    importance: pd.Series, top: int = 25, *, label: str = "gain"
) -> Figure:
    """Horizontal bars of the ``top`` most important features, the largest on top.

    Parameters
    ----------
    importance : pandas.Series
        Importance by feature name, e.g. LightGBM's
        ``booster.feature_importance("gain")`` indexed by ``booster.feature_name()``.
    top : int, default 25
        How many features to show.
    label : str, default "gain"
        What the importance measures, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> fig = feature_importance_figure(pd.Series({"arrears": 5.0, "tenant": 1.0, "kwh": 2.0}))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['tenant', 'kwh', 'arrears']
    """
    if not isinstance(importance, pd.Series) or importance.empty:
        raise ArrearsRiskError(
            "importance must be a non-empty pandas Series of importance by feature name; "
            f"got {type(importance).__name__}."
        )
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ArrearsRiskError(f"top must be a whole number >= 1; got {top!r}.")
    values = pd.to_numeric(importance, errors="coerce")
    if not np.isfinite(values.to_numpy(dtype=float)).all():
        raise ArrearsRiskError(
            "importance must hold finite numbers; got "
            f"{importance[~np.isfinite(values.to_numpy(dtype=float))].head(5).to_dict()}."
        )
    ranked = values.sort_values(ascending=False, kind="stable").head(top)[::-1]
    total = float(values.sum())
    fig = _figure(7.5, 1.2 + 0.3 * len(ranked))
    ax = fig.add_subplot()
    bars = ax.barh([str(k) for k in ranked.index], ranked.to_numpy(), color="C0", height=0.7)
    if total > 0:
        ax.bar_label(bars, labels=[f"{v / total:.1%}" for v in ranked], padding=3, fontsize=8)
    ax.set(
        xlabel=f"Importance ({label})",
        title=f"Feature importance by {label}: top {len(ranked)} of {len(values)}",
        ylim=(-0.6, len(ranked) - 0.4),
    )
    ax.margins(x=0.1)
    ax.tick_params(axis="y", labelsize=8)
    _style(ax)
    ax.grid(False, axis="y")
    return fig


def _grade_counts(pred_grades: Mapping[str, pd.Series] | pd.DataFrame) -> pd.DataFrame:
    """Counts by grade (rows I, II, III) and source (columns)."""
    if isinstance(pred_grades, pd.DataFrame) and all(
        pd.api.types.is_numeric_dtype(t) for t in pred_grades.dtypes
    ):
        counts = pred_grades.copy()
        counts.index = counts.index.astype(str)
        extra = sorted(set(counts.index) - set(GRADES))
        if extra or counts.empty:
            raise ArrearsRiskError(
                "a DataFrame of counts needs the grades I, II, III as its index and one "
                f"column per source; got index {list(pred_grades.index)}.\n"
                "  hint: pass grade labels per row instead (one column per source), or "
                "transpose."
            )
        return counts.reindex(list(GRADES), fill_value=0)
    if isinstance(pred_grades, pd.DataFrame):
        series = {str(c): pred_grades[c] for c in pred_grades.columns}
    elif isinstance(pred_grades, Mapping) and pred_grades:
        series = {str(k): pd.Series(v) for k, v in pred_grades.items()}
    else:
        raise ArrearsRiskError(
            "pred_grades must be a dict of name to a Series of grades, or a DataFrame "
            f"(grades per row, or counts by grade); got {type(pred_grades).__name__}."
        )
    table = {}
    for name, grades in series.items():
        text = grades.astype("string")
        bad = ~text.isin(GRADES)
        if bad.any():
            raise ArrearsRiskError(
                f"pred_grades[{name!r}] must hold the grades {', '.join(GRADES)}; got "
                f"{text[bad].head(5).tolist()} in {int(bad.sum()):,} rows."
            )
        table[name] = text.value_counts().reindex(list(GRADES), fill_value=0)
    return pd.DataFrame(table)


def grade_distribution_figure(pred_grades: Mapping[str, pd.Series] | pd.DataFrame) -> Figure:
    """Grouped bars: the share of customers in each grade, per source.

    Parameters
    ----------
    pred_grades : dict of str to pandas.Series, or DataFrame
        Grades per customer by source (e.g. ``{"true": truth["grade"], "model":
        pred["grade"], "rule": rule["grade"]}``, or a DataFrame with one such column
        per source), or a DataFrame of counts indexed by grade I, II, III with one
        column per source.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> fig = grade_distribution_figure({"true": pd.Series(["I", "III", "III"]),
    ...                                  "model": pd.Series(["II", "III", "III"])})
    >>> len(fig.axes[0].patches), [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    (6, ['true (n = 3)', 'model (n = 3)'])
    """
    counts = _grade_counts(pred_grades)
    totals = counts.sum(axis=0)
    shares = counts / totals.where(totals > 0)
    fig = _figure(6.4, 4.4)
    ax = fig.add_subplot()
    n_sources = counts.shape[1]
    width = 0.8 / n_sources
    x = np.arange(len(GRADES))
    for i, source in enumerate(counts.columns):
        offset = (i - (n_sources - 1) / 2) * width
        bars = ax.bar(
            x + offset,
            shares[source].fillna(0).to_numpy(),
            width=width * 0.95,
            color=f"C{i}",
            label=f"{source} (n = {int(totals[source]):,})",
        )
        ax.bar_label(
            bars,
            labels=[f"{c:,}" for c in counts[source]],
            padding=2,
            fontsize=7 if n_sources > 3 else 8,
        )
    ax.set_xticks(x, [f"Grade {g}" for g in GRADES])
    ax.yaxis.set_major_formatter("{x:.0%}")
    ax.set(ylabel="Share of customers (count on bars)", title="Grade distribution")
    ax.margins(y=0.12)
    _style(ax)
    ax.grid(False, axis="x")
    ax.legend(fontsize="small")
    return fig


def pr_figure(evals: Mapping[str, Evaluation] | Evaluation) -> Figure:
    """Precision-recall curves of the A-level warning, one per model.

    The legend gives each model's average precision; a dot marks its operating point
    (the precision and recall of its predicted warnings) and a dashed line the base
    rate, the precision of flagging everyone.

    Parameters
    ----------
    evals : dict of str to Evaluation, or Evaluation
        Models evaluated on the same data; one without a warning model is left out.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.evaluation import evaluate
    >>> truth = pd.DataFrame({"grade": ["I", "III", "III"], "a_warning": [True, False, False]})
    >>> pred = pd.DataFrame({"p_I": [0.6, 0.3, 0.1], "p_II": [0.3, 0.2, 0.1],
    ...                      "p_III": [0.1, 0.5, 0.8], "grade": ["I", "III", "III"],
    ...                      "p_warning": [0.7, 0.2, 0.1], "a_warning": [True, False, False]})
    >>> fig = pr_figure({"model": evaluate(truth, pred)})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['model (AP 1.000)', 'base rate 0.333', 'operating point']
    """
    models = _models(evals)
    fig = _figure(6.0, 5.2)
    ax = fig.add_subplot()
    drawn, base_rate, marked = 0, math.nan, False
    for i, (name, ev) in enumerate(models.items()):
        if ev.pr.empty:
            continue
        ax.plot(
            ev.pr["recall"],
            ev.pr["precision"],
            drawstyle="steps-post",
            color=f"C{i}",
            linewidth=1.8,
            label=f"{name} (AP {_fmt(ev.metrics.get('warning_pr_auc'))})",
        )
        base_rate = ev.metrics.get("warning_rate", base_rate)
        precision = ev.metrics.get("warning_precision", math.nan)
        recall = ev.metrics.get("warning_recall", math.nan)
        if math.isfinite(precision) and math.isfinite(recall):
            ax.scatter(
                [recall],
                [precision],
                color=f"C{i}",
                edgecolor="black",
                s=45,
                zorder=3,
            )
            marked = True
        drawn += 1
    if not drawn:
        raise ArrearsRiskError(
            f"no evaluation has a warning precision-recall curve (models: {list(models)}); "
            "the warning needs truth['a_warning'] with a True and pred['p_warning']."
        )
    if math.isfinite(base_rate):
        ax.axhline(
            base_rate,
            color=_GREY,
            linestyle="--",
            linewidth=1,
            label=f"base rate {_fmt(base_rate)}",
        )
    _unit_axes(
        ax,
        xlabel="Recall (share of warnings caught)",
        ylabel="Precision (share of flags that are warnings)",
        title=f"Precision-recall: A-level warning ({_n(models)})",
    )
    _style(ax)
    handles, labels = ax.get_legend_handles_labels()
    if marked:  # a neutral marker for the legend: each dot has its model's colour
        from matplotlib.lines import Line2D

        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markerfacecolor="white",
                markeredgecolor="black",
                markersize=7,
            )
        )
        labels.append("operating point")
    ax.legend(handles, labels, loc="upper right", fontsize="small")
    return fig


BACKTEST_METRICS: tuple[str, ...] = ("grade_I_auc", "grade_I_II_auc", "warning_pr_auc")
"""The metrics :func:`backtest_figure` draws, one panel each."""


def backtest_figure(backtests: pd.DataFrame, metrics: tuple[str, ...] = BACKTEST_METRICS) -> Figure:
    """The out-of-sample metrics month by month (or fold by fold): one panel per metric,
    one line per model (``TrainResult.backtests``).

    Examples
    --------
    >>> import pandas as pd
    >>> bt = pd.DataFrame({"fold": ["2025-07-31", "2025-08-31"] * 2,
    ...                    "model": ["model", "model", "logistic", "logistic"],
    ...                    "grade_I_auc": [0.93, 0.92, 0.92, 0.91],
    ...                    "grade_I_II_auc": [0.82, 0.81, 0.81, 0.80],
    ...                    "warning_pr_auc": [0.6, 0.5, 0.55, 0.5]})
    >>> len(backtest_figure(bt).axes)
    3
    """
    missing = [c for c in ("fold", "model", *metrics) if c not in backtests.columns]
    if missing:
        raise ArrearsRiskError(f"backtests lack columns {missing}; pass TrainResult.backtests.")
    fig = _figure(4.2 * len(metrics), 3.4)
    folds = list(dict.fromkeys(backtests["fold"]))
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), i + 1)
        for model, rows in backtests.groupby("model", sort=False):
            values = rows.set_index("fold")[metric].reindex(folds)
            ax.plot(range(len(folds)), values.to_numpy(), marker="o", label=str(model))
        ax.set_xticks(range(len(folds)), folds, rotation=30, ha="right", fontsize=8)
        ax.set(title=metric, ylabel=metric)
        _style(ax)
        if i == 0:
            ax.legend(fontsize=8)
    fig.suptitle("Out-of-sample metrics by backtest")
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as a PNG at :data:`DPI` dots per inch, creating missing folders.

    A path without a suffix gets ``.png``; any other suffix is an error.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> fig = feature_importance_figure(pd.Series({"arrears": 5.0}))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_figure(fig, f"{tmp}/plots/importance")
    ...     out.name, out.stat().st_size > 0
    ('importance.png', True)
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ArrearsRiskError(f"fig must be a matplotlib Figure; got {type(fig).__name__}.")
    target = Path(path)
    if target.suffix == "":
        target = target.with_suffix(".png")
    elif target.suffix.lower() != ".png":
        raise ArrearsRiskError(f"save_figure writes PNG; path must end in .png, got {str(path)!r}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format="png", dpi=DPI, facecolor="white")
    return target

"""Small helpers every part of the report shares: escaping, dates, money, badges.

Examples
--------
>>> esc('A & <B> "c"')
'A &amp; &lt;B&gt; &quot;c&quot;'
>>> compact_money(123456.0, "zh"), compact_money(2_500_000.0, "en"), pct(0.256)
('12.3 万元', 'CNY 2.50 m', '26%')
>>> industry_label("C26", "zh"), industry_label(None, "en")
('C26 化学原料和化学制品制造业', 'households / no industry')
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import money, text
from arrearsrisk.industries import industry_name, section_of
from arrearsrisk.plans import PLAN_COLUMNS, PlanMeasure
from arrearsrisk.vocabulary import GRADES

__all__ = [
    "GRADE_COLORS",
    "RISKY_GRADES",
    "amount_words",
    "as_of_text",
    "change_html",
    "check_plans",
    "compact_money",
    "date_text",
    "esc",
    "grade_badge",
    "industry_label",
    "is_missing",
    "pct",
    "rows",
    "warn_badge",
]

GRADE_COLORS: dict[str, str] = dict(zip(GRADES, ("#c0392b", "#e58e26", "#2e8b57"), strict=True))
"""The colour of each grade in charts and bars (the CSS uses the same ones)."""

RISKY_GRADES: tuple[str, ...] = GRADES[:2]
"""Grades I and II: the grades the portfolio charts count as at risk."""


def esc(value: object) -> str:
    """``value`` as HTML text (``None`` as empty), quotes escaped too."""
    return html.escape("" if value is None else str(value), quote=True)


def check_plans(plans: pd.DataFrame, name: str) -> None:
    """Refuse ``plans`` unless it is a frame with the columns of a plan."""
    if not isinstance(plans, pd.DataFrame):
        raise ArrearsRiskError(f"{name} must be a pandas DataFrame, got {type(plans).__name__}.")
    missing = [c for c in PLAN_COLUMNS if c not in plans.columns]
    if missing:
        raise ArrearsRiskError(
            f"{name}: column(s) {missing} missing; pass the output of risk_plans "
            "(or release_candidates)."
        )


def rows(frame: pd.DataFrame, index: bool = False) -> Iterable[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: columns are mixed)."""
    out: Iterable[Any] = frame.itertuples(index=index)
    return out


def is_missing(value: Any) -> bool:
    """True for ``None``, ``pd.NA`` and a float NaN."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def as_of_text(scores: pd.DataFrame) -> str:
    """The latest ``as_of`` of the scores as ``YYYY-MM-DD``, ``-`` when unknown."""
    if "as_of" not in scores.columns or not len(scores):
        return "-"
    values = pd.to_datetime(scores["as_of"]).dropna()
    return f"{values.max():%Y-%m-%d}" if len(values) else "-"


def date_text(value: Any) -> str:
    """A date as ``YYYY-MM-DD``, empty when missing."""
    return "" if is_missing(value) or value is pd.NaT else f"{pd.Timestamp(value):%Y-%m-%d}"


def compact_money(value: float, lang: str) -> str:
    """Money for a headline: 万元 in Chinese, k / m in English."""
    if is_missing(value):
        return "-"
    if lang == "zh":
        return f"{value / 1e4:,.1f} 万元" if abs(value) >= 1e4 else f"{value:,.0f} 元"
    if abs(value) >= 1e6:
        return f"CNY {value / 1e6:,.2f} m"
    return f"CNY {value / 1e3:,.1f} k" if abs(value) >= 1e3 else f"CNY {value:,.0f}"


def pct(value: float) -> str:
    """A share as a whole percentage, ``-`` when missing."""
    return "-" if is_missing(value) else f"{value:.0%}"


def grade_badge(grade: str, lang: str) -> str:
    """The coloured badge of a grade."""
    return (
        f'<span class="badge g-{esc(grade)}">{esc(text("grade_label", lang, grade=grade))}</span>'
    )


def warn_badge(lang: str) -> str:
    """The badge of an A-level warning."""
    return f'<span class="badge warn">{esc(text("warning_label", lang))}</span>'


def industry_label(code: Any, lang: str) -> str:
    """An industry code with its GB/T 4754 name (its division's, else its section's:
    :func:`arrearsrisk.industries.industry_name`), an unknown code as it is, or "no
    industry".

    >>> industry_label("D4420", "en"), industry_label("C99", "zh"), industry_label("X1", "zh")
    ('D4420 electricity and heat production and supply', 'C99 制造业', 'X1')
    """
    if is_missing(code) or not str(code).strip():
        return text("no_industry", lang)
    code = str(code).strip()
    return f"{code} {industry_name(code, lang)}" if section_of(code) is not None else code


def change_html(row: Any) -> str:
    """The change since the previous scoring of a plan row, coloured by direction."""
    if not row.change_text:
        return ""
    cls = {"up": "change-up", "down": "change-down"}.get(str(row.change), "")
    if row.new_warning:
        cls = "change-up"
    return f'<span class="{cls}">{esc(row.change_text)}</span>'


def amount_words(m: PlanMeasure, lang: str) -> str:
    """The amount of a measure in words, e.g. "Deposit: CNY 12,000"."""
    return text("amount", lang, label=m.amount_label, value=money(m.amount or 0.0))


def named_regions(plans: pd.DataFrame, *frames: pd.DataFrame) -> list[pd.DataFrame]:
    """``plans`` and ``frames`` with their ``region`` column showing the areas' names
    where the plans carry them (``plans.attrs["region_names"]`` and the ``region_name``
    column, from a staff table that names its stations): a report reads 东城供电所, not
    the code ``Dongcheng``.  Frames without a
    ``region`` column, and areas without a name, are left as they are.

    >>> plans = pd.DataFrame({"region": ["Hexi", "Nanhu"], "region_name": ["河西供电所", None]})
    >>> [f["region"].tolist() for f in named_regions(plans, pd.DataFrame({"region": ["Hexi"]}))]
    [['河西供电所', 'Nanhu'], ['河西供电所']]
    """
    out = [plans, *frames]
    names = {str(k): str(v) for k, v in plans.attrs.get("region_names", {}).items()}
    if "region_name" in plans.columns:
        named = plans.dropna(subset=["region_name"]).drop_duplicates("region")
        regions, given = named["region"].astype(str), named["region_name"].astype(str)
        names.update(zip(regions, given, strict=True))
    if not names:
        return out
    return [
        f.assign(region=[names.get(str(r), r) if not is_missing(r) else r for r in f["region"]])
        if "region" in f.columns
        else f
        for f in out
    ]

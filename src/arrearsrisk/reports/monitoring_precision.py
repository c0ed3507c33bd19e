"""The monitoring page's precision chart: the portfolio's realised (matured months) and
estimated Grade I precision by month against the backtest figure, as an inline SVG
line chart (no script), and the page's section holding it.

Examples
--------
>>> import pandas as pd
>>> perf = pd.DataFrame({"month": ["2025-01", "2025-02"], "realised": [0.61, float("nan")],
...     "estimated": [float("nan"), 0.58], "backtest": [0.62, 0.62]})
>>> svg = precision_chart(perf, ["2025-01", "2025-02"], "en")
>>> svg.startswith("<svg") and "2025-01 · realised (matured): 61.0%" in svg and "62.0%" in svg
True
>>> precision_chart(perf.iloc[:0], [], "en").startswith('<p class="small">')
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from arrearsrisk.reports.charts import text_width
from arrearsrisk.reports.formatting import esc
from arrearsrisk.reports.monitoring_texts import page_text

if TYPE_CHECKING:
    from arrearsrisk.monitoring import Monitoring

__all__ = ["precision_chart", "precision_frame", "precision_section"]

_PRECISION = "grade_I_precision"
_COLORS = {"realised": "#1d4e89", "estimated": "#e58e26", "backtest": "#7b8794"}


def precision_frame(result: Monitoring) -> pd.DataFrame:
    """The portfolio's Grade I precision by month: columns ``month``, ``realised``,
    ``estimated`` and ``backtest`` (empty when the result has no performance rows)."""
    perf = result.performance("all")
    cols = ["month", "realised", "estimated", "backtest"]
    if perf.empty:
        return pd.DataFrame(columns=cols)
    return perf[perf["item"] == _PRECISION][cols].reset_index(drop=True)


def precision_chart(perf: pd.DataFrame, months: list[str], lang: str) -> str:
    """Realised (matured months) and estimated Grade I precision by month, with the
    backtest figure as a dotted line: an inline SVG line chart."""
    width, height = 1100.0, 270.0
    left, right, top, bottom = 52.0, 24.0, 34.0, 40.0
    by_month = perf.set_index("month")
    series = {
        name: [
            float(by_month[name].get(m, math.nan)) if m in by_month.index else math.nan
            for m in months
        ]
        for name in ("realised", "estimated")
    }
    backtest = pd.to_numeric(perf["backtest"], errors="coerce").dropna()
    line = float(backtest.iloc[0]) if len(backtest) else math.nan
    values = [v for vs in series.values() for v in vs if math.isfinite(v)]
    if math.isfinite(line):
        values.append(line)
    if not values or not months:
        return f'<p class="small">{esc(page_text("legend_none", lang))}</p>'
    lo = max(0.0, math.floor((min(values) - 0.03) * 20) / 20)
    hi = min(1.0, math.ceil((max(values) + 0.03) * 20) / 20)
    hi = hi if hi > lo else lo + 0.05
    span_x = width - left - right
    step = span_x / max(len(months) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(months) > 1 else span_x / 2)

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * (height - top - bottom)

    out = [
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" role="img" '
        f'font-size="12" aria-label="{esc(page_text("precision_title", lang))}">'
    ]
    tick = 0.05 if hi - lo <= 0.4 else 0.1
    v = lo
    while v <= hi + 1e-9:
        out.append(
            f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            'stroke="#e4e7eb"/>'
            f'<text x="{left - 6:.1f}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#52606d">'
            f"{v:.0%}</text>"
        )
        v += tick
    every = max(1, math.ceil(len(months) / 12))
    for i, m in enumerate(months):
        if i % every and i != len(months) - 1:
            continue
        label = m[5:] if i and m[5:] != "01" else m
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 18:.1f}" text-anchor="middle" '
            f'fill="#52606d" font-size="11">{esc(label)}</text>'
        )
    if math.isfinite(line):
        out.append(
            f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(line):.1f}" y2="{y(line):.1f}" '
            f'stroke="{_COLORS["backtest"]}" stroke-width="1.5" stroke-dasharray="2 4"/>'
        )
    for name, dash, fill in (
        ("estimated", ' stroke-dasharray="6 4"', "#fff"),
        ("realised", "", None),
    ):
        color = _COLORS[name]
        points = [
            (x(i), y(v), months[i], v) for i, v in enumerate(series[name]) if math.isfinite(v)
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>'
            )
        word = page_text(f"legend_{name}", lang)
        for px, py, m, v in points:
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{fill or color}" '
                f'stroke="{color}" stroke-width="2"><title>{esc(f"{m} · {word}: {v:.1%}")}</title>'
                "</circle>"
            )
    lx = left
    for name, dash in (
        ("realised", ""),
        ("estimated", ' stroke-dasharray="6 4"'),
        ("backtest", ' stroke-dasharray="2 4"'),
    ):
        word = page_text(f"legend_{name}", lang)
        if name == "backtest" and math.isfinite(line):
            word = f"{word} {line:.1%}"
        out.append(
            f'<line x1="{lx:.1f}" x2="{lx + 22:.1f}" y1="12" y2="12" stroke="{_COLORS[name]}" '
            f'stroke-width="2"{dash}/>'
            f'<text x="{lx + 28:.1f}" y="16" fill="#334e68">{esc(word)}</text>'
        )
        lx += 44 + text_width(word)
    out.append("</svg>")
    return "".join(out)


def precision_section(result: Monitoring, months: list[str], lang: str) -> str:
    """The page's precision section: title, note and :func:`precision_chart`."""
    chart = precision_chart(precision_frame(result), months, lang)
    return (
        f'<section id="precision"><h2>{esc(page_text("precision_title", lang))}</h2>'
        f'<p class="note">{esc(page_text("precision_note", lang))}</p>'
        f'<div class="panel">{chart}</div></section>'
    )

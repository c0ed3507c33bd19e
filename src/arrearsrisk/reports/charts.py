"""The portfolio's pictures: horizontal stacked bar charts as inline SVG (their text is
set by the browser in the page's fonts) and the grade migration table.

Examples
--------
>>> svg = svg_bars(["North"], [("Grade I", "#c0392b", [3.0])], ["3/10"], str)
>>> svg.startswith('<svg class="chart"') and "North" in svg and svg.endswith("</svg>")
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.monitoring.migration import align, migration_counts, moves
from arrearsrisk.reports.formatting import (
    GRADE_COLORS,
    RISKY_GRADES,
    compact_money,
    esc,
    grade_badge,
    rows,
)
from arrearsrisk.vocabulary import GRADES

__all__ = ["exposure_chart", "grade_chart", "migration_table", "svg_bars", "text_width"]


def text_width(label: str, size: float = 12.0) -> float:
    """Rough width of a label in pixels (CJK characters count double).

    >>> round(text_width("ab"), 2), text_width("供电")
    (13.92, 24.0)
    """
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in label)


def _empty(lang: str) -> str:
    return f'<p class="small">{esc(text("empty", lang))}</p>'


def _risky_series(agg: pd.DataFrame, lang: str) -> list[tuple[str, str, list[float]]]:
    """One bar series per risky grade: its label, colour and values."""
    return [
        (text("grade_label", lang, grade=g), GRADE_COLORS[g], agg[g].tolist()) for g in RISKY_GRADES
    ]


def grade_chart(folio: pd.DataFrame, keys: pd.Series, lang: str, top: int) -> str:
    """Grade I and II counts per group (largest first), with warnings and share."""
    frame = pd.DataFrame(
        {
            "key": keys.to_numpy(dtype=object),
            **{g: (folio["grade"] == g).to_numpy() for g in RISKY_GRADES},
            "warn": folio["a_warning"].to_numpy(),
            "n": 1,
        }
    )
    agg = frame.groupby("key", sort=False)[[*RISKY_GRADES, "warn", "n"]].sum()
    agg["risky"] = agg["I"] + agg["II"]
    agg = agg.sort_values(["risky", "I", "n"], ascending=False)
    agg = agg[agg["risky"] > 0]
    if len(agg) > top:
        rest = agg.iloc[top:].sum()
        agg = pd.concat([agg.iloc[:top], pd.DataFrame([rest], index=[text("other", lang)])])
    if not len(agg):
        return _empty(lang)
    warn_word = text("chart_warning", lang)
    right = [
        f"{int(r.risky):,}/{int(r.n):,} ({r.risky / r.n:.0%})"
        + (f" · {warn_word} {int(r.warn)}" if r.warn else "")
        for r in rows(agg, index=True)
    ]
    series = _risky_series(agg, lang)
    return svg_bars([str(k) for k in agg.index], series, right, lambda v: f"{v:,.0f}")


def exposure_chart(folio: pd.DataFrame, regions: pd.Series, lang: str) -> str:
    """Exposure of Grade I and II customers per supply area (largest first, top 20)."""
    exposure = np.nan_to_num(folio["exposure"].to_numpy(dtype=np.float64), nan=0.0)
    frame = pd.DataFrame(
        {
            "key": regions.to_numpy(dtype=object),
            **{g: np.where(folio["grade"] == g, exposure, 0.0) for g in RISKY_GRADES},
        }
    )
    agg = frame.groupby("key", sort=False)[list(RISKY_GRADES)].sum()
    agg["total"] = agg["I"] + agg["II"]
    agg = agg[agg["total"] > 0].sort_values("total", ascending=False).head(20)
    if not len(agg):
        return _empty(lang)
    series = _risky_series(agg, lang)
    right = [compact_money(v, lang) for v in agg["total"]]
    return svg_bars(
        [str(k) for k in agg.index], series, right, lambda v: compact_money(v, lang), inside=False
    )


def svg_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, list[float]]],
    right: Sequence[str],
    fmt: Any,
    inside: bool = True,
) -> str:
    """A horizontal stacked bar chart as inline SVG (text drawn in the page's font).

    ``series`` holds (name, colour, one value per label); ``right`` the text after each
    bar; ``fmt`` formats a value for the tooltips (and inside the bar if ``inside``).
    """
    width, row, bar, top = 640.0, 24.0, 16.0, 26.0
    label_w = min(190.0, 10.0 + max(text_width(s) for s in labels))
    right_w = min(210.0, 12.0 + max(text_width(s, 11) for s in right))
    span = width - label_w - right_w - 8
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    scale = span / max(max(totals), 1e-9)
    height = top + row * len(labels) + 4
    out = [
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" role="img" '
        'font-size="12">'
    ]
    x = label_w
    for name, color, _ in series:
        out.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" rx="2" fill="{color}"/>')
        out.append(f'<text x="{x + 16:.1f}" y="14.5" fill="#334e68">{esc(name)}</text>')
        x += 28 + text_width(name)
    for i, label in enumerate(labels):
        y = top + i * row
        out.append(
            f'<text x="{label_w - 8:.1f}" y="{y + bar - 3:.1f}" text-anchor="end" '
            f'fill="#1f2933">{esc(label)}</text>'
        )
        x = label_w
        for name, color, values in series:
            w = values[i] * scale
            if w <= 0:
                continue
            tip = f"{label} · {name}: {fmt(values[i])}"
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar:.0f}" '
                f'fill="{color}"><title>{esc(tip)}</title></rect>'
            )
            value_text = fmt(values[i])
            if inside and w > text_width(value_text, 11) + 6:
                out.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar - 4:.1f}" text-anchor="middle" '
                    f'font-size="11" fill="#fff">{esc(value_text)}</text>'
                )
            x += w
        out.append(
            f'<text x="{x + 6:.1f}" y="{y + bar - 4:.1f}" font-size="11" '
            f'fill="#52606d">{esc(right[i])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def migration_table(scores: pd.DataFrame, previous: pd.DataFrame | None, lang: str) -> str:
    """Grade now against grade at the previous scoring (customers new since then apart),
    shaded by count, with the number of customers whose risk went up or down; counted
    by :mod:`arrearsrisk.monitoring.migration` (as the monitoring's grade migration).

    Raises
    ------
    ArrearsRiskError
        If ``previous`` lacks ``customer_id`` or ``grade``, or a grade is not I, II, III.
    """
    if previous is None:
        return f'<p class="small">{esc(text("migration_none", lang))}</p>'
    for col in ("customer_id", "grade"):
        if col not in previous.columns:
            raise ArrearsRiskError(f"previous: column '{col}' required but missing.")
    prev = previous.assign(customer_id=previous["customer_id"].astype(str))
    prev = prev.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    ids = pd.Index(scores["customer_id"].astype(str))
    now = pd.Series(scores["grade"].to_numpy(dtype=object), index=ids)
    aligned = align(prev["grade"], now, GRADES)
    rank = {g: i for i, g in enumerate(GRADES)}
    befores = (*GRADES, "new")
    # rows: the grades then new; columns: the grades (customers closed since are not shown)
    full = migration_counts(aligned.before, aligned.now, len(GRADES))
    counts = full[0][:, : len(GRADES)]
    table = {(b, g): int(counts[i, j]) for i, b in enumerate(befores) for j, g in enumerate(GRADES)}
    biggest = max(int(counts.max()), 1)
    head = "".join(f"<th>{grade_badge(g, lang)}</th>" for g in GRADES)
    body = []
    for b in befores:
        name = text("migration_new", lang) if b == "new" else text("grade_label", lang, grade=b)
        cells = []
        for g in GRADES:
            k = table[b, g]
            if b == "new" or rank[g] == rank[b]:
                tone = "rgba(29,78,137,{a:.2f})"
            elif rank[g] < rank[b]:
                tone = "rgba(192,57,43,{a:.2f})"
            else:
                tone = "rgba(46,139,87,{a:.2f})"
            alpha = 0.06 + 0.5 * math.sqrt(k / biggest) if k else 0.0
            cells.append(f'<td style="background:{tone.format(a=alpha)}">{k:,}</td>')
        body.append(f"<tr><th>{esc(name)}</th>{''.join(cells)}</tr>")
    ups, downs, _ = moves(full, [rank[g] for g in GRADES])
    up, down = int(ups[0]), int(downs[0])
    warned_before = (
        prev["a_warning"].reindex(ids).fillna(False).to_numpy(dtype=bool)
        if "a_warning" in prev.columns
        else np.zeros(len(ids), dtype=bool)
    )
    new_warn = int((scores["a_warning"].fillna(False).to_numpy(dtype=bool) & ~warned_before).sum())
    corner = f"{text('migration_prev', lang)} ↓ / {text('migration_now', lang)} →"
    return (
        f'<table class="mig"><tr><th class="small">{esc(corner)}</th>{head}</tr>'
        f"{''.join(body)}</table>"
        f'<p class="small">{esc(text("migration_summary", lang, up=up, down=down, warn=new_warn))}'
        "</p>"
    )

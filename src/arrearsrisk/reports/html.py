"""The manager's report: one self-contained HTML file and an Excel workbook.

Reports only render plans (:func:`arrearsrisk.plans.risk_plans.risk_plans`) and scores; they
compute nothing a plan does not already hold except portfolio counts.

* :func:`write_report` writes one HTML file that opens offline: inline CSS, charts
  as inline SVG drawn here (their text is set by the browser in the page's fonts, so
  Chinese renders with any CJK system font: Noto Sans CJK, Source Han Sans, PingFang,
  Microsoft YaHei, WenQuanYi; none is downloaded), no script, no external link.
  Sections: the portfolio (key figures, Grade I/II and warnings by supply area and by
  industry, exposure at risk, grade migration since the previous scoring), the
  worklist by priority, one printable card per customer (one A4 page each when
  printed) and, if given, the release candidates.  For large portfolios the
  worklist and the cards are capped to the highest priorities (``max_worklist``,
  ``max_cards``), and the page says so; the workbook holds every plan.
* :func:`write_workbook` writes the worklist, the measures (one row per customer
  and measure, with dated steps), the release candidates and an about sheet, as
  .xlsx XML written directly (openpyxl was 10x slower on 100,000 customers).
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import check_lang, money, text
from arrearsrisk.plans.risk_plans import PLAN_COLUMNS, PlanMeasure, plan_measures

__all__ = ["render_report", "write_report", "write_workbook"]

GRADE_COLORS = {"I": "#c0392b", "II": "#e58e26", "III": "#2e8b57"}
WARNING_COLOR = "#7b1fa2"
_FONTS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", "Hiragino Sans GB", "Noto Sans", system-ui, -apple-system, '
    '"Segoe UI", Arial, sans-serif'
)


def write_report(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    path: str | os.PathLike[str],
    lang: str = "zh",
    previous: pd.DataFrame | None = None,
    *,
    ledger: Any = None,
    release: pd.DataFrame | None = None,
    max_worklist: int = 500,
    max_cards: int = 100,
    title: str | None = None,
) -> Path:
    """Write the manager's report as one self-contained HTML file.

    Parameters
    ----------
    plans : pandas.DataFrame
        The output of :func:`~arrearsrisk.plans.risk_plans.risk_plans` (in the same ``lang``).
    scores : pandas.DataFrame
        The scores the plans came from: the whole portfolio (grade, a_warning,
        exposure, arrears per customer).
    path : str or path-like
        The ``.html`` file to write (folders are created).
    lang : {"zh", "en"}, default "zh"
        Language of the page.
    previous : pandas.DataFrame, optional
        The previous scoring (customer_id, grade) for the grade migration table.
    ledger : Ledger, optional
        Gives region and industry of every scored customer for the portfolio charts;
        without it they come from columns ``region`` / ``industry`` of the scores if
        present, else from the plans (customers without a plan then count as "no area").
    release : pandas.DataFrame, optional
        The output of :func:`~arrearsrisk.plans.risk_plans.release_candidates`.
    max_worklist, max_cards : int, default 500 and 100
        How many of the highest-priority plans the worklist and the cards show (the
        release table shows at most ``max_worklist`` rows too); the page says how many
        it shows of how many.
    title : str, optional
        Page title; by default "电费回收风险报告" / "Electricity arrears risk report".

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import risk_plans
    >>> ledger = ar.read_ledger("data/sample")
    >>> scores = pd.DataFrame({"customer_id": ["C0013", "C0003"], "as_of": "2025-09-30",
    ...     "grade": ["I", "III"], "p_I": [0.7, 0.02], "a_warning": [True, False],
    ...     "exposure": [60000.0, 150.0], "arrears": [90000.0, 0.0]})
    >>> plans = risk_plans(scores, ledger, lang="en")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_report(plans, scores, f"{tmp}/report.html", lang="en", ledger=ledger)
    ...     page = out.read_text(encoding="utf-8")
    >>> "C0013" in page and "Lawful disconnection procedure" in page and "http" not in page
    True
    """
    page = render_report(
        plans,
        scores,
        lang,
        previous,
        ledger=ledger,
        release=release,
        max_worklist=max_worklist,
        max_cards=max_cards,
        title=title,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def render_report(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    lang: str = "zh",
    previous: pd.DataFrame | None = None,
    *,
    ledger: Any = None,
    release: pd.DataFrame | None = None,
    max_worklist: int = 500,
    max_cards: int = 100,
    title: str | None = None,
) -> str:
    """The HTML of :func:`write_report`, as text."""
    lang = check_lang(lang)
    _check_plans(plans, "plans")
    for name, value in (("max_worklist", max_worklist), ("max_cards", max_cards)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ArrearsRiskError(f"{name} must be a whole number >= 0, got {value!r}.")
    folio = _portfolio(scores, plans, ledger)
    as_of = _as_of_text(scores)
    model = ""
    if "model_version" in scores.columns and len(scores):
        model = ", ".join(sorted({str(v) for v in scores["model_version"].dropna()}))[:60]
    heading = title or text("report_title", lang)
    from arrearsrisk._version import __version__

    nav = [("portfolio", "nav_portfolio"), ("worklist", "nav_worklist"), ("cards", "nav_cards")]
    if release is not None:
        nav.append(("release", "nav_release"))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(heading)} · {_e(as_of)}</title>",
        f"<style>{_CSS.replace('FONTS', _FONTS)}</style>",
        "</head>",
        "<body>",
        '<header class="top"><div class="wrap">',
        f"<h1>{_e(heading)}</h1>",
        f'<p class="sub">{_e(text("report_subtitle", lang, as_of=as_of, model=model or "-"))}</p>',
        "<nav>"
        + "".join(f'<a href="#{a}">{_e(text(k, lang))}</a>' for a, k in nav)
        + f'<span class="hint">{_e(text("print_hint", lang))}</span></nav>',
        "</div></header>",
        "<main>",
        _portfolio_section(folio, plans, previous, scores, lang),
        _worklist_section(plans, lang, max_worklist),
        _cards_section(plans, lang, max_cards),
    ]
    if release is not None:
        _check_plans(release, "release")
        parts.append(_release_section(release, lang, max_worklist))
    parts += [
        "</main>",
        f"<footer>{_e(text('footer', lang, version=__version__))}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts)


# -- helpers ------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _check_plans(plans: pd.DataFrame, name: str) -> None:
    if not isinstance(plans, pd.DataFrame):
        raise ArrearsRiskError(f"{name} must be a pandas DataFrame, got {type(plans).__name__}.")
    missing = [c for c in PLAN_COLUMNS if c not in plans.columns]
    if missing:
        raise ArrearsRiskError(
            f"{name}: column(s) {missing} missing; pass the output of risk_plans "
            "(or release_candidates)."
        )


def _rows(frame: pd.DataFrame, index: bool = False) -> Iterable[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: columns are mixed)."""
    rows: Iterable[Any] = frame.itertuples(index=index)
    return rows


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _as_of_text(scores: pd.DataFrame) -> str:
    if "as_of" not in scores.columns or not len(scores):
        return "-"
    values = pd.to_datetime(scores["as_of"]).dropna()
    return f"{values.max():%Y-%m-%d}" if len(values) else "-"


def _date(value: Any) -> str:
    return "" if _missing(value) or value is pd.NaT else f"{pd.Timestamp(value):%Y-%m-%d}"


def _compact(value: float, lang: str) -> str:
    """Money for a headline: 万元 in Chinese, k / m in English."""
    if _missing(value):
        return "-"
    if lang == "zh":
        return f"{value / 1e4:,.1f} 万元" if abs(value) >= 1e4 else f"{value:,.0f} 元"
    if abs(value) >= 1e6:
        return f"CNY {value / 1e6:,.2f} m"
    return f"CNY {value / 1e3:,.1f} k" if abs(value) >= 1e3 else f"CNY {value:,.0f}"


def _pct(value: float) -> str:
    return "-" if _missing(value) else f"{value:.0%}"


def _grade_badge(grade: str, lang: str) -> str:
    return f'<span class="badge g-{_e(grade)}">{_e(text("grade_label", lang, grade=grade))}</span>'


def _warn_badge(lang: str) -> str:
    return f'<span class="badge warn">{_e(text("warning_label", lang))}</span>'


def _industry_label(code: Any, lang: str) -> str:
    if _missing(code) or not str(code).strip():
        return text("no_industry", lang)
    code = str(code).strip()
    key = f"sec_{code[:1].upper()}"
    return f"{code} {text(key, lang)}" if key in _SECTIONS else code


_SECTIONS = {f"sec_{c}" for c in "ABCDEFGHIJKLMNOPQRST"}


def _text_width(label: str, size: float = 12.0) -> float:
    """Rough width of a label in pixels (CJK characters count double)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.58 for ch in label)


# -- portfolio ------------------------------------------------------------------------


def _portfolio(scores: pd.DataFrame, plans: pd.DataFrame, ledger: Any) -> pd.DataFrame:
    """One row per scored customer: grade, a_warning, exposure, arrears, region, industry."""
    need = ("customer_id", "grade", "a_warning", "exposure", "arrears")
    missing = [c for c in need if c not in scores.columns]
    if missing:
        raise ArrearsRiskError(f"scores: column(s) {missing} required but missing.")
    out = pd.DataFrame(
        {
            "customer_id": scores["customer_id"].astype(str).to_numpy(),
            "grade": scores["grade"].astype(str).to_numpy(),
            "a_warning": scores["a_warning"].fillna(False).to_numpy(dtype=bool),
            "exposure": pd.to_numeric(scores["exposure"]).to_numpy(dtype=np.float64),
            "arrears": pd.to_numeric(scores["arrears"]).to_numpy(dtype=np.float64),
        }
    )
    ids = pd.Index(out["customer_id"])
    if ledger is not None:
        cust = ledger.customers.set_index("customer_id").reindex(ids)
        source = {c: cust[c] for c in ("region", "industry") if c in cust.columns}
    elif {"region", "industry"} <= set(scores.columns):
        source = {c: scores[c] for c in ("region", "industry")}
    else:
        by_id = plans.set_index(plans["customer_id"].astype(str)).reindex(ids)
        source = {c: by_id[c] for c in ("region", "industry")}
    for col in ("region", "industry"):
        values = source.get(col)
        out[col] = (
            pd.Series(values.to_numpy(dtype=object), dtype=object)
            if values is not None
            else pd.Series([None] * len(out), dtype=object)
        )
    return out


def _portfolio_section(
    folio: pd.DataFrame,
    plans: pd.DataFrame,
    previous: pd.DataFrame | None,
    scores: pd.DataFrame,
    lang: str,
) -> str:
    n = len(folio)
    grade = folio["grade"]
    risky = grade.isin(["I", "II"]).to_numpy()
    count = {g: int((grade == g).sum()) for g in ("I", "II")}
    warned = int(folio["a_warning"].sum())

    def share(k: int) -> str:
        return text("kpi_share", lang, share=_pct(k / n)) if n else ""

    tiles = [
        ("", text("kpi_scored", lang), f"{n:,}", ""),
        ("plan", text("kpi_plans", lang), f"{len(plans):,}", share(len(plans))),
        ("g1", text("kpi_grade_I", lang), f"{count['I']:,}", share(count["I"])),
        ("g2", text("kpi_grade_II", lang), f"{count['II']:,}", share(count["II"])),
        ("warn", text("kpi_warning", lang), f"{warned:,}", share(warned)),
        (
            "money",
            text("kpi_exposure", lang),
            _compact(float(np.nansum(folio["exposure"].to_numpy()[risky])), lang),
            "",
        ),
        (
            "money",
            text("kpi_arrears", lang),
            _compact(float(np.nansum(folio["arrears"].to_numpy()[risky])), lang),
            "",
        ),
        ("money", text("kpi_loss", lang), _compact(float(plans["expected_loss"].sum()), lang), ""),
    ]
    kpis = "".join(
        f'<div class="kpi {cls}"><div class="l">{_e(label)}</div>'
        f'<div class="v">{_e(value)}</div><div class="s">{_e(sub)}</div></div>'
        for cls, label, value, sub in tiles
    )
    regions = folio["region"].map(
        lambda r: text("no_region", lang) if _missing(r) or not str(r).strip() else str(r)
    )
    industries = folio["industry"].map(lambda c: _industry_label(c, lang))
    charts = [
        _panel(text("chart_region", lang), _grade_chart(folio, regions, lang, top=20)),
        _panel(text("chart_industry", lang), _grade_chart(folio, industries, lang, top=12)),
        _panel(text("chart_exposure", lang), _exposure_chart(folio, regions, lang)),
        _panel(text("migration_title", lang), _migration(scores, previous, lang)),
    ]
    return (
        f'<section id="portfolio"><h2>{_e(text("nav_portfolio", lang))}</h2>'
        f'<div class="kpis">{kpis}</div><div class="grid2">{"".join(charts)}</div></section>'
    )


def _panel(title: str, body: str) -> str:
    return f'<div class="panel"><h3>{_e(title)}</h3>{body}</div>'


def _grade_chart(folio: pd.DataFrame, keys: pd.Series, lang: str, top: int) -> str:
    """Grade I and II counts per group (largest first), with warnings and share."""
    frame = pd.DataFrame(
        {
            "key": keys.to_numpy(dtype=object),
            "I": (folio["grade"] == "I").to_numpy(),
            "II": (folio["grade"] == "II").to_numpy(),
            "warn": folio["a_warning"].to_numpy(),
            "n": 1,
        }
    )
    agg = frame.groupby("key", sort=False)[["I", "II", "warn", "n"]].sum()
    agg["risky"] = agg["I"] + agg["II"]
    agg = agg.sort_values(["risky", "I", "n"], ascending=False)
    agg = agg[agg["risky"] > 0]
    if len(agg) > top:
        rest = agg.iloc[top:].sum()
        agg = pd.concat([agg.iloc[:top], pd.DataFrame([rest], index=[text("other", lang)])])
    if not len(agg):
        return f'<p class="small">{_e(text("empty", lang))}</p>'
    warn_word = text("chart_warning", lang)
    right = [
        f"{int(r.risky):,}/{int(r.n):,} ({r.risky / r.n:.0%})"
        + (f" · {warn_word} {int(r.warn)}" if r.warn else "")
        for r in _rows(agg, index=True)
    ]
    series = [
        (text("grade_label", lang, grade="I"), GRADE_COLORS["I"], agg["I"].tolist()),
        (text("grade_label", lang, grade="II"), GRADE_COLORS["II"], agg["II"].tolist()),
    ]
    return _svg_bars([str(k) for k in agg.index], series, right, lambda v: f"{v:,.0f}")


def _exposure_chart(folio: pd.DataFrame, regions: pd.Series, lang: str) -> str:
    exposure = np.nan_to_num(folio["exposure"].to_numpy(dtype=np.float64), nan=0.0)
    frame = pd.DataFrame(
        {
            "key": regions.to_numpy(dtype=object),
            "I": np.where(folio["grade"] == "I", exposure, 0.0),
            "II": np.where(folio["grade"] == "II", exposure, 0.0),
        }
    )
    agg = frame.groupby("key", sort=False)[["I", "II"]].sum()
    agg["total"] = agg["I"] + agg["II"]
    agg = agg[agg["total"] > 0].sort_values("total", ascending=False).head(20)
    if not len(agg):
        return f'<p class="small">{_e(text("empty", lang))}</p>'
    series = [
        (text("grade_label", lang, grade="I"), GRADE_COLORS["I"], agg["I"].tolist()),
        (text("grade_label", lang, grade="II"), GRADE_COLORS["II"], agg["II"].tolist()),
    ]
    right = [_compact(v, lang) for v in agg["total"]]
    return _svg_bars(
        [str(k) for k in agg.index], series, right, lambda v: _compact(v, lang), inside=False
    )


def _svg_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, list[float]]],
    right: Sequence[str],
    fmt: Any,
    inside: bool = True,
) -> str:
    """A horizontal stacked bar chart as inline SVG (text drawn in the page's font)."""
    width, row, bar, top = 640.0, 24.0, 16.0, 26.0
    label_w = min(190.0, 10.0 + max(_text_width(s) for s in labels))
    right_w = min(210.0, 12.0 + max(_text_width(s, 11) for s in right))
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
        out.append(f'<text x="{x + 16:.1f}" y="14.5" fill="#334e68">{_e(name)}</text>')
        x += 28 + _text_width(name)
    for i, label in enumerate(labels):
        y = top + i * row
        out.append(
            f'<text x="{label_w - 8:.1f}" y="{y + bar - 3:.1f}" text-anchor="end" '
            f'fill="#1f2933">{_e(label)}</text>'
        )
        x = label_w
        for name, color, values in series:
            w = values[i] * scale
            if w <= 0:
                continue
            tip = f"{label} · {name}: {fmt(values[i])}"
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar:.0f}" '
                f'fill="{color}"><title>{_e(tip)}</title></rect>'
            )
            value_text = fmt(values[i])
            if inside and w > _text_width(value_text, 11) + 6:
                out.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar - 4:.1f}" text-anchor="middle" '
                    f'font-size="11" fill="#fff">{_e(value_text)}</text>'
                )
            x += w
        out.append(
            f'<text x="{x + 6:.1f}" y="{y + bar - 4:.1f}" font-size="11" '
            f'fill="#52606d">{_e(right[i])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _migration(scores: pd.DataFrame, previous: pd.DataFrame | None, lang: str) -> str:
    if previous is None:
        return f'<p class="small">{_e(text("migration_none", lang))}</p>'
    for col in ("customer_id", "grade"):
        if col not in previous.columns:
            raise ArrearsRiskError(f"previous: column '{col}' required but missing.")
    prev = previous.assign(customer_id=previous["customer_id"].astype(str))
    prev = prev.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    ids = pd.Index(scores["customer_id"].astype(str))
    before = prev["grade"].astype("str").reindex(ids).fillna("new").to_numpy()
    now = scores["grade"].astype(str).to_numpy()
    rank = {"I": 0, "II": 1, "III": 2}
    rows = ("I", "II", "III", "new")
    crossed = pd.crosstab(pd.Categorical(before, rows), pd.Categorical(now, rows[:3]), dropna=False)
    counts = crossed.to_numpy(dtype=np.int64)
    table = {(b, g): int(counts[i, j]) for i, b in enumerate(rows) for j, g in enumerate(rows[:3])}
    biggest = max(int(counts.max()), 1)
    head = "".join(f"<th>{_grade_badge(g, lang)}</th>" for g in rows[:3])
    body = []
    for b in rows:
        name = text("migration_new", lang) if b == "new" else text("grade_label", lang, grade=b)
        cells = []
        for g in rows[:3]:
            k = table[b, g]
            if b == "new" or rank[g] == rank[b]:
                tone = "rgba(29,78,137,{a:.2f})"
            elif rank[g] < rank[b]:
                tone = "rgba(192,57,43,{a:.2f})"
            else:
                tone = "rgba(46,139,87,{a:.2f})"
            alpha = 0.06 + 0.5 * math.sqrt(k / biggest) if k else 0.0
            cells.append(f'<td style="background:{tone.format(a=alpha)}">{k:,}</td>')
        body.append(f"<tr><th>{_e(name)}</th>{''.join(cells)}</tr>")
    up = sum(table[b, g] for b in rows[:3] for g in rows[:3] if rank[g] < rank[b])
    down = sum(table[b, g] for b in rows[:3] for g in rows[:3] if rank[g] > rank[b])
    warned_before = (
        prev["a_warning"].reindex(ids).fillna(False).to_numpy(dtype=bool)
        if "a_warning" in prev.columns
        else np.zeros(len(ids), dtype=bool)
    )
    new_warn = int((scores["a_warning"].fillna(False).to_numpy(dtype=bool) & ~warned_before).sum())
    corner = f"{text('migration_prev', lang)} ↓ / {text('migration_now', lang)} →"
    return (
        f'<table class="mig"><tr><th class="small">{_e(corner)}</th>{head}</tr>'
        f"{''.join(body)}</table>"
        f'<p class="small">{_e(text("migration_summary", lang, up=up, down=down, warn=new_warn))}'
        "</p>"
    )


# -- worklist and cards ---------------------------------------------------------------


def _measure_chips(measures: Iterable[PlanMeasure]) -> str:
    return "".join(
        f'<span class="chip{" disc" if m.kind == "disconnection" else ""}">{_e(m.name)}</span>'
        for m in measures
    )


def _change_html(row: Any) -> str:
    if not row.change_text:
        return ""
    cls = {"up": "change-up", "down": "change-down"}.get(str(row.change), "")
    if row.new_warning:
        cls = "change-up"
    return f'<span class="{cls}">{_e(row.change_text)}</span>'


def _worklist_section(plans: pd.DataFrame, lang: str, limit: int) -> str:
    shown = plans.head(limit)
    heads = [
        ("col_priority", "num"),
        ("col_customer_id", ""),
        ("col_grade", ""),
        ("col_exposure", "num"),
        ("col_expected_loss", "num"),
        ("col_change", ""),
        ("col_measures", ""),
        ("col_review_date", ""),
    ]
    head = "".join(f'<th class="{cls}">{_e(text(c, lang))}</th>' for c, cls in heads)
    p_word, arrears_word = text("col_p_I", lang), text("col_arrears", lang)
    officer_word = text("col_officer", lang)
    colon = "：" if lang == "zh" else ": "
    rows = []
    for r in _rows(shown):
        where = " · ".join(
            x
            for x in (
                "" if _missing(r.region) else str(r.region),
                _industry_label(r.industry, lang) if not _missing(r.industry) else "",
                text(f"cat_{r.category}", lang),
            )
            if x
        )
        badges = _grade_badge(r.grade, lang) + (" " + _warn_badge(lang) if r.a_warning else "")
        officer = "" if _missing(r.officer) else f"{officer_word}{colon}{r.officer}"
        rows.append(
            "<tr>"
            f'<td class="num">{r.priority}</td>'
            f'<td class="who"><a href="#c-{_e(r.customer_id)}"><b>{_e(r.customer_id)}</b></a>'
            f'<div class="small">{_e(where)}</div></td>'
            f'<td>{badges}<div class="small">{_e(p_word)} {_pct(r.p_I)}</div></td>'
            f'<td class="num">{money(r.exposure)}'
            f'<div class="small">{_e(arrears_word)} {money(r.arrears)}</div></td>'
            f'<td class="num"><b>{money(r.expected_loss)}</b></td>'
            f"<td>{_change_html(r)}</td>"
            f"<td>{_measure_chips(r.measures)}</td>"
            f'<td class="nowrap">{_date(r.review_date)}<div class="small">{_e(officer)}</div></td>'
            "</tr>"
        )
    note = text("worklist_note", lang, shown=f"{len(shown):,}", total=f"{len(plans):,}")
    return (
        f'<section id="worklist"><h2>{_e(text("nav_worklist", lang))}</h2>'
        f'<p class="note">{_e(note)}</p>'
        f'<div class="panel flush"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _prob_bar(r: Any, lang: str) -> str:
    parts = []
    for g, p in (("I", r.p_I), ("II", r.p_II), ("III", r.p_III)):
        if _missing(p) or p <= 0:
            continue
        label = f"{g} {p:.0%}" if p >= 0.12 else ""
        parts.append(
            f'<span style="width:{100 * p:.1f}%;background:{GRADE_COLORS[g]}" '
            f'title="{_e(text("grade_label", lang, grade=g))} {p:.1%}">{_e(label)}</span>'
        )
    if not parts:
        return f'<p class="small">P(I) {_pct(r.p_I)}</p>'
    extra = ""
    if not _missing(r.p_warning):
        extra = f'<div class="small">{_e(text("col_p_warning", lang))} {_pct(r.p_warning)}</div>'
    return f'<div class="probbar">{"".join(parts)}</div>{extra}'


def _kv(pairs: Sequence[tuple[str, str]]) -> str:
    return (
        '<dl class="kv">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in pairs if v not in ("", None))
        + "</dl>"
    )


def _amount_words(m: PlanMeasure, lang: str) -> str:
    return text("amount", lang, label=m.amount_label, value=money(m.amount or 0.0))


def _measure_item(m: PlanMeasure, lang: str) -> str:
    amount = ""
    if m.amount is not None:
        amount = f'<span class="amount">{_e(_amount_words(m, lang))}</span>'
    steps = ""
    if m.steps:
        steps = (
            '<table class="steps">'
            + "".join(
                f'<tr><td class="nowrap">{s.date:%Y-%m-%d}</td><td>{_e(s.name)}</td></tr>'
                for s in m.steps
            )
            + "</table>"
        )
    cls = ' class="disc"' if m.kind == "disconnection" else ""
    return (
        f"<li{cls}><b>{_e(m.name)}</b>{amount}"
        f'<div class="why">{_e(text("card_why", lang))}{_e(m.reason)}</div>'
        f'<div class="expl">{_e(m.explanation)}</div>{steps}</li>'
    )


def _card(r: Any, lang: str) -> str:
    where = " · ".join(
        x
        for x in (
            "" if _missing(r.region) else str(r.region),
            "" if _missing(r.industry) else _industry_label(r.industry, lang),
            text(f"cat_{r.category}", lang),
        )
        if x
    )
    badges = _grade_badge(r.grade, lang) + (" " + _warn_badge(lang) if r.a_warning else "")
    change = f'<span class="change">{_change_html(r)}</span>' if r.change_text else ""
    figures = _kv(
        [
            (text("col_exposure", lang), money(r.exposure)),
            (text("col_arrears", lang), money(r.arrears)),
            (text("col_expected_loss", lang), money(r.expected_loss)),
            (text("col_deposit", lang), money(r.deposit)),
            (text("col_review_date", lang), _date(r.review_date)),
            (text("col_as_of", lang), _date(r.as_of)),
        ]
    )
    reasons = (
        "<ol>" + "".join(f"<li>{_e(x)}</li>" for x in r.reasons) + "</ol>"
        if r.reasons
        else f'<p class="small">{_e(text("empty", lang))}</p>'
    )
    people = _kv(
        [
            (text(f"col_{role}", lang), "" if _missing(getattr(r, role)) else str(getattr(r, role)))
            for role in ("head", "manager", "officer")
        ]
    )
    if people == '<dl class="kv"></dl>':
        people = '<p class="small">-</p>'
    hazard = (
        f'<p class="hazard">{_e(text("hazard_no_disconnection", lang))}</p>'
        if r.high_hazard
        else ""
    )
    measures = (
        '<ol class="measures">' + "".join(_measure_item(m, lang) for m in r.measures) + "</ol>"
        if r.measures
        else f'<p class="small">{_e(text("card_no_measure", lang))}</p>'
    )
    return (
        f'<article class="pcard g-{_e(r.grade)}" id="c-{_e(r.customer_id)}">'
        f'<header><span class="prio">{_e(text("card_priority", lang, priority=r.priority))}</span>'
        f"<h3>{_e(r.customer_id)}</h3>{badges}{change}"
        f'<span class="where">{_e(where)}</span></header>'
        '<div class="cols"><div>'
        f"<h4>{_e(text('card_probs', lang))}</h4>{_prob_bar(r, lang)}"
        f"<h4>{_e(text('card_figures', lang))}</h4>{figures}"
        f"<h4>{_e(text('card_reasons', lang))}</h4>{reasons}"
        f"<h4>{_e(text('card_people', lang))}</h4>{people}"
        f"</div><div><h4>{_e(text('card_measures', lang))}</h4>{hazard}{measures}</div></div>"
        "</article>"
    )


def _cards_section(plans: pd.DataFrame, lang: str, limit: int) -> str:
    shown = plans.head(limit)
    note = text("cards_note", lang, shown=f"{len(shown):,}", total=f"{len(plans):,}")
    cards = "".join(_card(r, lang) for r in _rows(shown))
    return (
        f'<section id="cards"><h2>{_e(text("nav_cards", lang))}</h2>'
        f'<p class="note">{_e(note)}</p>{cards}</section>'
    )


def _release_section(release: pd.DataFrame, lang: str, limit: int) -> str:
    shown = release.head(limit)
    cols = ["col_customer_id", "col_region", "col_deposit", "col_measures", "col_officer"]
    head = "".join(f"<th>{_e(text(c, lang))}</th>" for c in cols)
    rows = []
    for r in _rows(shown):
        items = "".join(
            f'<div><span class="chip ok">{_e(m.name)}</span>'
            + (
                f' <span class="small">{_e(_amount_words(m, lang))}</span>'
                if m.amount is not None
                else ""
            )
            + "</div>"
            for m in r.measures
        )
        rows.append(
            f"<tr><td><b>{_e(r.customer_id)}</b></td>"
            f"<td>{_e('' if _missing(r.region) else r.region)}</td>"
            f'<td class="num">{money(r.deposit)}</td><td>{items}</td>'
            f"<td>{_e('' if _missing(r.officer) else r.officer)}</td></tr>"
        )
    note = text("release_note", lang, total=f"{len(release):,}", shown=f"{len(shown):,}")
    return (
        f'<section id="release"><h2>{_e(text("nav_release", lang))}</h2>'
        f'<p class="note">{_e(note)}</p><div class="panel flush"><table class="data">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


# -- Excel ----------------------------------------------------------------------------

# (plan column, header key, width, format); formats: text, int, money, pct, date, flag
_WORKLIST_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("priority", "col_priority", 8, "int"),
    ("customer_id", "col_customer_id", 12, "text"),
    ("region", "col_region", 12, "text"),
    ("industry", "col_industry", 9, "text"),
    ("category", "col_category", 12, "category"),
    ("grade", "col_grade", 7, "text"),
    ("a_warning", "col_a_warning", 9, "flag"),
    ("p_I", "col_p_I", 9, "pct"),
    ("p_II", "col_p_II", 9, "pct"),
    ("p_warning", "col_p_warning", 9, "pct"),
    ("exposure", "col_exposure", 13, "money"),
    ("arrears", "col_arrears", 13, "money"),
    ("expected_loss", "col_expected_loss", 13, "money"),
    ("deposit", "col_deposit", 12, "money"),
    ("high_hazard", "col_high_hazard", 9, "flag"),
    ("reasons", "col_reasons", 40, "list"),
    ("previous_grade", "col_previous_grade", 9, "text"),
    ("change_text", "col_change", 22, "text"),
    ("review_date", "col_review_date", 12, "date"),
    ("head", "col_head", 12, "text"),
    ("manager", "col_manager", 12, "text"),
    ("officer", "col_officer", 12, "text"),
    ("measures", "col_measures", 60, "measures"),
)
_MEASURE_COLUMNS: tuple[tuple[str, str, int, str], ...] = (
    ("priority", "col_priority", 8, "int"),
    ("customer_id", "col_customer_id", 12, "text"),
    ("grade", "col_grade", 7, "text"),
    ("region", "col_region", 12, "text"),
    ("officer", "col_officer", 12, "text"),
    ("code", "col_measure_code", 16, "text"),
    ("measure", "col_measure", 22, "text"),
    ("reason", "col_reason", 60, "text"),
    ("amount", "col_amount", 13, "money"),
    ("amount_label", "col_amount_label", 14, "text"),
    ("steps", "col_dates", 70, "text"),
    ("due_date", "col_date", 12, "date"),
)


def write_workbook(
    plans: pd.DataFrame,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    release: pd.DataFrame | None = None,
) -> Path:
    """Write the worklist and plans as an Excel workbook (``.xlsx``).

    Sheets (names in ``lang``): the worklist (one row per plan, by priority; zh
    ``工作清单``, en ``Worklist``), the measures (one row per customer and measure with
    reason, amount and dated steps; ``措施明细`` / ``Measures``), the release candidates
    when ``release`` is given (``可解除措施`` / ``Release``) and an about sheet
    (``说明`` / ``About``).  Header rows are frozen and filterable; money, shares and
    dates carry Excel number formats.

    The file is written directly as Office Open XML (shared strings, one pass per
    column), not through openpyxl, whose per-cell cost (about 17 µs) would make the
    workbook of 100,000 customers take half a minute; openpyxl and pandas read it back
    in the tests.

    Examples
    --------
    >>> import tempfile, pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import risk_plans
    >>> ledger = ar.read_ledger("data/sample")
    >>> scores = pd.DataFrame({"customer_id": ["C0013"], "as_of": "2025-09-30",
    ...     "grade": ["I"], "p_I": [0.7], "a_warning": [True], "exposure": [60000.0],
    ...     "arrears": [90000.0]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_workbook(risk_plans(scores, ledger, lang="en"), f"{tmp}/p.xlsx", "en")
    ...     sheets = pd.read_excel(out, sheet_name=None)
    >>> list(sheets), len(sheets["Measures"])
    (['Worklist', 'Measures', 'About'], 8)
    """
    lang = check_lang(lang)
    _check_plans(plans, "plans")
    book = _Workbook()
    book.add_frame(
        text("sheet_worklist", lang), _worklist_cells(plans, lang), _WORKLIST_COLUMNS, lang
    )
    long = plan_measures(plans)
    book.add_frame(text("sheet_measures", lang), long, _MEASURE_COLUMNS, lang)
    if release is not None:
        _check_plans(release, "release")
        book.add_frame(
            text("sheet_release", lang), _worklist_cells(release, lang), _WORKLIST_COLUMNS, lang
        )
    as_of = _date(plans["as_of"].iloc[0]) if len(plans) else "-"
    about = [
        (text("about_as_of", lang), as_of),
        (text("about_plans", lang), len(plans)),
        (text("about_measures", lang), len(long)),
        (text("about_order", lang), None),
    ]
    book.add_rows(text("sheet_about", lang), about, widths=(28, 60))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _worklist_cells(plans: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan columns of the worklist sheet as plain values (texts in ``lang``)."""
    sep = "；" if lang == "zh" else "; "
    yes, no = text("yes", lang), text("no", lang)
    out = pd.DataFrame(index=plans.index)
    for col, _, _, kind in _WORKLIST_COLUMNS:
        values = plans[col]
        if kind == "flag":
            out[col] = [yes if bool(v) else no for v in values.fillna(False)]
        elif kind == "category":
            labels = {c: text(f"cat_{c}", lang) for c in values.unique()}
            out[col] = [labels[c] for c in values]
        elif kind == "list":
            out[col] = [sep.join(v) for v in values]
        elif kind == "measures":
            out[col] = [sep.join(m.name for m in ms) for ms in values]
        else:
            out[col] = values
    return out


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_STYLE = {"text": 0, "int": 0, "header": 1, "date": 2, "money": 3, "pct": 4}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _col_letter(i: int) -> str:
    """Excel column letters of the 0-based column ``i``.

    >>> _col_letter(0), _col_letter(25), _col_letter(26), _col_letter(702)
    ('A', 'Z', 'AA', 'AAA')
    """
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


class _Workbook:
    """A minimal streaming .xlsx writer: shared strings, a few styles, frozen headers."""

    def __init__(self) -> None:
        self.strings: dict[str, int] = {}
        self.sheets: list[tuple[str, str, int, int]] = []  # name, xml, rows, cols

    def _s(self, value: str) -> int:
        idx = self.strings.get(value)
        if idx is None:
            idx = self.strings[value] = len(self.strings)
        return idx

    def _text_cells(self, letter: str, values: Sequence[Any], style: int = 0) -> list[str]:
        s = f' s="{style}"' if style else ""
        return [
            ""
            if _missing(v)
            else f'<c r="{letter}{r}" t="s"{s}><v>{self._s(str(v)[:32767])}</v></c>'
            for r, v in enumerate(values, start=2)
        ]

    @staticmethod
    def _number_cells(letter: str, values: np.ndarray, style: int) -> list[str]:
        s = f' s="{style}"' if style else ""
        return [
            "" if v != v else f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>'
            for r, v in enumerate(values.tolist(), start=2)
        ]

    def add_frame(
        self,
        name: str,
        frame: pd.DataFrame,
        columns: Sequence[tuple[str, str, int, str]],
        lang: str,
    ) -> None:
        n = len(frame)
        cells: list[list[str]] = []
        for j, (col, _, _, kind) in enumerate(columns):
            letter = _col_letter(j)
            values = frame[col]
            if kind in ("money", "pct", "int"):
                nums = pd.to_numeric(values).to_numpy(dtype=np.float64, na_value=np.nan)
                if kind == "int":
                    cells.append(
                        [
                            "" if v != v else f'<c r="{letter}{r}"><v>{int(v)}</v></c>'
                            for r, v in enumerate(nums.tolist(), start=2)
                        ]
                    )
                else:
                    cells.append(self._number_cells(letter, nums, _STYLE[kind]))
            elif kind == "date":
                days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
                serial = (days - _EXCEL_EPOCH).astype("float64")
                serial[np.isnat(days)] = np.nan
                cells.append(self._number_cells(letter, serial, _STYLE["date"]))
            else:
                cells.append(self._text_cells(letter, values.tolist()))
        header = "".join(
            f'<c r="{_col_letter(j)}1" t="s" s="1"><v>{self._s(text(key, lang))}</v></c>'
            for j, (_, key, _, _) in enumerate(columns)
        )
        rows = [f'<row r="1">{header}</row>']
        rows += (
            [
                f'<row r="{r}">{"".join(row)}</row>'
                for r, row in enumerate(zip(*cells, strict=True), start=2)
            ]
            if cells
            else []
        )
        last = f"{_col_letter(len(columns) - 1)}{n + 1}"
        widths = [w for _, _, w, _ in columns]
        self._add(name, rows, widths, freeze=True, filter_ref=f"A1:{last}", n_cols=len(columns))

    def add_rows(self, name: str, rows: Sequence[tuple[str, Any]], widths: Sequence[int]) -> None:
        out = []
        for r, (key, value) in enumerate(rows, start=1):
            cells = f'<c r="A{r}" t="s"><v>{self._s(key)}</v></c>'
            if isinstance(value, str):
                cells += f'<c r="B{r}" t="s"><v>{self._s(value)}</v></c>'
            elif value is not None:
                cells += f'<c r="B{r}"><v>{value!r}</v></c>'
            out.append(f'<row r="{r}">{cells}</row>')
        self._add(name, out, widths, freeze=False, filter_ref=None, n_cols=2)

    def _add(
        self,
        name: str,
        rows: list[str],
        widths: Sequence[int],
        freeze: bool,
        filter_ref: str | None,
        n_cols: int,
    ) -> None:
        pane = (
            '<pane xSplit="2" ySplit="1" topLeftCell="C2" activePane="bottomRight" '
            'state="frozen"/><selection pane="bottomRight"/>'
            if freeze
            else ""
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        xml = "".join(
            [
                _XML_HEAD,
                f"<worksheet {_NS} {_NS_R}>",
                f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>',
                '<sheetFormatPr defaultRowHeight="15"/>',
                f"<cols>{cols}</cols><sheetData>",
                *rows,
                "</sheetData>",
                f'<autoFilter ref="{filter_ref}"/>' if filter_ref else "",
                "</worksheet>",
            ]
        )
        self.sheets.append((name, xml, len(rows), n_cols))

    def save(self, path: Path) -> None:
        import zipfile

        n = len(self.sheets)
        sheets = "".join(
            f'<sheet name="{_e(_sheet_name(name))}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _, _, _) in enumerate(self.sheets, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{_e(_quote_sheet(name))}!$A$1:${_col_letter(cols - 1)}${rows}</definedName>"
            for i, (name, xml, rows, cols) in enumerate(self.sheets)
            if "<autoFilter" in xml[-200:]
        )
        workbook = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_NS_R}>'
            f"<sheets>{sheets}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>"
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += (
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        content_types = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            f"{types}</Types>"
        )
        strings = "".join(
            f'<si><t xml:space="preserve">{_ILLEGAL_XML.sub("", html.escape(s, quote=False))}'
            "</t></si>"
            for s in self.strings
        )
        sst = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS} '
            f'count="{len(self.strings)}" uniqueCount="{len(self.strings)}">{strings}</sst>'
        )
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=4) as z:
            z.writestr("[Content_Types].xml", content_types)
            z.writestr(
                "_rels/.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
                f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            z.writestr("xl/workbook.xml", workbook)
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Relationships xmlns="{pkg}">{rels}</Relationships>',
            )
            z.writestr("xl/styles.xml", _STYLES_XML)
            z.writestr("xl/sharedStrings.xml", sst)
            for i, (_, xml, _, _) in enumerate(self.sheets, start=1):
                z.writestr(f"xl/worksheets/sheet{i}.xml", xml)


def _sheet_name(name: str) -> str:
    """A valid Excel sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]


def _quote_sheet(name: str) -> str:
    return "'" + _sheet_name(name).replace("'", "''") + "'"


_STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f"<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1D4E89"/>'
    '<bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" '
    'applyFill="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


_CSS = """
:root{--g1:#c0392b;--g2:#e58e26;--g3:#2e8b57;--warn:#7b1fa2;--ink:#1f2933;--muted:#616e7c;
--line:#e4e7eb;--bg:#f3f5f8;--accent:#1d4e89}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;font-family:FONTS;color:var(--ink);background:var(--bg);font-size:14px;
line-height:1.5}
header.top{background:linear-gradient(100deg,#0f2f52,#1d4e89);color:#fff;padding:22px 0 16px}
.wrap,main{max-width:1280px;margin:0 auto;padding:0 32px}
header.top h1{margin:0;font-size:26px;letter-spacing:.02em}
header.top .sub{margin:4px 0 0;opacity:.85}
nav{display:flex;gap:8px;margin-top:14px;align-items:center;flex-wrap:wrap}
nav a{color:#fff;background:rgba(255,255,255,.16);padding:3px 14px;border-radius:14px;
text-decoration:none;font-size:13px}
nav .hint{margin-left:auto;font-size:12px;opacity:.7}
main{padding-bottom:32px}
section{margin-top:26px}
h2{font-size:20px;border-left:5px solid var(--accent);padding-left:10px;margin:0 0 12px}
.note{color:var(--muted);margin:-4px 0 10px;font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px}
.kpi{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 3px rgba(15,47,82,.08);
border-top:4px solid var(--accent)}
.kpi .l{color:var(--muted);font-size:12px}
.kpi .v{font-size:24px;font-weight:700;line-height:1.3;white-space:nowrap}
.kpi .s{font-size:12px;color:var(--muted);min-height:1em}
.kpi.g1{border-top-color:var(--g1)}.kpi.g1 .v{color:var(--g1)}
.kpi.g2{border-top-color:var(--g2)}.kpi.g2 .v{color:#b86b12}
.kpi.warn{border-top-color:var(--warn)}.kpi.warn .v{color:var(--warn)}
.kpi.money{border-top-color:#52606d}.kpi.money .v{font-size:20px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:16px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}
.cols{grid-template-columns:1fr!important}}
.panel{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 3px rgba(15,47,82,.08)}
.panel.flush{padding:0;overflow-x:auto}
.panel h3{font-size:15px;margin:0 0 8px;color:#243b53}
svg.chart{display:block;max-width:100%}
table{border-collapse:collapse;width:100%}
table.data th{background:#e9eef5;text-align:left;font-weight:600;font-size:12px;color:#334e68;
padding:7px 8px;vertical-align:bottom}
table.data td{padding:6px 8px;border-top:1px solid var(--line);vertical-align:top;font-size:13px}
table.data tbody tr:nth-child(even) td{background:#fafbfc}
table.data a{color:inherit;text-decoration:none}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}
td.who{min-width:160px}
td.num .small{font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:700;
color:#fff;white-space:nowrap;line-height:20px}
.badge.g-I{background:var(--g1)}.badge.g-II{background:var(--g2)}.badge.g-III{background:var(--g3)}
.badge.warn{background:var(--warn)}
.chip{display:inline-block;background:#e6eef8;color:#1d4e89;border-radius:4px;padding:0 6px;
margin:1px 3px 1px 0;font-size:12px;white-space:nowrap}
.chip.disc{background:#fde8e8;color:#9b1c1c}
.chip.ok{background:#e3f4ea;color:#1e6b43}
.small{color:var(--muted);font-size:12px}
.change-up{color:var(--g1);font-weight:600}.change-down{color:var(--g3);font-weight:600}
table.mig{width:auto;margin:4px 0 8px}
table.mig th,table.mig td{border:1px solid var(--line);padding:6px 16px;text-align:center;
font-variant-numeric:tabular-nums}
table.mig th{background:#f5f7fa;font-weight:600}
.pcard{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(15,47,82,.1);margin:16px 0;
padding:14px 20px 16px;border-left:8px solid var(--g3);break-inside:avoid}
.pcard.g-I{border-left-color:var(--g1)}.pcard.g-II{border-left-color:var(--g2)}
.pcard header{display:flex;align-items:center;gap:10px;flex-wrap:wrap;
border-bottom:1px solid var(--line);padding-bottom:8px}
.pcard h3{margin:0;font-size:20px}
.pcard .prio{background:#243b53;color:#fff;border-radius:4px;padding:0 8px;font-size:12px;
line-height:20px}
.pcard .where{color:var(--muted);font-size:13px;margin-left:auto}
.cols{display:grid;grid-template-columns:minmax(250px,1fr) 2fr;gap:24px;margin-top:6px}
.pcard h4{font-size:13px;color:#486581;margin:12px 0 4px;border-bottom:1px dashed var(--line)}
.pcard ol{margin:0;padding-left:20px}
.probbar{display:flex;height:20px;border-radius:4px;overflow:hidden;background:#eee}
.probbar span{display:block;color:#fff;font-size:11px;text-align:center;line-height:20px;
overflow:hidden;white-space:nowrap}
dl.kv{display:grid;grid-template-columns:auto 1fr;gap:2px 14px;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
ol.measures li{margin-bottom:9px}
ol.measures li.disc b{color:#9b1c1c}
.amount{background:#fff4e5;color:#8a4b00;border-radius:4px;padding:0 6px;font-size:12px;
margin-left:8px;white-space:nowrap}
.why{font-size:12.5px;color:#334e68}
.expl{font-size:12px;color:var(--muted)}
table.steps{width:auto;margin-top:2px}
table.steps td{padding:1px 10px 1px 0;font-size:12px;border:none}
table.steps td:first-child{color:#9b1c1c;font-weight:600;font-variant-numeric:tabular-nums}
.hazard{background:#fff4e5;border-left:4px solid var(--g2);padding:4px 8px;margin:4px 0;
font-size:13px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:20px}
@page{size:A4;margin:12mm}
@media print{
body{background:#fff;font-size:12px}
nav{display:none}
.wrap,main{max-width:none;padding:0}
header.top{padding:8px 12px}
.panel,.kpi,.pcard{box-shadow:none;border:1px solid var(--line)}
#worklist,#cards,#release{break-before:page}
.pcard{margin:0 0 8px}
.pcard+.pcard{break-before:page}
tr{break-inside:avoid}
.grid2{grid-template-columns:1fr 1fr}
.cols{grid-template-columns:minmax(0,1fr) minmax(0,1.9fr)!important;gap:16px}
.pcard h4{margin-top:8px}
footer{display:none}
}
"""

"""The monitoring page: :func:`arrearsrisk.monitor`'s verdicts as one self-contained HTML
page, the manager's report's way (inline CSS, inline SVG, no script, no external link).

Layout: a headline (model, months, counts of alerts and watches), the **flags, alerts
first** (the first month each segment and check was flagged, in plain words), the
realised and estimated Grade I precision against the backtest (a line chart), then one
**strip per check**: rows the segments, columns the months, each cell coloured by its
verdict (estimates hatched and marked 估 / est.), and a note on pooled and skipped
segments.  The page renders a :class:`~arrearsrisk.monitoring.Monitoring`; it computes
nothing but the worst verdict of a cell.  The precision chart is drawn by
:mod:`~arrearsrisk.reports.monitoring_precision`.

Examples
--------
>>> import pandas as pd
>>> from arrearsrisk.monitoring import Monitoring
>>> table = pd.DataFrame({"month": ["2025-01", "2025-02"], "check": ["arrears"] * 2,
...     "segment": ["region=Nanhu"] * 2, "item": ["share"] * 2, "value": [0.001, 0.031],
...     "threshold": [0.01] * 2, "verdict": ["stable", "alert"], "n": [900.0] * 2,
...     "p_value": [0.5, 1e-7], "estimated": [False] * 2, "note": [""] * 2})
>>> result = Monitoring(table, months=["2025-01", "2025-02"], model_version="m1")
>>> page = render_monitoring_page(result, "zh")
>>> "供电所 Nanhu" in page and "比全部客户多上升 3.1 个百分点" in page
True
>>> "<script" in page or "http" in page
False
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any, cast

import pandas as pd

from arrearsrisk._version import __version__
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.monitoring import (
    Monitoring,
    check_label,
    segment_label,
    verdict_label,
)
from arrearsrisk.monitoring.performance import insufficient
from arrearsrisk.monitoring.verdicts import STABLE, VERDICTS, Thresholds, rank
from arrearsrisk.reports.formatting import esc, is_missing
from arrearsrisk.reports.formatting import rows as tuples
from arrearsrisk.reports.monitoring_precision import precision_frame, precision_section
from arrearsrisk.reports.monitoring_texts import flag_words, page_text
from arrearsrisk.vocabulary import check_lang

__all__ = [
    "INSUFFICIENT_CELL",
    "STRIPS",
    "WARNING_STRIP",
    "render_monitoring_page",
    "strip_cells",
    "strip_label",
    "write_monitoring_page",
]

STRIPS: tuple[tuple[str, str, str], ...] = (
    ("arrears", "share", "unit_pp"),
    ("grade_I_share", "grade_I", "unit_pp"),
    ("score_shift", "mean_p_I", "unit_pp"),
    ("score_psi", "p_I", "unit_psi"),
    ("grade_mix_psi", "grade", "unit_psi"),
    ("feature_drift", "", "unit_drift"),
    ("performance", "grade_I_precision", "unit_performance"),
    ("warning_performance", "warning_precision", "unit_warning"),
    ("estimate_error", "grade_I_precision", "unit_error"),
    ("data_quality", "", "unit_quality"),
    ("volume", "customers", "unit_volume"),
)
"""The strips, in page order: (check, the item shown in a cell, the unit's text key).
``performance`` shows the realised Grade I figures of matured months and the estimated
(``estimated_performance``) of the others, ``warning_performance`` (a strip of the page,
not a check of the table) the same for the A-level warning's figures; a cell's verdict
is the worst of its items judged on enough events (:data:`INSUFFICIENT_CELL` when none
is)."""

WARNING_STRIP = "warning_performance"
"""The strip of the A-level warning's performance figures (items ``warning_*`` of the
checks ``performance`` and ``estimated_performance``), apart from Grade I's: the
warning's few events no longer colour the Grade I strip."""

INSUFFICIENT_CELL = "insufficient"
"""The verdict of a strip cell all of whose rows rest on too few events
(:data:`arrearsrisk.monitoring.performance.INSUFFICIENT`): grey, "insufficient data",
never an alert (a month's few A-level warning events no longer turn the performance
strip red)."""

FLAG_CHECKS: tuple[str, ...] = (
    *(c for c, _, _ in STRIPS if c != WARNING_STRIP),
    "estimated_performance",
)
"""The checks whose first flags the page lists."""

MIN_EVENTS = Thresholds().min_events
"""The fewest events a performance figure is judged on, when the result has no
thresholds (see :class:`~arrearsrisk.monitoring.Thresholds`)."""

MAX_FLAGS = 60
"""Flags listed at most (the table holds them all)."""


@functools.cache
def _css() -> str:
    folder = resources.files("arrearsrisk.reports")
    return "\n".join(
        (folder / name).read_text(encoding="utf-8") for name in ("report.css", "monitoring.css")
    )


def _check_result(result: Any) -> Monitoring:
    if not isinstance(result, Monitoring):
        raise ArrearsRiskError(
            f"the monitoring page renders the result of arrearsrisk.monitor (a Monitoring), "
            f"got {type(result).__name__}."
        )
    return result


def write_monitoring_page(
    result: Monitoring,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    title: str | None = None,
) -> Path:
    """Write the monitoring page of ``result`` as one self-contained HTML file.

    Parameters
    ----------
    result : Monitoring
        The output of :func:`arrearsrisk.monitor`.
    path : str or path-like
        The ``.html`` file to write (folders are created).
    lang : {"zh", "en"}, default "zh"
        Language of the page.
    title : str, optional
        Page title; by default "电费风险模型运行监测报告" / "Arrears risk model monitoring
        report".

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ArrearsRiskError
        If ``result`` is not a :class:`~arrearsrisk.monitoring.Monitoring` or ``lang`` is
        not a language of the package.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from arrearsrisk.monitoring import Monitoring
    >>> table = pd.DataFrame({"month": ["2025-03"], "check": ["score_psi"],
    ...     "segment": ["all"], "item": ["p_I"], "value": [0.31], "threshold": [0.1],
    ...     "verdict": ["alert"], "n": [3000.0], "p_value": [1e-9], "estimated": [False],
    ...     "note": [""]})
    >>> result = Monitoring(table, months=["2025-03"], model_version="m1")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = write_monitoring_page(result, f"{tmp}/m.html", "en").read_text("utf-8")
    >>> "PSI of p_I 0.31 (watch line 0.10)" in page
    True
    """
    page = render_monitoring_page(result, lang, title=title)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def render_monitoring_page(
    result: Monitoring, lang: str = "zh", *, title: str | None = None
) -> str:
    """The HTML of :func:`write_monitoring_page`, as text."""
    lang = check_lang(lang)
    result = _check_result(result)
    months = list(result.months) or sorted(set(result.table["month"]))
    cells = strip_cells(result, lang)
    heading = title or page_text("title", lang)
    ref = _span(result.reference_months)
    subtitle = page_text(
        "subtitle",
        lang,
        model=result.model_version or "-",
        first=months[0] if months else "-",
        last=months[-1] if months else "-",
        months=len(months),
        matured=len(result.matured),
        ref=ref,
    )
    nav = [
        ("flags", "nav_flags"),
        ("precision", "nav_precision"),
        ("strips", "nav_strips"),
        ("segments", "nav_segments"),
    ]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(heading)} · {esc(result.model_version or '-')}</title>",
        f"<style>\n{_css()}</style>",
        "</head>",
        "<body>",
        '<header class="top"><div class="wrap">',
        f"<h1>{esc(heading)}</h1>",
        f'<p class="sub">{esc(subtitle)}</p>',
        "<nav>"
        + "".join(f'<a href="#{a}">{esc(page_text(k, lang))}</a>' for a, k in nav)
        + "</nav>",
        "</div></header>",
        "<main>",
        _headline(result, cells, months, lang),
        _flags_section(result, cells, months, lang),
        precision_section(result, months, lang),
        _strips_section(
            cells, months, lang, int(getattr(result.thresholds, "min_events", MIN_EVENTS))
        ),
        _segments_section(result, lang),
        "</main>",
        f"<footer>{esc(page_text('footer', lang, version=__version__))}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts)


# --- cells ------------------------------------------------------------------------------


def _span(months: Sequence[str]) -> str:
    if not months:
        return "-"
    first, last = str(months[0])[:7], str(months[-1])[:7]
    return first if first == last else f"{first}..{last}"


def _cell_value(check: str, value: float) -> str:
    """A cell's number, short: points, PSI, shares."""
    if is_missing(value) or not math.isfinite(value):
        return "–"
    unit = next(u for c, _, u in STRIPS if c == check)
    if unit == "unit_pp":  # no "-0.0"
        return f"{round(value * 100, 1) + 0.0:+.1f}"
    if unit in ("unit_psi", "unit_drift"):
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    if unit == "unit_error":
        return f"{round(value * 100) + 0.0:+.0f}"
    if unit == "unit_volume":
        return f"{round(value, 2) + 0.0:+.0%}"
    return f"{value:.0%}" if value >= 0.1 else f"{value:.1%}"


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def _tip(rows: list[dict[str, Any]], check: str, segment: str, month: str, lang: str) -> str:
    """A cell's tooltip: where and when, then each item in words with its verdict."""
    lines = [f"{segment_label(segment, lang)} · {month} · {strip_label(check, lang)}"]
    if any(_is_estimate(r) for r in rows):
        lines.append(page_text("tip_estimated", lang))
    for row in rows:
        item = str(row["item"])
        source = str(row.get("source", check))
        words = flag_words(source, item, row["value"], row["threshold"], segment, lang)
        verdict = verdict_label(str(row["verdict"]), lang)
        if insufficient(row["note"]):
            verdict = page_text("legend_insufficient", lang)
        lines.append(f"{verdict}: {words}")
        if check == "feature_drift" and item:
            lines.append(f"  [{item}]")  # the ids, for the data scientist
        note = row["note"]
        if lang == "en" and isinstance(note, str) and note:
            lines.append(f"  ({note})")
    return "\n".join(lines)


def strip_label(check: str, lang: str = "zh") -> str:
    """A strip's heading: the check's name, the performance strips' their own."""
    if check in ("performance", WARNING_STRIP):
        return page_text(f"strip_{check}", lang)
    return check_label(check, lang)


def _is_estimate(row: dict[str, Any]) -> bool:
    return row["estimated"] is True or row["estimated"] == 1


def _cell_rank(verdict: str) -> int:
    """A cell verdict's rank; :data:`INSUFFICIENT_CELL` ranks with stable."""
    return rank(verdict) if verdict in VERDICTS else 0


def strip_cells(result: Monitoring, lang: str = "zh") -> pd.DataFrame:
    """One row per strip cell (check, segment, month): the worst verdict of its rows
    judged on enough events (:data:`INSUFFICIENT_CELL` if none is), the value shown,
    whether it is an estimate, and its tooltip, in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> from arrearsrisk.monitoring import Monitoring
    >>> table = pd.DataFrame({"month": ["2025-01"] * 2, "check": ["data_quality"] * 2,
    ...     "segment": ["all"] * 2, "item": ["estimated", "no_bill"], "value": [0.2, 0.01],
    ...     "threshold": [0.15, 0.05], "verdict": ["watch", "stable"], "n": [10.0] * 2,
    ...     "p_value": [float("nan")] * 2, "estimated": [False] * 2, "note": [""] * 2})
    >>> strip_cells(Monitoring(table))[["check", "verdict", "text"]].to_dict("records")
    [{'check': 'data_quality', 'verdict': 'watch', 'text': '20%'}]
    """
    check_lang(lang)
    t = result.table
    matured = set(result.matured)
    realised_months = set(t.loc[t["check"] == "performance", "month"]) | matured
    est_name = "estimated_performance"
    est = t[(t["check"] == est_name) & ~t["month"].isin(realised_months)]
    shown_checks = t[t["check"].isin([c for c, _, _ in STRIPS])]
    parts = [
        shown_checks.assign(source=shown_checks["check"]),
        est.assign(check="performance", source=est_name),
    ]
    rows = pd.concat(parts, ignore_index=True)
    # the A-level warning's figures have a strip of their own (its few events apart)
    warning = (rows["check"] == "performance") & rows["item"].astype(str).str.startswith("warning_")
    rows.loc[warning, "check"] = WARNING_STRIP
    out: list[dict[str, Any]] = []
    if rows.empty:
        return pd.DataFrame(columns=["check", "segment", "month", "verdict", "text", "estimated"])
    main = {c: i for c, i, _ in STRIPS}
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in cast(list[dict[str, Any]], rows.to_dict("records")):
        key = (str(record["check"]), str(record["segment"]), str(record["month"]))
        groups.setdefault(key, []).append(record)
    for (check, segment, month), group in groups.items():
        judged = [r for r in group if not insufficient(r["note"])]
        ranks = [rank(str(r["verdict"])) for r in judged]
        shown = [r for r in group if main[check] and r["item"] == main[check]]
        if not shown:  # no main item: the worst row, the largest value first
            shown = sorted(group, key=lambda r: (-rank(str(r["verdict"])), -_float(r["value"])))
        out.append(
            {
                "check": check,
                "segment": segment,
                "month": month,
                "verdict": VERDICTS[max(ranks)] if ranks else INSUFFICIENT_CELL,
                "text": _cell_value(check, _float(shown[0]["value"])),
                "estimated": any(_is_estimate(r) for r in group),
                "tip": _tip(group, check, segment, month, lang),
            }
        )
    return pd.DataFrame(out)


# --- headline and flags -----------------------------------------------------------------


def _kpi(label: str, value: str, sub: str, cls: str = "") -> str:
    return (
        f'<div class="kpi {cls}"><div class="l">{esc(label)}</div>'
        f'<div class="v">{esc(value)}</div><div class="s">{esc(sub)}</div></div>'
    )


def _pct(value: float) -> str:
    return "-" if is_missing(value) or not math.isfinite(value) else f"{value:.1%}"


def _worst_counts(cells: pd.DataFrame) -> tuple[int, int]:
    """(alerts, watches): segment x check pairs whose worst cell is alert / watch."""
    if not len(cells):
        return 0, 0
    worst = cells.assign(_r=cells["verdict"].map(_cell_rank)).groupby(["check", "segment"])["_r"]
    top = worst.max()
    return int((top == rank("alert")).sum()), int((top == rank("watch")).sum())


def _headline(result: Monitoring, cells: pd.DataFrame, months: list[str], lang: str) -> str:
    estimated = cells["estimated"].astype(bool) if len(cells) else pd.Series(dtype=bool)
    real, est = (
        cells[~estimated] if len(cells) else cells,
        cells[estimated] if len(cells) else cells,
    )
    alerts, watches = _worst_counts(real)
    est_alerts, est_watches = _worst_counts(est)
    last = real[real["month"] == months[-1]] if months and len(real) else real.iloc[0:0]
    kpis = [
        _kpi(
            page_text("kpi_months", lang),
            str(len(months)),
            page_text("kpi_months_sub", lang, matured=len(result.matured)),
        ),
        _kpi(
            page_text("kpi_alerts", lang),
            f"{alerts:,}",
            page_text("kpi_flag_sub", lang, latest=int((last["verdict"] == "alert").sum())),
            "alert",
        ),
        _kpi(
            page_text("kpi_watches", lang),
            f"{watches:,}",
            page_text("kpi_flag_sub", lang, latest=int((last["verdict"] == "watch").sum())),
            "watch",
        ),
    ]
    if len(est):
        kpis.append(
            _kpi(
                page_text("kpi_est_alerts", lang),
                f"{est_alerts:,}",
                page_text("kpi_est_alerts_sub", lang, watches=est_watches),
                "est" + (" alert" if est_alerts else ""),
            )
        )
    perf = precision_frame(result)
    done = perf.dropna(subset=["realised"])
    if len(done):
        row = done.iloc[-1]
        kpis.append(
            _kpi(
                page_text("kpi_precision", lang),
                _pct(row["realised"]),
                f"{row['month']} · "
                + page_text("kpi_precision_sub", lang, backtest=_pct(row["backtest"])),
            )
        )
    pending = perf[perf["realised"].isna() & perf["estimated"].notna()]
    if len(pending):
        row = pending.iloc[-1]
        kpis.append(
            _kpi(
                page_text("kpi_estimated", lang),
                _pct(row["estimated"]),
                page_text("kpi_estimated_sub", lang, month=row["month"]),
                "est",
            )
        )
    key = "headline_split" if len(est) else "headline_real"
    sentence = page_text(
        key, lang, alerts=alerts, watches=watches, est_alerts=est_alerts, est_watches=est_watches
    )
    return (
        f'<section id="headline"><p class="lead">{esc(sentence)}</p>'
        f'<div class="kpis">{"".join(kpis)}</div></section>'
    )


def _badge(verdict: str, lang: str, estimated: bool = False) -> str:
    word = (
        page_text("legend_insufficient", lang)
        if verdict == INSUFFICIENT_CELL
        else verdict_label(verdict, lang)
    )
    mark = f"<sup>{esc(page_text('estimated_mark', lang))}</sup>" if estimated else ""
    cls = f"vbadge v-{esc(verdict)}" + (" est" if estimated else "")
    return f'<span class="{cls}">{esc(word)}{mark}</span>'


def _flags_section(result: Monitoring, cells: pd.DataFrame, months: list[str], lang: str) -> str:
    head = (
        f'<section id="flags"><h2>{esc(page_text("flags_title", lang))}</h2>'
        f'<p class="note">{esc(page_text("flags_note", lang))}</p>'
    )
    flags = result.first_flags(checks=FLAG_CHECKS)
    if flags.empty:
        return (
            head + f'<div class="panel"><p>{esc(page_text("flags_none", lang))}</p></div></section>'
        )
    t = result.table
    keys = ["month", "check", "segment", "item"]
    thresholds = t[[*keys, "threshold"]].drop_duplicates(keys)
    flags = flags.merge(
        thresholds.rename(columns={"month": "first_month"}),
        on=["first_month", "check", "segment", "item"],
        how="left",
    )
    ranked = t[t["check"].isin(FLAG_CHECKS)].assign(_r=t["verdict"].map(rank))
    ever = ranked.groupby(["segment", "check"])["_r"].max().rename("worst_rank")
    flags = flags.merge(ever, left_on=["segment", "check"], right_index=True, how="left")
    latest: dict[tuple[str, str], tuple[str, bool]] = {}
    if len(cells) and months:
        last = cells[cells["month"] == months[-1]]
        latest = {(r.check, r.segment): (r.verdict, bool(r.estimated)) for r in tuples(last)}
    order = {c: i for i, c in enumerate(FLAG_CHECKS)}
    flags = flags.assign(check_order=flags["check"].map(order)).sort_values(
        ["worst_rank", "first_month", "check_order", "segment"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    total = len(flags)
    body = []
    for row in tuples(flags.head(MAX_FLAGS)):
        check, segment = str(row.check), str(row.segment)
        level = (
            VERDICTS[int(row.worst_rank)] if not is_missing(row.worst_rank) else str(row.verdict)
        )
        strip = "performance" if check == "estimated_performance" else check
        if strip == "performance" and str(row.item).startswith("warning_"):
            strip = WARNING_STRIP
        now = latest.get((strip, segment))
        estimate = check == "estimated_performance"
        words = flag_words(check, str(row.item), row.value, row.threshold, segment, lang)
        if estimate:
            words = page_text("estimated_words", lang, words=words)
        ids = (
            f'<div class="fid" title="{esc(page_text("feature_ids", lang))}">{esc(row.item)}</div>'
            if check == "feature_drift" and str(row.item)
            else ""
        )
        tag = (
            f' <span class="estag">{esc(page_text("estimated_tag", lang))}</span>'
            if estimate
            else ""
        )
        opening = '<tr class="est">' if estimate else "<tr>"
        body.append(
            f"{opening}"
            f"<td>{_badge(level, lang, estimate)}</td>"
            f'<td class="nowrap">{esc(segment_label(segment, lang))}</td>'
            f'<td class="check">{esc(check_label(check, lang))}{tag}</td>'
            f'<td class="nowrap">{esc(row.first_month)}</td>'
            f'<td class="num">{int(row.months_flagged)}</td>'
            f"<td>{_badge(now[0], lang, now[1]) if now else '–'}</td>"
            f'<td class="what">{esc(words)}{ids}</td>'
            "</tr>"
        )
    cols = (
        "col_level",
        "col_segment",
        "col_check",
        "col_first",
        "col_months",
        "col_latest",
        "col_what",
    )
    header = "".join(f"<th>{esc(page_text(c, lang))}</th>" for c in cols)
    more = (
        f'<p class="small">{esc(page_text("flags_more", lang, shown=MAX_FLAGS, total=total))}</p>'
        if total > MAX_FLAGS
        else ""
    )
    return (
        head + '<div class="panel flush"><table class="data flags">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        f"{more}</section>"
    )


# --- strips -----------------------------------------------------------------------------


def _legend(lang: str, min_events: int) -> str:
    items = [
        f'<span><span class="sw v-{v}"></span>{esc(verdict_label(v, lang))}</span>'
        for v in VERDICTS
    ]
    items.append(
        f'<span><span class="sw v-{INSUFFICIENT_CELL}"></span>'
        f"{esc(page_text('legend_insufficient_long', lang, n=min_events))}</span>"
    )
    items.append(
        f'<span><span class="sw est"></span>{esc(page_text("legend_estimated_cell", lang))}</span>'
    )
    items.append(
        f'<span><span class="sw v-none"></span>{esc(page_text("legend_none", lang))}</span>'
    )
    return f'<div class="legend">{"".join(items)}</div>'


def _month_header(months: list[str]) -> str:
    out = ['<th class="seg"></th>']
    for i, m in enumerate(months):
        year = m[:4] if i == 0 or m[:4] != months[i - 1][:4] else ""
        out.append(f"<th>{esc(year)}<br>{esc(m[5:])}</th>")
    return "<tr>" + "".join(out) + "</tr>"


def _strip(cells: pd.DataFrame, check: str, unit: str, months: list[str], lang: str) -> str:
    mine = cells[cells["check"] == check]
    if mine.empty:
        return ""
    grid = {(r.segment, r.month): r for r in tuples(mine)}
    segments = list(dict.fromkeys(mine["segment"]))
    mark = esc(page_text("estimated_mark", lang))
    body = []
    for segment in segments:
        label = segment_label(str(segment), lang)
        row = [f'<th class="seg" title="{esc(label)}">{esc(label)}</th>']
        for m in months:
            cell = grid.get((segment, m))
            if cell is None:
                row.append('<td class="v-none">–</td>')
                continue
            cls = f"v-{cell.verdict}" + (" est" if cell.estimated else "")
            sup = f"<sup>{mark}</sup>" if cell.estimated else ""
            row.append(f'<td class="{cls}" title="{esc(cell.tip)}">{esc(cell.text)}{sup}</td>')
        body.append("<tr>" + "".join(row) + "</tr>")
    flags = mine["verdict"].isin([v for v in VERDICTS if v != STABLE])
    flagged = int((flags & ~mine["estimated"].astype(bool)).sum())
    flagged_est = int((flags & mine["estimated"].astype(bool)).sum())
    count = f" · {flagged}" if flagged else ""
    if flagged_est:
        count += " · " + page_text("strip_estimated_count", lang, n=flagged_est)
    return (
        f'<div class="panel strip-panel" id="strip-{esc(check)}">'
        f'<h3>{esc(strip_label(check, lang))}<span class="unit">{esc(page_text(unit, lang))}'
        f"{esc(count)}</span></h3>"
        f'<div class="strip-wrap"><table class="strip"><thead>{_month_header(months)}</thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></div>"
    )


def _strips_section(cells: pd.DataFrame, months: list[str], lang: str, min_events: int) -> str:
    strips = "".join(_strip(cells, c, u, months, lang) for c, _, u in STRIPS) if len(cells) else ""
    note = page_text("strips_note", lang) + page_text("strips_events", lang, n=min_events)
    return (
        f'<section id="strips"><h2>{esc(page_text("strips_title", lang))}</h2>'
        f'<p class="note">{esc(note)}</p>'
        f"{_legend(lang, min_events)}{strips}</section>"
    )


# --- segments ---------------------------------------------------------------------------


def _names(members: list[str], lang: str, most: int = 8) -> str:
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(segment_label(m, lang) for m in members[:most])
    if len(members) > most:
        shown += f" 等 {len(members)} 个" if lang == "zh" else f" and {len(members) - most} more"
    return shown


def _segments_section(result: Monitoring, lang: str) -> str:
    seg = result.segments
    minimum = getattr(result.thresholds, "min_customers", 200)
    parts = [
        f'<section id="segments"><h2>{esc(page_text("segments_title", lang))}</h2>'
        '<div class="panel">'
    ]
    if isinstance(seg, pd.DataFrame) and {"segment", "status"} <= set(seg.columns):
        status = seg["status"].astype(str)
        judged = int(status.str.startswith("judged").sum())
        parts.append(f"<p>{esc(page_text('segments_judged', lang, n=judged))}</p>")
        pooled = seg[status.str.startswith("pooled into ")]
        parts.append(
            f"<p>{esc(page_text('segments_pooled', lang, min=minimum))}</p><ul class='plain'>"
        )
        groups = pooled.assign(pool=status[pooled.index].str[len("pooled into ") :]).groupby(
            "pool", sort=False
        )["segment"]
        items = [
            page_text(
                "pooled_into", lang, members=_names(list(m), lang), pool=segment_label(str(p), lang)
            )
            for p, m in groups
        ]
        parts += [f"<li>{esc(i)}</li>" for i in items] or [
            f"<li>{esc(page_text('segments_none', lang))}</li>"
        ]
        parts.append("</ul>")
        skipped = seg[status.str.startswith("skipped")]
        parts.append(
            f"<p>{esc(page_text('segments_skipped', lang, min=minimum))}</p><ul class='plain'>"
        )
        rows = [
            f"<li>{esc(segment_label(str(r.segment), lang))}"
            + (f" <span class='small'>({esc(r.status)})</span>" if lang == "en" else "")
            + "</li>"
            for r in tuples(skipped)
        ]
        parts += rows or [f"<li>{esc(page_text('segments_none', lang))}</li>"]
        parts.append("</ul>")
    parts.append(f"<h3>{esc(page_text('how_title', lang))}</h3><ul class='plain'>")
    parts += [f"<li>{esc(page_text(k, lang))}</li>" for k in ("how_1", "how_2", "how_3")]
    parts.append("</ul></div></section>")
    return "".join(parts)

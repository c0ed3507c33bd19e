"""The report's tables of plans: the worklist by priority (each row links to its card)
and the release candidates, each capped to the first ``limit`` rows."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from arrearsrisk.i18n import money, text
from arrearsrisk.plans import PlanMeasure
from arrearsrisk.reports.formatting import (
    amount_words,
    change_html,
    date_text,
    esc,
    grade_badge,
    industry_label,
    is_missing,
    pct,
    rows,
    warn_badge,
)

__all__ = ["release_section", "worklist_section"]


def _measure_chips(measures: Iterable[PlanMeasure]) -> str:
    return "".join(
        f'<span class="chip{" disc" if m.kind == "disconnection" else ""}">{esc(m.name)}</span>'
        for m in measures
    )


def worklist_section(plans: pd.DataFrame, lang: str, limit: int) -> str:
    """The ``#worklist`` section: the first ``limit`` plans, one table row each."""
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
    head = "".join(f'<th class="{cls}">{esc(text(c, lang))}</th>' for c, cls in heads)
    p_word, arrears_word = text("col_p_I", lang), text("col_arrears", lang)
    officer_word = text("col_officer", lang)
    colon = "：" if lang == "zh" else ": "
    out = []
    for r in rows(shown):
        where = " · ".join(
            x
            for x in (
                "" if is_missing(r.region) else str(r.region),
                industry_label(r.industry, lang) if not is_missing(r.industry) else "",
                text(f"cat_{r.category}", lang),
            )
            if x
        )
        badges = grade_badge(r.grade, lang) + (" " + warn_badge(lang) if r.a_warning else "")
        officer = "" if is_missing(r.officer) else f"{officer_word}{colon}{r.officer}"
        out.append(
            "<tr>"
            f'<td class="num">{r.priority}</td>'
            f'<td class="who"><a href="#c-{esc(r.customer_id)}"><b>{esc(r.customer_id)}</b></a>'
            f'<div class="small">{esc(where)}</div></td>'
            f'<td>{badges}<div class="small">{esc(p_word)} {pct(r.p_I)}</div></td>'
            f'<td class="num">{money(r.exposure)}'
            f'<div class="small">{esc(arrears_word)} {money(r.arrears)}</div></td>'
            f'<td class="num"><b>{money(r.expected_loss)}</b></td>'
            f"<td>{change_html(r)}</td>"
            f"<td>{_measure_chips(r.measures)}</td>"
            f'<td class="nowrap">{date_text(r.review_date)}'
            f'<div class="small">{esc(officer)}</div></td>'
            "</tr>"
        )
    note = text("worklist_note", lang, shown=f"{len(shown):,}", total=f"{len(plans):,}")
    return (
        f'<section id="worklist"><h2>{esc(text("nav_worklist", lang))}</h2>'
        f'<p class="note">{esc(note)}</p>'
        f'<div class="panel flush"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(out)}</tbody></table></div></section>"
    )


def release_section(release: pd.DataFrame, lang: str, limit: int) -> str:
    """The ``#release`` section: the first ``limit`` release candidates and their measures."""
    shown = release.head(limit)
    cols = ["col_customer_id", "col_region", "col_deposit", "col_measures", "col_officer"]
    head = "".join(f"<th>{esc(text(c, lang))}</th>" for c in cols)
    out = []
    for r in rows(shown):
        items = "".join(
            f'<div><span class="chip ok">{esc(m.name)}</span>'
            + (
                f' <span class="small">{esc(amount_words(m, lang))}</span>'
                if m.amount is not None
                else ""
            )
            + "</div>"
            for m in r.measures
        )
        out.append(
            f"<tr><td><b>{esc(r.customer_id)}</b></td>"
            f"<td>{esc('' if is_missing(r.region) else r.region)}</td>"
            f'<td class="num">{money(r.deposit)}</td><td>{items}</td>'
            f"<td>{esc('' if is_missing(r.officer) else r.officer)}</td></tr>"
        )
    note = text("release_note", lang, total=f"{len(release):,}", shown=f"{len(shown):,}")
    return (
        f'<section id="release"><h2>{esc(text("nav_release", lang))}</h2>'
        f'<p class="note">{esc(note)}</p><div class="panel flush"><table class="data">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(out)}</tbody></table></div></section>"
    )

"""The report's tables of plans: the worklist by priority (each row links to its card),
the worklists by usage category, the overdue measures and the release candidates, each
capped to the first ``limit`` rows.

The worklist shows, for each plan, why it comes where it does (the money at risk, in
CNY over the horizon, and the reason it jumped the queue), the first action with its due
date and the next review; a measure past its due date, neither done nor waived, is
marked overdue and listed in the overdue table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from arrearsrisk.i18n import money, text
from arrearsrisk.ledger.schema import CATEGORIES
from arrearsrisk.plans import PlanMeasure
from arrearsrisk.plans.policy import Priority
from arrearsrisk.plans.status import status_label
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

__all__ = ["loss_unit", "overdue_section", "release_section", "worklist_section"]

CATEGORY_ROWS = 20
"""Rows of each category's worklist (at most the report's ``limit``)."""


def loss_unit(plans: pd.DataFrame, lang: str) -> str:
    """The unit of the money at risk: ``元/3个月`` for the default 3-month horizon
    (``plans.attrs["horizon_months"]``, set by :func:`~arrearsrisk.risk_plans`).

    >>> loss_unit(pd.DataFrame(), "zh"), loss_unit(pd.DataFrame(), "en")
    ('元/3个月', 'CNY per 3 months')
    """
    return Priority(horizon_months=int(plans.attrs.get("horizon_months", 3))).unit(lang)


def _measure_chips(measures: Iterable[PlanMeasure]) -> str:
    return "".join(
        f'<span class="chip{" disc" if m.kind == "disconnection" else ""}">{esc(m.name)}</span>'
        for m in measures
    )


def _first_action(r: Any, lang: str) -> str:
    """The first action's name and due date, and how many measures are overdue."""
    first = next((m for m in r.measures if getattr(m, "first", False)), None)
    out = ""
    if first is not None:
        out = (
            f"<b>{esc(first.name)}</b>"
            f'<div class="small">{esc(text("card_due", lang, date=date_text(first.due)))}</div>'
        )
    if r.overdue:
        out += (
            f'<div><span class="chip disc">{esc(text("card_overdue", lang))} '
            f"{int(r.overdue)}</span></div>"
        )
    return out


def _jump(r: Any, lang: str) -> str:
    return f'<div class="small">{esc(text(f"jump_{r.jump}", lang))}</div>' if r.jump else ""


def worklist_section(plans: pd.DataFrame, lang: str, limit: int) -> str:
    """The ``#worklist`` section: the first ``limit`` plans, one table row each; then
    the ``#worklist-categories`` section (each usage category's first plans) and the
    ``#overdue-measures`` section."""
    shown = plans.head(limit)
    unit = loss_unit(plans, lang)
    heads = [
        (text("col_priority", lang), "num"),
        (text("col_customer_id", lang), ""),
        (text("col_grade", lang), ""),
        (text("col_exposure", lang), "num"),
        (text("col_loss_at_risk", lang, unit=unit), "num"),
        (text("col_first_action", lang), ""),
        (text("col_change", lang), ""),
        (text("col_measures", lang), ""),
        (text("col_review_date", lang), ""),
    ]
    head = "".join(f'<th class="{cls}">{esc(c)}</th>' for c, cls in heads)
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
            f'<td class="num">{r.priority}{_jump(r, lang)}</td>'
            f'<td class="who"><a href="#c-{esc(r.customer_id)}"><b>{esc(r.customer_id)}</b></a>'
            f'<div class="small">{esc(where)}</div></td>'
            f'<td>{badges}<div class="small">{esc(p_word)} {pct(r.p_I)}</div></td>'
            f'<td class="num">{money(r.exposure)}'
            f'<div class="small">{esc(arrears_word)} {money(r.arrears)}</div></td>'
            f'<td class="num"><b>{money(r.loss_at_risk)}</b></td>'
            f"<td>{_first_action(r, lang)}</td>"
            f"<td>{change_html(r)}</td>"
            f"<td>{_measure_chips(r.measures)}</td>"
            f'<td class="nowrap">{date_text(r.review_date)}'
            f'<div class="small">{esc(officer)}</div></td>'
            "</tr>"
        )
    months = int(plans.attrs.get("horizon_months", 3))
    note = text(
        "worklist_note_risk",
        lang,
        shown=f"{len(shown):,}",
        total=f"{len(plans):,}",
        unit=unit,
        months=months,
    )
    return (
        f'<section id="worklist"><h2>{esc(text("nav_worklist", lang))}</h2>'
        f'<p class="note">{esc(note)}</p>'
        f'<div class="panel flush"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(out)}</tbody></table></div></section>"
        f"{category_lists(plans, lang, min(limit, CATEGORY_ROWS))}"
        f'<section id="overdue-measures">{overdue_section(plans, lang, limit)}</section>'
    )


def category_lists(plans: pd.DataFrame, lang: str, limit: int) -> str:
    """Each usage category's first ``limit`` plans, by their priority in the category
    (households are worked differently from large industrial accounts)."""
    unit = loss_unit(plans, lang)
    heads = [
        (text("col_category_priority", lang), "num"),
        (text("col_priority", lang), "num"),
        (text("col_customer_id", lang), ""),
        (text("col_grade", lang), ""),
        (text("col_loss_at_risk", lang, unit=unit), "num"),
        (text("col_first_action", lang), ""),
        (text("col_review_date", lang), ""),
    ]
    head = "".join(f'<th class="{cls}">{esc(c)}</th>' for c, cls in heads)
    parts = []
    categories = plans["category"].astype(str)
    for cat in [c for c in CATEGORIES if (categories == c).any()]:
        group = plans[(categories == cat).to_numpy()]
        body = "".join(
            "<tr>"
            f'<td class="num">{r.category_priority}</td>'
            f'<td class="num">{r.priority}{_jump(r, lang)}</td>'
            f'<td><a href="#c-{esc(r.customer_id)}">{esc(r.customer_id)}</a></td>'
            f"<td>{grade_badge(r.grade, lang)}{' ' + warn_badge(lang) if r.a_warning else ''}</td>"
            f'<td class="num">{money(r.loss_at_risk)}</td>'
            f"<td>{_first_action(r, lang)}</td>"
            f'<td class="nowrap">{date_text(r.review_date)}</td>'
            "</tr>"
            for r in rows(group.head(limit))
        )
        label = text(f"cat_{cat}", lang)
        note = text(
            "category_list_note",
            lang,
            category=label,
            total=f"{len(group):,}",
            shown=f"{min(limit, len(group)):,}",
        )
        parts.append(
            f'<h3 id="worklist-{esc(cat)}">{esc(label)}</h3><p class="note">{esc(note)}</p>'
            f'<div class="panel flush"><table class="data"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )
    return (
        f'<section id="worklist-categories"><h2>{esc(text("category_lists", lang))}</h2>'
        f"{''.join(parts)}</section>"
    )


def overdue_section(plans: pd.DataFrame, lang: str, limit: int) -> str:
    """The overdue measures (past their due date, neither done nor waived), the plans
    by priority and each plan's measures in policy order, the first ``limit``."""
    found = [(r, m) for r in rows(plans[plans["overdue"] > 0]) for m in r.measures if m.overdue]
    title = f'<h3 id="overdue">{esc(text("overdue_title", lang))}</h3>'
    if not found:
        return f'{title}<p class="note">{esc(text("overdue_none", lang))}</p>'
    heads = [
        "col_priority",
        "col_customer_id",
        "col_measure",
        "col_proposed_date",
        "col_due_date",
        "col_status",
        "col_status_date",
        "col_status_by",
        "col_officer",
    ]
    head = "".join(f"<th>{esc(text(c, lang))}</th>" for c in heads)
    body = "".join(
        "<tr>"
        f'<td class="num">{r.priority}</td>'
        f'<td><a href="#c-{esc(r.customer_id)}">{esc(r.customer_id)}</a></td>'
        f"<td>{esc(m.name)}</td><td>{date_text(m.proposed)}</td>"
        f'<td><span class="chip disc">{date_text(m.due)}</span></td>'
        f"<td>{esc(status_label(m.status, lang))}</td><td>{date_text(m.status_date)}</td>"
        f"<td>{esc(m.status_by)}</td>"
        f"<td>{esc('' if is_missing(r.officer) else r.officer)}</td>"
        "</tr>"
        for r, m in found[:limit]
    )
    note = text("overdue_note", lang, total=f"{len(found):,}", shown=f"{min(limit, len(found)):,}")
    return (
        f'{title}<p class="note">{esc(note)}</p><div class="panel flush"><table class="data">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
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

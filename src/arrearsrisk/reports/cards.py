"""The report's customer cards: one printable card per plan (one A4 page each when
printed) with the grade probabilities, key figures, reasons, responsible staff and
the measures with their reasons, amounts and dated steps.  When the plans carry the
customer's contact details (:func:`~arrearsrisk.plans.risk_plans.add_contacts`), the
account name follows the customer id in the header and the supply address and phone
close the figures; a plan without them shows neither."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from arrearsrisk.i18n import money, text
from arrearsrisk.plans import PlanMeasure
from arrearsrisk.plans.policy import Priority
from arrearsrisk.plans.status import status_label
from arrearsrisk.reports.formatting import (
    GRADE_COLORS,
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
from arrearsrisk.reports.worklist import loss_unit
from arrearsrisk.vocabulary import GRADES

__all__ = ["card", "cards_section"]


def _prob_bar(r: Any, lang: str) -> str:
    parts = []
    for g, p in zip(GRADES, (r.p_I, r.p_II, r.p_III), strict=True):
        if is_missing(p) or p <= 0:
            continue
        label = f"{g} {p:.0%}" if p >= 0.12 else ""
        parts.append(
            f'<span style="width:{100 * p:.1f}%;background:{GRADE_COLORS[g]}" '
            f'title="{esc(text("grade_label", lang, grade=g))} {p:.1%}">{esc(label)}</span>'
        )
    if not parts:
        return f'<p class="small">P(I) {pct(r.p_I)}</p>'
    extra = ""
    if not is_missing(r.p_warning):
        extra = f'<div class="small">{esc(text("col_p_warning", lang))} {pct(r.p_warning)}</div>'
    return f'<div class="probbar">{"".join(parts)}</div>{extra}'


def _kv(pairs: Sequence[tuple[str, str]]) -> str:
    return (
        '<dl class="kv">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs if v not in ("", None))
        + "</dl>"
    )


def _measure_item(m: PlanMeasure, lang: str) -> str:
    amount = ""
    if m.amount is not None:
        amount = f'<span class="amount">{esc(amount_words(m, lang))}</span>'
    steps = ""
    if m.steps:
        steps = (
            '<table class="steps">'
            + "".join(
                f'<tr><td class="nowrap">{s.date:%Y-%m-%d}</td><td>{esc(s.name)}</td></tr>'
                for s in m.steps
            )
            + "</table>"
        )
    cls = ' class="disc"' if m.kind == "disconnection" else ""
    state = (
        esc(text("card_due", lang, date=date_text(m.due)))
        + " · "
        + esc(status_label(m.status, lang))
    )  # due date and status; the first action and an overdue measure are marked
    if m.first:
        state = f'<span class="chip">{esc(text("card_first", lang))}</span> ' + state
    if m.overdue:
        state += f' <span class="chip disc">{esc(text("card_overdue", lang))}</span>'
    return (
        f'<li{cls}><b>{esc(m.name)}</b>{amount}<div class="small">{state}</div>'
        f'<div class="why">{esc(text("card_why", lang))}{esc(m.reason)}</div>'
        f'<div class="expl">{esc(m.explanation)}</div>{steps}</li>'
    )


def _contact(r: Any, column: str) -> str:
    """The plan row's contact detail ``column`` as text, ``""`` when absent or blank."""
    value = getattr(r, column, None)
    return "" if is_missing(value) else str(value).strip()


def card(r: Any, lang: str, unit: str | None = None) -> str:
    """The card of one plan (a row of :func:`~arrearsrisk.reports.formatting.rows`);
    ``unit`` of its money at risk, by default the 3-month horizon's (``元/3个月``)."""
    unit = Priority().unit(lang) if unit is None else unit
    where = " · ".join(
        x
        for x in (
            "" if is_missing(r.region) else str(r.region),
            "" if is_missing(r.industry) else industry_label(r.industry, lang),
            text(f"cat_{r.category}", lang),
        )
        if x
    )
    badges = grade_badge(r.grade, lang) + (" " + warn_badge(lang) if r.a_warning else "")
    change = f'<span class="change">{change_html(r)}</span>' if r.change_text else ""
    figures = _kv(
        [
            (text("col_exposure", lang), money(r.exposure)),
            (text("col_arrears", lang), money(r.arrears)),
            (text("col_loss_at_risk", lang, unit=unit), money(r.loss_at_risk)),
            (text("col_deposit", lang), money(r.deposit)),
            (text("col_review_date", lang), date_text(r.review_date)),
            (text("col_as_of", lang), date_text(r.as_of)),
            *((text(f"col_{c}", lang), _contact(r, c)) for c in ("supply_address", "phone_number")),
        ]
    )
    name = _contact(r, "account_name")
    name_html = f' <span class="cname">{esc(name)}</span>' if name else ""
    reasons = (
        "<ol>" + "".join(f"<li>{esc(x)}</li>" for x in r.reasons) + "</ol>"
        if r.reasons
        else f'<p class="small">{esc(text("empty", lang))}</p>'
    )
    nobody = text("person_missing", lang)
    people = _kv(  # the three responsible people (一户一策), each named or "not assigned"
        [
            (
                text(f"col_{role}", lang),
                nobody if is_missing(getattr(r, role)) else str(getattr(r, role)),
            )
            for role in ("head", "manager", "officer")
        ]
    )
    hazard = (
        f'<p class="hazard">{esc(text("hazard_no_disconnection", lang))}</p>'
        if r.high_hazard
        else ""
    )
    measures = (
        '<ol class="measures">' + "".join(_measure_item(m, lang) for m in r.measures) + "</ol>"
        if r.measures
        else f'<p class="small">{esc(text("card_no_measure", lang))}</p>'
    )
    return (
        f'<article class="pcard g-{esc(r.grade)}" id="c-{esc(r.customer_id)}">'
        f'<header><span class="prio">{esc(text("card_priority", lang, priority=r.priority))}'
        f"{' · ' + esc(text(f'jump_{r.jump}', lang)) if r.jump else ''}</span>"
        f"<h3>{esc(r.customer_id)}{name_html}</h3>{badges}{change}"
        f'<span class="where">{esc(where)}</span></header>'
        '<div class="cols"><div>'
        f"<h4>{esc(text('card_probs', lang))}</h4>{_prob_bar(r, lang)}"
        f"<h4>{esc(text('card_figures', lang))}</h4>{figures}"
        f"<h4>{esc(text('card_reasons', lang))}</h4>{reasons}"
        f"<h4>{esc(text('card_people', lang))}</h4>{people}"
        f"</div><div><h4>{esc(text('card_measures', lang))}</h4>{hazard}{measures}</div></div>"
        "</article>"
    )


def cards_section(plans: pd.DataFrame, lang: str, limit: int) -> str:
    """The ``#cards`` section: the cards of the first ``limit`` plans."""
    shown = plans.head(limit)
    note = text("cards_note", lang, shown=f"{len(shown):,}", total=f"{len(plans):,}")
    unit = loss_unit(plans, lang)
    cards = "".join(card(r, lang, unit) for r in rows(shown))
    return (
        f'<section id="cards"><h2>{esc(text("nav_cards", lang))}</h2>'
        f'<p class="note">{esc(note)}</p>{cards}</section>'
    )

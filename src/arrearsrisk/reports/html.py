"""The manager's report as one self-contained HTML page.

Reports only render plans (:func:`arrearsrisk.plans.risk_plans.risk_plans`) and scores; they
compute nothing a plan does not already hold except portfolio counts.

:func:`write_report` writes one HTML file that opens offline: inline CSS (the package's
``report.css``), charts as inline SVG (their text is set by the browser in the page's
fonts, so Chinese renders with any CJK system font: Noto Sans CJK, Source Han Sans,
PingFang, Microsoft YaHei, WenQuanYi; none is downloaded), no script, no external link.
Sections (each linked from the navigation bar): the one-page summary for the head of
unit, right after the header and printed on a page of its own
(:mod:`~arrearsrisk.reports.summary`), the portfolio
(:mod:`~arrearsrisk.reports.portfolio`), the worklist by priority with each usage
category's first plans and the overdue measures
(:mod:`~arrearsrisk.reports.worklist`), one printable card per customer (one A4 page each
when printed, :mod:`~arrearsrisk.reports.cards`), if given, the release candidates, and
last the glossary (:mod:`~arrearsrisk.reports.glossary`: the grades, the warning, the
money at risk, the dates, the statuses and each measure of the policy).
For large portfolios the worklist and the cards are capped to the highest priorities
(``max_worklist``, ``max_cards``), and the page says so; the workbook
(:func:`~arrearsrisk.reports.workbook.write_workbook`) holds every plan.
:func:`write_summary` writes the summary alone as a one-page HTML file (e.g. one per
supply station).
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from arrearsrisk._version import __version__
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.plans.policy import Policy
from arrearsrisk.reports.cards import cards_section
from arrearsrisk.reports.formatting import as_of_text, check_plans, esc, named_regions
from arrearsrisk.reports.glossary import glossary_section
from arrearsrisk.reports.portfolio import portfolio, portfolio_section
from arrearsrisk.reports.summary import summary_section
from arrearsrisk.reports.worklist import release_section, worklist_section
from arrearsrisk.vocabulary import check_lang

__all__ = ["render_report", "render_summary", "write_report", "write_summary"]


@functools.cache
def _css() -> str:
    """The page's style sheet, ``report.css`` next to this module."""
    return (resources.files("arrearsrisk.reports") / "report.css").read_text(encoding="utf-8")


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
    policy: Policy | None = None,
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
    policy : Policy, optional
        The policy the plans were made with, for the glossary's definitions and
        measures; by default the shipped one (a measure of the plans it lacks is
        listed with the plan's own explanation).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pandas as pd, arrearsrisk as ar
    >>> from arrearsrisk.plans.risk_plans import risk_plans
    >>> ledger = ar.read_ledger("data/sample")
    >>> ledger = ar.Ledger(ledger.customers.assign(high_hazard=False), ledger.bills,
    ...                    ledger.payments)  # the sample has no high-hazard flag
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
        policy=policy,
    )
    return _write(page, path)


def _write(page: str, path: str | os.PathLike[str]) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def _page(
    heading: str,
    sub: str,
    nav: list[tuple[str, str]],
    body: list[str],
    lang: str,
    as_of: str,
    cls: str = "",
) -> str:
    """A whole page: the header (title, subtitle, navigation), ``body`` and the footer."""
    links = "".join(f'<a href="#{a}">{esc(text(k, lang))}</a>' for a, k in nav)
    nav_html = (
        f'<nav>{links}<span class="hint">{esc(text("print_hint", lang))}</span></nav>'
        if nav
        else ""
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{esc(heading)} · {esc(as_of)}</title>",
            f"<style>\n{_css()}</style>",
            "</head>",
            f'<body class="{cls}">' if cls else "<body>",
            '<header class="top"><div class="wrap">',
            f"<h1>{esc(heading)}</h1>",
            f'<p class="sub">{esc(sub)}</p>',
            nav_html,
            "</div></header>",
            "<main>",
            *body,
            "</main>",
            f"<footer>{esc(text('footer', lang, version=__version__))}</footer>",
            "</body>",
            "</html>",
        ]
    )


def _model_text(scores: pd.DataFrame) -> str:
    if "model_version" in scores.columns and len(scores):
        return ", ".join(sorted({str(v) for v in scores["model_version"].dropna()}))[:60]
    return ""


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
    policy: Policy | None = None,
) -> str:
    """The HTML of :func:`write_report`, as text."""
    lang = check_lang(lang)
    check_plans(plans, "plans")
    for name, value in (("max_worklist", max_worklist), ("max_cards", max_cards)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ArrearsRiskError(f"{name} must be a whole number >= 0, got {value!r}.")
    folio = portfolio(scores, plans, ledger)
    as_of = as_of_text(scores)
    heading = title or text("report_title", lang)
    shown = named_regions(plans, folio, scores, *([] if release is None else [release]))
    plans, folio, scores = shown[:3]  # areas by name (东城供电所), not by code
    release = shown[3] if release is not None else None

    nav = [
        ("summary", "nav_summary"),
        ("portfolio", "nav_portfolio"),
        ("worklist", "nav_worklist"),
        ("worklist-categories", "category_lists"),  # sections of reports.worklist
        ("overdue-measures", "overdue_title"),
        ("cards", "nav_cards"),
    ]
    if release is not None:
        nav.append(("release", "nav_release"))
    nav.append(("glossary", "nav_glossary"))
    body = [
        summary_section(plans, scores, lang, previous, regions=folio["region"], as_of=as_of),
        portfolio_section(folio, plans, previous, scores, lang),
        worklist_section(plans, lang, max_worklist),
        cards_section(plans, lang, max_cards),
    ]
    if release is not None:
        check_plans(release, "release")
        body.append(release_section(release, lang, max_worklist))
    body.append(glossary_section(lang, policy, plans))
    sub = text("report_subtitle", lang, as_of=as_of, model=_model_text(scores) or "-")
    return _page(heading, sub, nav, body, lang, as_of)


def render_summary(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    lang: str = "zh",
    previous: pd.DataFrame | None = None,
    *,
    ledger: Any = None,
    title: str | None = None,
) -> str:
    """The HTML of :func:`write_summary`, as text."""
    lang = check_lang(lang)
    check_plans(plans, "plans")
    folio = portfolio(scores, plans, ledger)
    as_of = as_of_text(scores)
    heading = title or text("report_title", lang)
    plans, folio, scores = named_regions(plans, folio, scores)
    body = [summary_section(plans, scores, lang, previous, regions=folio["region"], as_of=as_of)]
    sub = text("report_subtitle", lang, as_of=as_of, model=_model_text(scores) or "-")
    return _page(heading, sub, [], body, lang, as_of, cls="summary-page")


def write_summary(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    path: str | os.PathLike[str],
    lang: str = "zh",
    previous: pd.DataFrame | None = None,
    *,
    ledger: Any = None,
    title: str | None = None,
) -> Path:
    """Write the one-page summary for the head of unit as its own HTML file.

    The same section as the report's first (:mod:`~arrearsrisk.reports.summary`),
    with the report's header; it prints on one A4 page.  Pass one station's plans and
    scores for that station's page.

    Parameters
    ----------
    plans, scores, lang, previous, ledger, title
        As for :func:`write_report`.
    path : str or path-like
        The ``.html`` file to write (folders are created).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from arrearsrisk.plans import PLAN_COLUMNS
    >>> plans = pd.DataFrame({c: pd.Series([], dtype=object) for c in PLAN_COLUMNS})
    >>> scores = pd.DataFrame({"customer_id": ["C1"], "as_of": "2025-09-30", "grade": ["III"],
    ...     "a_warning": [False], "exposure": [80.0], "arrears": [0.0], "region": ["Hexi"],
    ...     "industry": [None]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page = write_summary(plans, scores, f"{tmp}/s.html").read_text(encoding="utf-8")
    >>> "供电所：Hexi" in page and "本期评价客户 1 户" in page
    True
    """
    page = render_summary(plans, scores, lang, previous, ledger=ledger, title=title)
    return _write(page, path)

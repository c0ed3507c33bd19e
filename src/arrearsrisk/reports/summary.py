"""The one-page summary for the head of unit: the station's (or company's) figures on
one printed A4 page, read in a minute.

:func:`summary_figures` counts, from the plans and the scores of one station or of the
whole company: customers scored, Grade I/II/III counts and shares, A-level warnings,
the money at risk (元/3个月, the plans' ``loss_at_risk``), arrears outstanding, plans
and measures by status (待办 / 在办 / 已办结 / 免予执行), overdue measures, the first
plans in priority order, each officer's load, each supply area's figures and, if the
previous scoring is given, the grade migration.  :func:`summary_section` renders them
as the report's ``#summary`` section (the first after the header: the page a head of
unit prints); :func:`arrearsrisk.reports.html.write_summary` writes it as a page of its
own.

A plan's status follows its measures: all proposed (or no measure) is 待办 (proposed),
all done or waived is 已办结 (done) or, when every one was waived, 免予执行 (waived);
anything else, work begun but not finished, is 在办 (in progress).

Examples
--------
>>> import pandas as pd
>>> from arrearsrisk.plans.risk_plans import PlanMeasure
>>> m = PlanMeasure("follow_up", "action", "Payment reminder and visit", "", "", None, "", (),
...                 due=pd.Timestamp("2025-10-03"), first=True)
>>> plans = pd.DataFrame({"customer_id": ["C1"], "grade": ["I"], "a_warning": [True],
...     "loss_at_risk": [1200.0], "officer": ["He Jian"], "region": ["Hexi"],
...     "overdue": [0], "first_due": [pd.Timestamp("2025-10-03")], "measures": [(m,)]})
>>> scores = pd.DataFrame({"customer_id": ["C1", "C2"], "grade": ["I", "III"],
...     "a_warning": [True, False], "arrears": [900.0, 0.0], "region": ["Hexi", "Hexi"]})
>>> f = summary_figures(plans, scores)
>>> f.scored, f.grades, f.warnings, f.money_at_risk, f.scope
(2, {'I': 1, 'II': 0, 'III': 1}, 1, 1200.0, ('Hexi',))
>>> f.plan_status
{'proposed': 1, 'in_progress': 0, 'done': 0, 'waived': 0}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import money, text
from arrearsrisk.monitoring.migration import align, migration_counts, moves
from arrearsrisk.plans.status import CLOSED, STATUS_CODES, status_label
from arrearsrisk.reports.formatting import (
    date_text,
    esc,
    grade_badge,
    is_missing,
    pct,
    rows,
    warn_badge,
)
from arrearsrisk.reports.worklist import loss_unit
from arrearsrisk.vocabulary import GRADES, check_lang

__all__ = [
    "SUMMARY_TEXT",
    "SummaryFigures",
    "plan_status",
    "summary_figures",
    "summary_section",
    "summary_text",
]

FIRST_PLANS: Final = 10
"""How many of the first plans the summary lists."""

MAX_OFFICERS: Final = 8
"""How many officers the workload table shows (the largest loads first)."""

MAX_AREAS: Final = 8
"""How many supply areas the area table shows (the largest money at risk first)."""

SUMMARY_TEXT: Final[dict[str, dict[str, str]]] = {
    "title": {"zh": "电费回收风险摘要", "en": "Arrears risk summary"},
    "meta": {"zh": "评分日期 {as_of} · {scope}", "en": "Scored as of {as_of} · {scope}"},
    "scope_one": {"zh": "供电所：{area}", "en": "Supply area: {area}"},
    "scope_many": {"zh": "{n}个供电所", "en": "{n} supply areas"},
    "scope_none": {"zh": "未填供电所", "en": "no supply area given"},
    "lead": {
        "zh": "本期评价客户 {scored} 户，其中I级风险 {g1} 户（{s1}）、II级风险 {g2} 户（{s2}），"
        "A级预警 {warn} 户；需制定策略 {plans} 户，风险金额 {risk} {unit}；"
        "待办措施 {todo} 条，逾期未办 {overdue} 条。",
        "en": "{scored} customers scored: {g1} Grade I ({s1}), {g2} Grade II ({s2}), "
        "{warn} A-level warnings; {plans} customers with a plan, money at risk {risk} {unit}; "
        "{todo} measures still to do, {overdue} overdue.",
    },
    "scored": {"zh": "本期评价客户", "en": "Customers scored"},
    "grade_I": {"zh": "I级风险", "en": "Grade I (high)"},
    "grade_II": {"zh": "II级风险", "en": "Grade II (medium)"},
    "grade_III": {"zh": "III级风险", "en": "Grade III (low)"},
    "share": {"zh": "占 {share}", "en": "{share} of customers"},
    "warnings": {"zh": "A级预警", "en": "A-level warnings"},
    "plans": {"zh": "需制定策略", "en": "Customers with a plan"},
    "risk": {"zh": "风险金额", "en": "Money at risk"},
    "arrears": {"zh": "欠费余额（元）", "en": "Arrears outstanding (CNY)"},
    "arrears_sub": {"zh": "其中策略客户 {value}", "en": "of which with a plan {value}"},
    "status_title": {"zh": "措施办理情况", "en": "Progress of the measures"},
    "status_plans": {"zh": "策略（户）", "en": "Plans"},
    "status_measures": {"zh": "措施（条）", "en": "Measures"},
    "status_overdue": {"zh": "逾期未办", "en": "Overdue"},
    "change_title": {"zh": "与上期比较", "en": "Since the previous scoring"},
    "change_grade_I": {"zh": "I级风险（上期 → 本期）", "en": "Grade I (previous → now)"},
    "change_up": {"zh": "风险上升", "en": "Risk up"},
    "change_down": {"zh": "风险下降", "en": "down"},
    "change_new_warning": {"zh": "新增A级预警", "en": "New A-level warnings"},
    "change_new": {"zh": "新评价客户", "en": "new customers"},
    "change_none": {
        "zh": "未提供上期评分，无法与上期比较。",
        "en": "No previous scoring given: no comparison.",
    },
    "households": {"zh": "{n} 户", "en": "{n}"},
    "first_title": {
        "zh": "优先处理的前 {n} 户（共 {total} 户）",
        "en": "The first {n} of {total} plans to work",
    },
    "no_open": {"zh": "无待办措施", "en": "no open measure"},
    "officers_title": {"zh": "具体责任人工作量", "en": "Officers' workload"},
    "officers_note": {
        "zh": "共 {n} 名具体责任人，显示策略户数最多的 {shown} 名。",
        "en": "{n} officers; the {shown} with the most plans shown.",
    },
    "officers_none": {"zh": "策略均未指定具体责任人。", "en": "No plan names an officer."},
    "unassigned": {
        "zh": "另有 {n} 户未指定具体责任人。",
        "en": "{n} plans name no officer.",
    },
    "col_open": {"zh": "待办", "en": "Open"},
    "col_scored": {"zh": "客户数", "en": "Scored"},
    "col_plans": {"zh": "户数", "en": "Plans"},
    "col_officer": {"zh": "责任人", "en": "Officer"},
    "col_risk": {"zh": "风险金额", "en": "At risk"},
    "col_grade_I": {"zh": "I级", "en": "Grade I"},
    "unit_note": {"zh": "金额单位：{unit}", "en": "amounts in {unit}"},
    "col_warnings": {"zh": "预警", "en": "Warnings"},
    "col_overdue": {"zh": "逾期", "en": "Overdue"},
    "areas_title": {"zh": "各供电所情况", "en": "By supply area"},
    "areas_note": {
        "zh": "共 {n} 个供电所，显示风险金额最大的 {shown} 个。",
        "en": "{n} supply areas; the {shown} with the most money at risk shown.",
    },
}
"""The summary's own words by key and language (grades, statuses and column headers
come from :mod:`arrearsrisk.i18n`)."""


def summary_text(key: str, lang: str, **fields: object) -> str:
    """The summary's text ``key`` in ``lang`` with ``fields`` filled in.

    >>> summary_text("scope_many", "zh", n=3), summary_text("scope_many", "en", n=3)
    ('3个供电所', '3 supply areas')
    """
    template = SUMMARY_TEXT[key][lang]
    return template.format(**fields) if fields else template


def plan_status(measures: Sequence[Any]) -> str:
    """The status of a plan from its measures' (see the module docstring).

    >>> from types import SimpleNamespace as M
    >>> [plan_status([M(status=s) for s in group]) for group in
    ...  [(), ("proposed",), ("done", "proposed"), ("done", "waived"), ("waived",)]]
    ['proposed', 'proposed', 'in_progress', 'done', 'waived']
    """
    states = [m.status for m in measures]
    if all(s == "proposed" for s in states):
        return "proposed"
    if all(s in CLOSED for s in states):
        return "waived" if all(s == "waived" for s in states) else "done"
    return "in_progress"


@dataclass(frozen=True)
class SummaryFigures:
    """The figures of one summary (see :func:`summary_figures`)."""

    scored: int
    grades: dict[str, int]
    warnings: int
    plans: int
    money_at_risk: float
    arrears: float
    arrears_planned: float
    plan_status: dict[str, int]
    measure_status: dict[str, int]
    overdue_measures: int
    overdue_plans: int
    scope: tuple[str, ...]
    """The supply areas of the scored customers (sorted; empty when none is known)."""
    first: pd.DataFrame
    """The first plans: priority, customer_id, grade, a_warning, loss_at_risk,
    first_action (name, ``""`` when none is open), first_due, officer, region."""
    officers: pd.DataFrame
    """One row per officer (``None``: plans without one, last): officer, region
    (the officer's areas joined by ``、``), plans, grade_I, loss_at_risk, open
    (measures neither done nor waived), overdue; the largest loads first."""
    areas: pd.DataFrame
    """One row per supply area: region, scored, grade_I, warnings, plans,
    loss_at_risk, overdue; the largest money at risk first."""
    migration: dict[str, int] | None = field(default=None)
    """``grade_I_before`` (Grade I at the previous scoring among the customers scored
    now), ``grade_I_now``, ``up``, ``down``, ``new_warning``, ``new``; ``None`` without
    a previous scoring."""


def _flags(values: pd.Series) -> np.ndarray:
    """Yes/no values as booleans, a missing one as no."""
    return np.array([False if is_missing(v) else bool(v) for v in values.tolist()], dtype=bool)


def _region_of(frame: pd.DataFrame) -> pd.Series:
    """The supply area of each row as text (object dtype), ``None`` when blank."""
    values = frame["region"].tolist() if "region" in frame.columns else [None] * len(frame)
    return pd.Series(
        [None if is_missing(r) or not str(r).strip() else str(r) for r in values],
        index=frame.index,
        dtype=object,
    )


def _keys(regions: pd.Series) -> np.ndarray:
    """Areas as group keys: ``""`` for none."""
    return np.array(["" if r is None else r for r in regions.tolist()], dtype=object)


def summary_figures(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    *,
    regions: pd.Series | None = None,
    first: int = FIRST_PLANS,
) -> SummaryFigures:
    """The figures of the summary of ``plans`` and ``scores`` (one station's or all).

    Parameters
    ----------
    plans : pandas.DataFrame
        :func:`~arrearsrisk.plans.risk_plans.risk_plans`' output (sorted by priority),
        or its rows of one station.
    scores : pandas.DataFrame
        The scores of the same customers and more (customer_id, grade, a_warning,
        arrears).
    previous : pandas.DataFrame, optional
        The previous scoring (customer_id, grade, optionally a_warning), for the grade
        migration of the customers scored now.
    regions : pandas.Series, optional
        The supply area of each row of ``scores`` (e.g. from the ledger); by default
        the scores' ``region`` column, else the plans' (customers without a plan have
        none).
    first : int, default 10
        How many of the first plans to list.

    Returns
    -------
    SummaryFigures

    Raises
    ------
    ArrearsRiskError
        If scores or previous lack a column.
    """
    need = ("customer_id", "grade", "a_warning", "arrears")
    missing = [c for c in need if c not in scores.columns]
    if missing:
        raise ArrearsRiskError(f"scores: column(s) {missing} required but missing.")
    grade = scores["grade"].astype(str)
    counts = {g: int((grade == g).sum()) for g in GRADES}
    arrears = pd.to_numeric(scores["arrears"]).to_numpy(dtype=np.float64)
    ids = scores["customer_id"].astype(str)
    planned = ids.isin(set(plans["customer_id"].astype(str))).to_numpy()
    if regions is None:
        if "region" in scores.columns:
            regions = _region_of(scores)
        else:
            by_id = dict(
                zip(plans["customer_id"].astype(str), _region_of(plans).tolist(), strict=True)
            )
            regions = pd.Series(
                [by_id.get(c) for c in ids.tolist()], index=scores.index, dtype=object
            )
    else:
        if len(regions) != len(scores):
            raise ArrearsRiskError(
                f"regions: {len(regions)} values for {len(scores)} rows of scores; give one "
                "supply area per scored customer."
            )
        regions = _region_of(pd.DataFrame({"region": pd.Series(regions).to_numpy()}))
    plan_states = {c: 0 for c in STATUS_CODES}
    measure_states = {c: 0 for c in STATUS_CODES}
    for measures in plans["measures"]:
        plan_states[plan_status(measures)] += 1
        for m in measures:
            measure_states[m.status] += 1
    risk = pd.to_numeric(plans["loss_at_risk"]).to_numpy(dtype=np.float64)
    overdue = np.nan_to_num(pd.to_numeric(plans["overdue"]).to_numpy(dtype=np.float64)).astype(
        np.int64
    )
    return SummaryFigures(
        scored=len(scores),
        grades=counts,
        warnings=int(_flags(scores["a_warning"]).sum()),
        plans=len(plans),
        money_at_risk=float(np.nansum(risk)),
        arrears=float(np.nansum(arrears)),
        arrears_planned=float(np.nansum(arrears[planned])),
        plan_status=plan_states,
        measure_status=measure_states,
        overdue_measures=int(overdue.sum()),
        overdue_plans=int((overdue > 0).sum()),
        scope=tuple(sorted({r for r in regions.tolist() if r is not None})),
        first=_first_plans(plans.head(first)),
        officers=_officers(plans, risk, overdue),
        areas=_areas(scores, regions, plans, risk, overdue),
        migration=None if previous is None else _migration(scores, previous),
    )


def _first_plans(plans: pd.DataFrame) -> pd.DataFrame:
    names = [
        next((m.name for m in measures if getattr(m, "first", False)), "")
        for measures in plans["measures"]
    ]
    return pd.DataFrame(
        {
            "priority": plans["priority"].to_numpy()
            if "priority" in plans
            else range(1, 1 + len(plans)),
            "customer_id": plans["customer_id"].astype(str).to_numpy(),
            "grade": plans["grade"].astype(str).to_numpy(),
            "a_warning": _flags(plans["a_warning"]),
            "loss_at_risk": pd.to_numeric(plans["loss_at_risk"]).to_numpy(dtype=np.float64),
            "first_action": names,
            "first_due": pd.to_datetime(plans["first_due"]).to_numpy(),
            "officer": [None if is_missing(o) else str(o) for o in plans["officer"]],
            "region": _region_of(plans).to_numpy(dtype=object),
        }
    )


def _officers(plans: pd.DataFrame, risk: np.ndarray, overdue: np.ndarray) -> pd.DataFrame:
    officer = [None if is_missing(o) else str(o) for o in plans["officer"]]
    frame = pd.DataFrame(
        {
            "officer": ["\x00" if o is None else o for o in officer],  # none: a key too
            "region": _keys(_region_of(plans)),
            "plans": 1,
            "grade_I": (plans["grade"].astype(str) == "I").to_numpy(dtype=np.int64),
            "loss_at_risk": np.nan_to_num(risk),
            "open": [sum(m.status not in CLOSED for m in ms) for ms in plans["measures"]],
            "overdue": overdue,
        }
    )
    columns = ["officer", "region", "plans", "grade_I", "loss_at_risk", "open", "overdue"]
    if not len(frame):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    out = frame.groupby("officer", sort=False).agg(
        region=("region", lambda r: "、".join(sorted({x for x in r if x}))),
        plans=("plans", "sum"),
        grade_I=("grade_I", "sum"),
        loss_at_risk=("loss_at_risk", "sum"),
        open=("open", "sum"),
        overdue=("overdue", "sum"),
    )
    out = out.reset_index()
    out["_none"] = out["officer"] == "\x00"
    out = out.sort_values(
        ["_none", "plans", "loss_at_risk", "officer"], ascending=[True, False, False, True]
    )
    out = out.reset_index(drop=True)
    out["officer"] = pd.Series(
        [None if none else o for o, none in zip(out["officer"], out["_none"], strict=True)],
        dtype=object,
    )
    return out[columns]


def _areas(
    scores: pd.DataFrame,
    regions: pd.Series,
    plans: pd.DataFrame,
    risk: np.ndarray,
    overdue: np.ndarray,
) -> pd.DataFrame:
    scored = (
        pd.DataFrame(
            {
                "region": _keys(regions),
                "scored": 1,
                "grade_I": (scores["grade"].astype(str) == "I").to_numpy(dtype=np.int64),
                "warnings": _flags(scores["a_warning"]).astype(np.int64),
            }
        )
        .groupby("region")[["scored", "grade_I", "warnings"]]
        .sum()
    )
    planned = (
        pd.DataFrame(
            {
                "region": _keys(_region_of(plans)),
                "plans": 1,
                "loss_at_risk": np.nan_to_num(risk),
                "overdue": overdue,
            }
        )
        .groupby("region")[["plans", "loss_at_risk", "overdue"]]
        .sum()
    )
    out = scored.join(planned, how="outer").fillna(0)
    for col in ("scored", "grade_I", "warnings", "plans", "overdue"):
        out[col] = out[col].astype(np.int64)
    out = out.reset_index().sort_values(["loss_at_risk", "region"], ascending=[False, True])
    out = out.reset_index(drop=True)
    out["region"] = pd.Series([r or None for r in out["region"].tolist()], dtype=object)
    return out[
        ["region", "scored", "grade_I", "warnings", "plans", "loss_at_risk", "overdue"]
    ].reset_index(drop=True)


def _migration(scores: pd.DataFrame, previous: pd.DataFrame) -> dict[str, int]:
    """Grade I before and now, moves up and down, new warnings and new customers, of
    the scored customers, counted by :mod:`arrearsrisk.monitoring.migration` (as the
    report's migration table)."""
    for col in ("customer_id", "grade"):
        if col not in previous.columns:
            raise ArrearsRiskError(f"previous: column '{col}' required but missing.")
    prev = previous.assign(customer_id=previous["customer_id"].astype(str))
    prev = prev.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    ids = pd.Index(scores["customer_id"].astype(str))
    graded = prev["grade"][[not is_missing(g) for g in prev["grade"]]]
    before = graded.astype(str)
    now = pd.Series(scores["grade"].astype(str).to_numpy(), index=ids)
    aligned = align(before, now, GRADES)
    counts = migration_counts(aligned.before, aligned.now, len(GRADES))
    up, down, _ = moves(counts, range(len(GRADES)))
    scored = counts[0, :, : len(GRADES)]  # rows: the grade before, then new
    warned = _flags(scores["a_warning"])
    if "a_warning" in prev.columns:
        warned &= ~_flags(prev["a_warning"].reindex(ids))
    return {
        "grade_I_before": int(scored[0].sum()),
        "grade_I_now": int(scored[:, 0].sum()),
        "up": int(up[0]),
        "down": int(down[0]),
        "new_warning": int(warned.sum()),
        "new": int(scored[len(GRADES)].sum()),
    }


# -- HTML --------------------------------------------------------------------------


def _table(heads: Sequence[tuple[str, str, int]], body: Sequence[str]) -> str:
    """A table of fixed layout: each column's share of the width (relative weights) is
    the third item of its head, so long texts are cut rather than widen the page."""
    cols = "".join(f'<col style="width:{w}%">' for _, _, w in heads)
    head = "".join(f'<th class="{cls}">{esc(h)}</th>' for h, cls, _ in heads)
    return (
        f'<table class="data fixed"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _clip(value: str, cls: str = "clip") -> str:
    """A cell cut to its column's width in print (``…``), the whole text as its title."""
    return f'<td class="{cls}" title="{esc(value)}"><div>{esc(value)}</div></td>'


def _panel(title: str, body: str, note: str = "", unit: str = "") -> str:
    extra = f'<p class="small">{esc(note)}</p>' if note else ""
    aside = f' <span class="unit">{esc(unit)}</span>' if unit else ""
    return f'<div class="panel"><h3>{esc(title)}{aside}</h3>{body}{extra}</div>'


def _scope(f: SummaryFigures, lang: str) -> str:
    if not f.scope:
        return summary_text("scope_none", lang)
    if len(f.scope) == 1:
        return summary_text("scope_one", lang, area=f.scope[0])
    return summary_text("scope_many", lang, n=len(f.scope))


def summary_section(
    plans: pd.DataFrame,
    scores: pd.DataFrame,
    lang: str,
    previous: pd.DataFrame | None = None,
    *,
    regions: pd.Series | None = None,
    as_of: str = "-",
    first: int = FIRST_PLANS,
) -> str:
    """The ``#summary`` section: the figures of :func:`summary_figures` on one page.

    Parameters
    ----------
    plans, scores, previous, regions, first
        As for :func:`summary_figures`.
    lang : {"zh", "en"}
        Language.
    as_of : str, default "-"
        The scoring date as shown.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> import pandas as pd
    >>> plans = pd.DataFrame({"customer_id": pd.Series([], dtype=str), "grade": [],
    ...     "a_warning": [], "loss_at_risk": [], "officer": [], "region": [], "overdue": [],
    ...     "first_due": [], "measures": []})
    >>> scores = pd.DataFrame({"customer_id": ["C2"], "grade": ["III"], "a_warning": [False],
    ...                        "arrears": [0.0]})
    >>> html = summary_section(plans, scores, "zh", as_of="2025-09-30")
    >>> "本期评价客户 1 户" in html and "未提供上期评分" in html
    True
    """
    lang = check_lang(lang)
    f = summary_figures(plans, scores, previous, regions=regions, first=first)
    unit = loss_unit(plans, lang)

    def share(k: int) -> str:
        return pct(k / f.scored) if f.scored else "-"

    todo = f.measure_status["proposed"] + f.measure_status["in_progress"]
    lead = summary_text(
        "lead",
        lang,
        scored=f"{f.scored:,}",
        g1=f"{f.grades['I']:,}",
        s1=share(f.grades["I"]),
        g2=f"{f.grades['II']:,}",
        s2=share(f.grades["II"]),
        warn=f"{f.warnings:,}",
        plans=f"{f.plans:,}",
        risk=money(f.money_at_risk),
        unit=unit,
        todo=f"{todo:,}",
        overdue=f"{f.overdue_measures:,}",
    )
    tiles = [
        ("", summary_text("scored", lang), f"{f.scored:,}", ""),
        *(
            (
                f"g{i + 1}",
                summary_text(f"grade_{g}", lang),
                f"{f.grades[g]:,}",
                summary_text("share", lang, share=share(f.grades[g])) if f.scored else "",
            )
            for i, g in enumerate(GRADES)
        ),
        (
            "warn",
            summary_text("warnings", lang),
            f"{f.warnings:,}",
            summary_text("share", lang, share=share(f.warnings)) if f.scored else "",
        ),
        ("plan", summary_text("plans", lang), f"{f.plans:,}", ""),
        ("money", summary_text("risk", lang), money(f.money_at_risk), unit),
        (
            "money",
            summary_text("arrears", lang),
            money(f.arrears),
            summary_text("arrears_sub", lang, value=money(f.arrears_planned)),
        ),
    ]
    kpis = "".join(
        f'<div class="kpi {cls}"><div class="l">{esc(label)}</div>'
        f'<div class="v">{esc(value)}</div><div class="s">{esc(sub)}</div></div>'
        for cls, label, value, sub in tiles
    )
    meta = summary_text("meta", lang, as_of=as_of, scope=_scope(f, lang))
    parts = [
        f'<section id="summary" class="summary"><h2>{esc(summary_text("title", lang))}'
        f'<span class="meta">{esc(meta)}</span></h2>',
        f'<p class="lead">{esc(lead)}</p>',
        f'<div class="kpis">{kpis}</div>',
        f'<div class="grid2">{_status_panel(f, lang)}{_change_panel(f, lang)}</div>',
        _first_panel(f, lang, unit),
        f'<div class="grid2">{_officer_panel(f, lang, unit)}'
        f"{_area_panel(f, lang, unit) if len(f.scope) > 1 else ''}</div>",
        "</section>",
    ]
    return "".join(parts)


def _status_panel(f: SummaryFigures, lang: str) -> str:
    """Plans and measures by status, and overdue, one column each."""
    late = ' class="late"' if f.overdue_measures else ""
    heads = [
        ("", "", 21),
        *((status_label(c, lang), "num", 16) for c in STATUS_CODES),
        (summary_text("status_overdue", lang), "num", 17),
    ]
    body = [
        f"<tr><th>{esc(summary_text(key, lang))}</th>"
        + "".join(f'<td class="num">{counts[c]:,}</td>' for c in STATUS_CODES)
        + f'<td class="num"><b{late}>{overdue:,}</b></td></tr>'
        for key, counts, overdue in (
            ("status_plans", f.plan_status, f.overdue_plans),
            ("status_measures", f.measure_status, f.overdue_measures),
        )
    ]
    return _panel(summary_text("status_title", lang), _table(heads, body))


def _change_panel(f: SummaryFigures, lang: str) -> str:
    title = summary_text("change_title", lang)
    if f.migration is None:
        return _panel(title, f'<p class="small">{esc(summary_text("change_none", lang))}</p>')
    m = f.migration

    def n(k: int) -> str:
        return summary_text("households", lang, n=f"{k:,}")

    pairs = [
        (summary_text("change_grade_I", lang), f"{n(m['grade_I_before'])} → {n(m['grade_I_now'])}"),
        (
            summary_text("change_up", lang) + " / " + summary_text("change_down", lang),
            f"{n(m['up'])} / {n(m['down'])}",
        ),
        (
            summary_text("change_new_warning", lang) + " / " + summary_text("change_new", lang),
            f"{n(m['new_warning'])} / {n(m['new'])}",
        ),
    ]
    body = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs)
    return _panel(title, f'<dl class="kv">{body}</dl>')


def _first_panel(f: SummaryFigures, lang: str, unit: str) -> str:
    many = len(f.scope) > 1
    heads = [
        (text("col_priority", lang), "num", 8),
        (text("col_customer_id", lang), "", 10),
        *([(text("col_region", lang), "", 11)] if many else []),
        (text("col_grade", lang), "", 16),
        (summary_text("col_risk", lang), "num", 11),
        (text("col_first_action", lang), "", 25),
        (text("col_due_date", lang), "", 10),
        (summary_text("col_officer", lang), "", 9),
    ]
    nobody = text("person_missing", lang)
    body = []
    for r in rows(f.first):
        badges = grade_badge(r.grade, lang) + (" " + warn_badge(lang) if r.a_warning else "")
        action = (
            _clip(r.first_action, "action")
            if r.first_action
            else f'<td class="small">{esc(summary_text("no_open", lang))}</td>'
        )
        body.append(
            f'<tr><td class="num">{r.priority}</td>'
            f'<td class="nowrap"><a href="#c-{esc(r.customer_id)}">'
            f"<b>{esc(r.customer_id)}</b></a></td>"
            f"{_clip(r.region or '') if many else ''}"
            f'<td class="badges">{badges}</td>'
            f'<td class="num"><b>{money(r.loss_at_risk)}</b></td>'
            f'{action}<td class="nowrap">{date_text(r.first_due)}</td>'
            f"{_clip(r.officer or nobody)}</tr>"
        )
    title = summary_text("first_title", lang, n=len(f.first), total=f"{f.plans:,}")
    if not body:
        return _panel(title, f'<p class="small">{esc(text("empty", lang))}</p>')
    return _panel(
        title,
        _table(heads, body),
        unit=summary_text("unit_note", lang, unit=unit),
    )


def _officer_panel(f: SummaryFigures, lang: str, unit: str) -> str:
    named = f.officers[f.officers["officer"].notna()]
    unnamed = f.officers[f.officers["officer"].isna()]
    title = summary_text("officers_title", lang)
    notes = []
    if len(named) > MAX_OFFICERS:
        notes.append(summary_text("officers_note", lang, n=len(named), shown=MAX_OFFICERS))
    if len(unnamed):
        notes.append(summary_text("unassigned", lang, n=f"{int(unnamed['plans'].sum()):,}"))
    if not len(named):
        none = f'<p class="small">{esc(summary_text("officers_none", lang))}</p>'
        return _panel(title, none, " ".join(notes))
    many = len(f.scope) > 1
    heads = [
        (summary_text("col_officer", lang), "", 18),
        *([(text("col_region", lang), "", 18)] if many else []),
        (summary_text("col_plans", lang), "num", 13),
        (summary_text("col_risk", lang), "num", 21),
        (summary_text("col_open", lang), "num", 14),
        (summary_text("col_overdue", lang), "num", 17),
    ]
    body = [
        f"<tr>{_clip(r.officer)}"
        + (_clip(r.region) if many else "")
        + f'<td class="num">{int(r.plans):,}</td>'
        f'<td class="num">{money(r.loss_at_risk)}</td><td class="num">{int(r.open):,}</td>'
        f'<td class="num">{int(r.overdue):,}</td></tr>'
        for r in rows(named.head(MAX_OFFICERS))
    ]
    return _panel(
        title, _table(heads, body), " ".join(notes), summary_text("unit_note", lang, unit=unit)
    )


def _area_panel(f: SummaryFigures, lang: str, unit: str) -> str:
    heads = [
        (text("col_region", lang), "", 22),
        (summary_text("col_scored", lang), "num", 15),
        (summary_text("col_grade_I", lang), "num", 15),
        (summary_text("col_warnings", lang), "num", 17),
        (summary_text("col_risk", lang), "num", 21),
        (summary_text("col_overdue", lang), "num", 17),
    ]
    body = [
        f"<tr>{_clip(r.region if r.region is not None else text('no_region', lang))}"
        f'<td class="num">{int(r.scored):,}</td><td class="num">{int(r.grade_I):,}</td>'
        f'<td class="num">{int(r.warnings):,}</td><td class="num">{money(r.loss_at_risk)}</td>'
        f'<td class="num">{int(r.overdue):,}</td></tr>'
        for r in rows(f.areas.head(MAX_AREAS))
    ]
    note = ""
    if len(f.areas) > MAX_AREAS:
        note = summary_text("areas_note", lang, n=len(f.areas), shown=MAX_AREAS)
    return _panel(
        summary_text("areas_title", lang),
        _table(heads, body),
        note,
        summary_text("unit_note", lang, unit=unit),
    )

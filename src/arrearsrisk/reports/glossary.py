"""The report's glossary: what the grades, the A-level warning, the money at risk, the
dates and the statuses mean, and each measure of the policy in a sentence.

The figures in the definitions (review days, the horizon, the warning's multiple, the
shares of the money at risk, each measure's lead time) are read from the policy
(:class:`~arrearsrisk.plans.policy.Policy`), so the glossary says what the plans did;
each measure's sentence is the policy's own explanation (``explain_zh`` /
``explain_en`` with its ``params`` filled in).

Examples
--------
>>> from arrearsrisk.plans.policy import load_policy
>>> html = glossary_section("en", load_policy())
>>> html.startswith('<section id="glossary"') and "Lawful disconnection procedure" in html
True
>>> glossary_text("term_warning", "zh")
'A级预警'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from arrearsrisk.i18n import money, text
from arrearsrisk.plans.policy import KINDS, Measure, Policy, load_policy
from arrearsrisk.plans.status import STATUS_CODES, status_label
from arrearsrisk.reports.formatting import esc
from arrearsrisk.vocabulary import check_lang

__all__ = ["GLOSSARY_TEXT", "GRACE_DAYS", "glossary_measures", "glossary_section", "glossary_text"]

GRACE_DAYS: Final = 30
"""The labels' default grace days (a bill more than this late makes Grade I)."""

GLOSSARY_TEXT: Final[dict[str, dict[str, str]]] = {
    "title": {"zh": "名词解释", "en": "Glossary"},
    "note": {
        "zh": "本报告所用等级、预警、金额、日期和措施的含义；数字取自本期使用的策略表。",
        "en": "What the grades, warnings, amounts, dates and measures of this report mean; "
        "the figures are those of the policy used for these plans.",
    },
    "term_grade_I": {"zh": "I级风险（高风险）", "en": "Grade I (high risk)"},
    "term_grade_II": {"zh": "II级风险（中风险）", "en": "Grade II (medium risk)"},
    "term_grade_III": {"zh": "III级风险（低风险）", "en": "Grade III (low risk)"},
    "def_grade_I": {
        "zh": "预计评分后{months}个月内到期的电费中，有账单逾期超过{grace}天或到期末仍未结清。"
        "须制定一户一策，{days}天内复核。",
        "en": "Expected to pay a bill due within {months} months of scoring more than {grace} "
        "days late, or to leave it unpaid at the end of the horizon. Gets a plan (one "
        "customer, one policy), reviewed within {days} days.",
    },
    "def_grade_II": {
        "zh": "预计有电费逾期1至{grace}天后缴清，但无逾期超过{grace}天的账单。"
        "须制定一户一策，{days}天内复核。",
        "en": "Expected to pay a bill 1 to {grace} days late, none later. Gets a plan, "
        "reviewed within {days} days.",
    },
    "def_grade_III": {
        "zh": "预计评分后{months}个月内到期的电费均按期缴清。不制定策略。",
        "en": "Expected to pay every bill due within {months} months of scoring on time. No plan.",
    },
    "applies": {"zh": "可能采取的措施：{measures}。", "en": "Measures that may apply: {measures}."},
    "releases": {
        "zh": "长期按时缴费的，可解除：{measures}。",
        "en": "Good payers can be released from: {measures}.",
    },
    "term_warning": {"zh": "A级预警", "en": "A-level warning"},
    "def_warning": {
        "zh": "电费风险预警的最高级别：预计到期末仍欠评分后{months}个月内到期的电费，"
        "金额不少于月均电费的{multiple}倍，可能形成呆账。有A级预警的客户均为I级，"
        "{days}天内复核{jump}。",
        "en": "The most severe signal of the early-warning system: expected still to owe, at "
        "the end of the horizon, at least {multiple} monthly bills of the bills due within "
        "{months} months of scoring, which may become bad debt. A warned customer is "
        "Grade I and is reviewed within {days} days{jump}.",
    },
    "warning_jumps": {"zh": "，在工作清单中优先处理", "en": ", ahead of the queue"},
    "term_risk": {"zh": "风险金额（{unit}）", "en": "Money at risk ({unit})"},
    "def_risk": {
        "zh": "预计到期末（评分后{months}个月另加{grace}天宽限）仍未收回的电费，单位{unit}。"
        "应收电费 = 欠费 + {months}个月的月均电费；风险金额 = A级预警概率 × {sw} × 应收电费"
        " + （I级概率 − A级预警概率）× {si} × 应收电费（不超过{m}个月的月均电费）。"
        "工作清单按风险金额从大到小排序。",
        "en": "The bills expected still unpaid at the end of the horizon ({months} months "
        "after scoring plus {grace} days' grace), in {unit}. Amount due = arrears + "
        "{months} monthly bills; money at risk = P(A-level warning) × {sw} × amount due + "
        "(P(Grade I) − P(A-level warning)) × {si} × amount due (at most {m} monthly "
        "bills). The worklist is sorted by it, largest first.",
    },
    "term_expected_loss": {"zh": "预期损失（元/月）", "en": "Expected loss (CNY per month)"},
    "def_expected_loss": {
        "zh": "I级概率 × 月均电费，按月计的旧口径；Excel工作簿中仍列出，便于与以往报表比较。",
        "en": "P(Grade I) × monthly bill: the older monthly figure, still in the workbook "
        "for comparison with earlier reports.",
    },
    "term_exposure": {"zh": "月均电费", "en": "Monthly bill"},
    "def_exposure": {
        "zh": "评分前12个月所开电费账单金额的平均值（元）。",
        "en": "The mean of the bills issued in the 12 months before scoring (CNY).",
    },
    "term_arrears": {"zh": "欠费", "en": "Arrears"},
    "def_arrears": {
        "zh": "评分日已到期、尚未缴清的电费（元）。",
        "en": "Bills due and still unpaid on the scoring date (CNY).",
    },
    "term_priority": {"zh": "优先级", "en": "Priority"},
    "def_priority": {
        "zh": "工作清单的处理顺序，1为最先：{jump}各组内和其余客户均按风险金额从大到小排列。",
        "en": "The order of the worklist, 1 first: {jump}each group and the rest by money "
        "at risk, largest first.",
    },
    "jump_deadline": {
        "zh": "停电程序的法定日期在{days}天内（或已过）的",
        "en": "plans whose disconnection procedure reaches a legal date within {days} days",
    },
    "jump_warning": {"zh": "有A级预警的", "en": "A-level warnings"},
    "jump_lead": {"zh": "{who}排在前面；", "en": "{who} come first; "},
    "term_review": {"zh": "下次复核", "en": "Next review"},
    "def_review": {
        "zh": "I级{d_I}天内、II级{d_II}天内复核，有A级预警的{d_w}天内{more}。",
        "en": "Grade I within {d_I} days, Grade II within {d_II}, A-level warnings within "
        "{d_w}{more}.",
    },
    "review_amount": {
        "zh": "；风险金额超过{above}元的{days}天内",
        "en": "; money at risk above CNY {above}: within {days} days",
    },
    "review_calendar": {
        "zh": "；有停电程序的，不晚于其下一个法定日期",
        "en": "; an open disconnection procedure: by its next legal date",
    },
    "review_first": {
        "zh": "；不晚于首要措施的完成期限",
        "en": "; no later than the first action's due date",
    },
    "term_first": {"zh": "首要措施", "en": "First action"},
    "def_first": {
        "zh": "户内尚未办结的措施中完成期限最早的一项（同日到期的按策略表顺序），应最先办理。",
        "en": "The plan's open measure due first (ties in the policy's order): work it first.",
    },
    "term_due": {"zh": "完成期限", "en": "Due date"},
    "def_due": {
        "zh": "措施首次提出之日加策略表规定的天数；上月延续下来的措施保留首次提出日期。",
        "en": "The date the measure was first proposed plus the policy's lead time; a measure "
        "carried over from last month keeps its first date.",
    },
    "term_overdue": {"zh": "逾期未办", "en": "Overdue"},
    "def_overdue": {
        "zh": "已过完成期限、既未办结也未免予执行的措施。",
        "en": "A measure past its due date, neither done nor waived.",
    },
    "term_status": {"zh": "办理状态", "en": "Status"},
    "def_status": {
        "zh": "供电所在Excel工作簿中逐条填写，下月评分时读回：",
        "en": "Filled in by the station for each measure in the Excel workbook and read "
        "back at next month's scoring:",
    },
    "status_proposed": {"zh": "已提出，尚未开始办理", "en": "proposed, not started"},
    "status_in_progress": {"zh": "已开始办理，尚未完成", "en": "work begun, not finished"},
    "status_done": {"zh": "已办理完毕，不再列为待办", "en": "completed; no longer due"},
    "status_waived": {
        "zh": "不再执行（如客户已缴清或措施不适用），不再列为待办",
        "en": "not to be carried out (e.g. the customer paid, or the measure does not fit); "
        "no longer due",
    },
    "term_plan_status": {"zh": "策略办理状态", "en": "Status of a plan"},
    "def_plan_status": {
        "zh": "按户内措施归类：全部待办的为待办，全部已办结或免予执行的为已办结"
        "（全部免予执行的为免予执行），其余为在办。",
        "en": "From its measures: proposed while all are proposed, done when all are done "
        "or waived (waived when all are waived), else in progress.",
    },
    "term_people": {"zh": "责任人", "en": "Responsible people"},
    "def_people": {
        "zh": "每户策略明确三名责任人：第一责任人（供电所负责人）、管理责任人"
        "和具体责任人（负责办理）。",
        "en": "Each plan names three people: the head of unit (first responsible), the "
        "managing person and the officer who does the work.",
    },
    "measures_title": {"zh": "策略表中的措施", "en": "The measures of the policy"},
    "measures_note": {
        "zh": "本期策略表版本 {version}；“完成期限”为措施提出后应完成的天数。",
        "en": 'Policy version {version}; "Due" is the days from proposing a measure to '
        "its due date.",
    },
    "col_kind": {"zh": "类别", "en": "Kind"},
    "col_lead": {"zh": "完成期限", "en": "Due"},
    "lead_days": {"zh": "提出后{days}天内", "en": "within {days} days"},
    "kind_action": {"zh": "风险措施", "en": "measure"},
    "kind_disconnection": {"zh": "停电程序", "en": "disconnection"},
    "kind_release": {"zh": "可解除", "en": "release"},
}
"""The glossary's words by key and language."""


def glossary_text(key: str, lang: str, **fields: object) -> str:
    """The glossary's text ``key`` in ``lang`` with ``fields`` filled in.

    >>> glossary_text("lead_days", "en", days=7)
    'within 7 days'
    """
    template = GLOSSARY_TEXT[key][lang]
    return template.format(**fields) if fields else template


def glossary_measures(
    lang: str, policy: Policy, plans: pd.DataFrame | None = None
) -> list[tuple[str, str, str, str, int | None]]:
    """The measures the glossary lists: ``(code, kind, name, sentence, lead days)``.

    Every measure of ``policy`` in policy order, then any measure of ``plans`` the
    policy does not hold (plans made with another policy), with the plan's own name
    and explanation and no lead time.

    >>> rows = glossary_measures("en", load_policy())
    >>> rows[0][:3], rows[0][4]
    (('follow_up', 'action', 'Payment reminder and visit'), 3)
    """
    lang = check_lang(lang)
    out: list[tuple[str, str, str, str, int | None]] = [
        (m.code, m.kind, m.name(lang), m.explanation(lang), m.lead_days()) for m in policy.measures
    ]
    known = {m.code for m in policy.measures}
    if plans is not None and "measures" in plans.columns:
        for measures in plans["measures"]:
            for m in measures:
                if m.code not in known:
                    known.add(m.code)
                    out.append((m.code, m.kind, m.name, m.explanation, None))
    return out


def _names(measures: Iterable[Measure], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(m.name(lang) for m in measures)


def _for_grade(policy: Policy, grade: str) -> list[Measure]:
    """Measures a block of which may hold for a customer of ``grade`` without a warning."""
    out = []
    for m in policy.measures:
        if m.kind == "release":
            continue
        for block in m.when:
            grades = block.get("grade")
            if block.get("warning") is True:
                continue
            if grades is None or (isinstance(grades, tuple) and grade in grades):
                out.append(m)
                break
    return out


def _for_warning(policy: Policy) -> list[Measure]:
    return [
        m
        for m in policy.measures
        if m.kind != "release" and any(b.get("warning") is True for b in m.when)
    ]


def _share(value: float) -> str:
    return f"{value:.0%}"


def _number(value: float) -> str:
    return f"{value:g}"


def glossary_section(
    lang: str,
    policy: Policy | None = None,
    plans: pd.DataFrame | None = None,
    *,
    grace_days: int = GRACE_DAYS,
) -> str:
    """The ``#glossary`` section.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language.
    policy : Policy, optional
        The policy the plans were made with; by default the shipped one
        (:func:`~arrearsrisk.plans.policy.load_policy`).
    plans : pandas.DataFrame, optional
        The plans: a measure they hold that the policy does not is listed too, with
        the plan's own explanation.
    grace_days : int, default 30
        The labels' grace days, as the definitions of the grades say.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> html = glossary_section("zh")
    >>> "I级风险（高风险）" in html and "依法停电程序" in html and "14天内复核" in html
    True
    """
    lang = check_lang(lang)
    policy = load_policy() if policy is None else policy
    prio = policy.priority
    unit = prio.unit(lang)
    months = prio.horizon_months
    days = policy.review_days

    def g(key: str, **fields: object) -> str:
        return glossary_text(key, lang, **fields)

    def applies(measures: list[Measure], key: str = "applies") -> str:
        gap = "" if lang == "zh" else " "
        return gap + g(key, measures=_names(measures, lang)) if measures else ""

    entries: list[tuple[str, str]] = [
        (
            g("term_grade_I"),
            g("def_grade_I", months=months, grace=grace_days, days=days["I"])
            + applies(_for_grade(policy, "I")),
        ),
        (
            g("term_grade_II"),
            g("def_grade_II", grace=grace_days, days=days["II"])
            + applies(_for_grade(policy, "II")),
        ),
        (
            g("term_grade_III"),
            g("def_grade_III", months=months)
            + applies([m for m in policy.measures if m.kind == "release"], "releases"),
        ),
        (
            g("term_warning"),
            g(
                "def_warning",
                months=months,
                multiple=_number(prio.warning_multiple),
                days=policy.review_after("I", True),
                jump=g("warning_jumps") if "warning" in prio.jump else "",
            )
            + applies(_for_warning(policy)),
        ),
        (
            g("term_risk", unit=unit),
            g(
                "def_risk",
                months=months,
                grace=grace_days,
                unit=unit,
                sw=_share(prio.unpaid_share_warning),
                si=_share(prio.unpaid_share_grade_I),
                m=_number(prio.warning_multiple),
            ),
        ),
        (g("term_expected_loss"), g("def_expected_loss")),
        (g("term_exposure"), g("def_exposure")),
        (g("term_arrears"), g("def_arrears")),
        (g("term_priority"), g("def_priority", jump=_jumps(policy, lang))),
        (
            g("term_review"),
            g(
                "def_review",
                d_I=days["I"],
                d_II=days["II"],
                d_w=days["warning"],
                more=_review_more(policy, lang),
            ),
        ),
        (g("term_first"), g("def_first")),
        (g("term_due"), g("def_due")),
        (g("term_overdue"), g("def_overdue")),
        (g("term_people"), g("def_people")),
    ]
    terms = "".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in entries)
    statuses = "".join(
        f"<li><b>{esc(status_label(c, lang))}</b>{'：' if lang == 'zh' else ': '}"
        f"{esc(g(f'status_{c}'))}</li>"
        for c in STATUS_CODES
    )
    terms += (
        f"<dt>{esc(g('term_status'))}</dt><dd>{esc(g('def_status'))}"
        f'<ul class="statuses">{statuses}</ul></dd>'
        f"<dt>{esc(g('term_plan_status'))}</dt><dd>{esc(g('def_plan_status'))}</dd>"
    )
    heads = (text("col_measure", lang), g("col_kind"), text("col_explanation", lang), g("col_lead"))
    head = "".join(f"<th>{esc(h)}</th>" for h in heads)
    body = "".join(
        f'<tr id="m-{esc(code)}"><td class="nowrap"><b>{esc(name)}</b></td>'
        f'<td class="nowrap">{esc(g(f"kind_{kind}") if kind in KINDS else kind)}</td>'
        f"<td>{esc(sentence)}</td>"
        f'<td class="nowrap">{esc(g("lead_days", days=lead) if lead is not None else "")}</td></tr>'
        for code, kind, name, sentence, lead in glossary_measures(lang, policy, plans)
    )
    note = g("measures_note", version=policy.version or "-")
    return (
        f'<section id="glossary"><h2>{esc(g("title"))}</h2><p class="note">{esc(g("note"))}</p>'
        f'<div class="panel"><dl class="glossary">{terms}</dl></div>'
        f'<h3 class="gloss">{esc(g("measures_title"))}</h3><p class="note">{esc(note)}</p>'
        f'<div class="panel flush"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div></section>"
    )


def _jumps(policy: Policy, lang: str) -> str:
    who = [
        glossary_text(f"jump_{reason}", lang, days=policy.priority.deadline_days)
        if reason == "deadline"
        else glossary_text(f"jump_{reason}", lang)
        for reason in policy.priority.jump
    ]
    if not who:
        return ""
    joined = ("、" if lang == "zh" else ", then ").join(who)
    return glossary_text("jump_lead", lang, who=joined)


def _review_more(policy: Policy, lang: str) -> str:
    more = "".join(
        glossary_text("review_amount", lang, above=money(above), days=days)
        for above, days in policy.review_amount
    )
    if policy.disconnection_calendar:
        more += glossary_text("review_calendar", lang)
    if policy.first_action_due:
        more += glossary_text("review_first", lang)
    return more

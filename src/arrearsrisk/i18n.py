"""Chinese and English wording of plans and reports, in one place.

Every text a manager reads in plans and reports (change notes, report headings,
column headers, category names) is looked up here by key, so the two languages
(:data:`arrearsrisk.vocabulary.LANGS`) stay side by side and a test can check that none
is missing.  Conditions describe themselves (:mod:`arrearsrisk.plans.conditions`), and
features' reasons live with their family (:mod:`arrearsrisk.features`).

Examples
--------
>>> text("grade_label", "en", grade="I")
'Grade I'
>>> text("grade_label", "zh", grade="II")
'II级'
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["TEXT", "money", "text"]

TEXT: Final[dict[str, dict[str, str]]] = {
    # grades, categories ---------------------------------------------------------------
    "grade_label": {"zh": "{grade}级", "en": "Grade {grade}"},
    "warning_label": {"zh": "A级预警", "en": "A-level warning"},
    "no_warning_label": {"zh": "无A级预警", "en": "no A-level warning"},
    "cat_residential": {"zh": "居民", "en": "residential"},
    "cat_commercial": {"zh": "商业", "en": "commercial"},
    "cat_industrial": {"zh": "工业", "en": "industrial"},
    "cat_agricultural": {"zh": "农业", "en": "agricultural"},
    "cat_public": {"zh": "财政拨款单位", "en": "budget-funded institution"},
    "cat_temporary": {"zh": "临时用电", "en": "temporary connection"},
    # plans --------------------------------------------------------------------------
    "amount": {"zh": "{label}：{value}元", "en": "{label}: CNY {value}"},
    "change_new": {"zh": "新纳入（上期未评分）", "en": "new (not scored last time)"},
    "change_up": {"zh": "风险上升 {before}→{after}", "en": "risk up {before}→{after}"},
    "change_down": {"zh": "风险下降 {before}→{after}", "en": "risk down {before}→{after}"},
    "change_same": {"zh": "等级未变", "en": "grade unchanged"},
    "change_new_warning": {"zh": "新增A级预警", "en": "new A-level warning"},
    "change_warning_cleared": {"zh": "A级预警解除", "en": "A-level warning cleared"},
    "hazard_no_disconnection": {
        "zh": "高危客户：不采取停电措施",
        "en": "high-hazard customer: no disconnection",
    },
    # report ---------------------------------------------------------------------------
    "report_title": {"zh": "电费回收风险报告", "en": "Electricity arrears risk report"},
    "report_subtitle": {
        "zh": "一户一策 · 评分日期 {as_of} · 模型 {model}",
        "en": "One customer, one policy · scored as of {as_of} · model {model}",
    },
    "nav_portfolio": {"zh": "总体情况", "en": "Portfolio"},
    "nav_worklist": {"zh": "工作清单", "en": "Worklist"},
    "nav_cards": {"zh": "客户策略卡", "en": "Customer cards"},
    "nav_release": {"zh": "可解除措施", "en": "Release of measures"},
    # the one-page summary and the glossary (reports.summary, reports.glossary) ---------
    "nav_summary": {"zh": "本期摘要", "en": "Summary"},
    "nav_glossary": {"zh": "名词解释", "en": "Glossary"},
    "kpi_scored": {"zh": "评分客户", "en": "Customers scored"},
    "kpi_plans": {"zh": "需制定策略", "en": "Customers with a plan"},
    "kpi_grade_I": {"zh": "I级（高风险）", "en": "Grade I (high risk)"},
    "kpi_grade_II": {"zh": "II级（中风险）", "en": "Grade II (medium risk)"},
    "kpi_warning": {"zh": "A级预警", "en": "A-level warnings"},
    "kpi_exposure": {"zh": "风险敞口（月均电费）", "en": "Exposure at risk (monthly)"},
    "kpi_arrears": {"zh": "I/II级客户欠费", "en": "Arrears of Grade I/II"},
    "kpi_loss": {"zh": "预期损失", "en": "Expected loss"},
    "kpi_share": {"zh": "占 {share}", "en": "{share} of customers"},
    "kpi_money_note": {"zh": "元", "en": "CNY"},
    "chart_region": {"zh": "各供电所风险等级分布", "en": "Grades by supply area"},
    "chart_industry": {
        "zh": "各行业风险等级分布（I/II级最多的行业）",
        "en": "Grades by industry (most Grade I/II first)",
    },
    "chart_exposure": {
        "zh": "各供电所风险敞口（I/II级月均电费，元）",
        "en": "Exposure at risk by supply area (monthly bill of Grade I/II, CNY)",
    },
    "chart_warning": {"zh": "A级预警", "en": "warnings"},
    "no_industry": {"zh": "居民/未填行业", "en": "households / no industry"},
    "no_region": {"zh": "未填供电所", "en": "no area"},
    # station reports (reports.stations) ---------------------------------------------------
    "station_title": {
        "zh": "{station}电费回收风险报告",
        "en": "Electricity arrears risk report: {station}",
    },
    "station_more": {"zh": "{first}等{n}个供电所", "en": "{first} and {more} more areas"},
    "station_index_title": {
        "zh": "各供电所电费回收风险报告",
        "en": "Arrears risk reports by supply area",
    },
    "station_index_intro": {
        "zh": "评分日期 {as_of}。每个供电所一份报告，只含本所客户的评分、一户一策和策略卡。",
        "en": "Scored as of {as_of}. One report per supply area, holding only its customers' "
        "scores, plans and cards.",
    },
    "station_report_link": {"zh": "打开报告", "en": "open"},
    "station_total": {"zh": "合计", "en": "Total"},
    "station_company_link": {"zh": "全公司报告", "en": "Company report"},
    "other": {"zh": "其他", "en": "other"},
    "migration_title": {
        "zh": "等级迁移（上期 → 本期）",
        "en": "Grade migration (previous → now)",
    },
    "migration_none": {
        "zh": "未提供上期评分，无法比较等级变化。",
        "en": "No previous scoring given: grade changes cannot be shown.",
    },
    "migration_prev": {"zh": "上期", "en": "previous"},
    "migration_now": {"zh": "本期", "en": "now"},
    "migration_new": {"zh": "新客户", "en": "new"},
    "migration_summary": {
        "zh": "风险上升 {up} 户，下降 {down} 户，新增A级预警 {warn} 户。",
        "en": "Risk up for {up} customers, down for {down}; {warn} new A-level warnings.",
    },
    "worklist_note": {
        "zh": "按预期损失（I级概率 × 月均电费）排序，先处理最大风险。"
        "显示前 {shown} 户，共 {total} 户；完整清单见Excel工作簿。",
        "en": "Sorted by expected loss (probability of Grade I × monthly bill): "
        "biggest risks first. Showing the top {shown} of {total}; the full list is in "
        "the Excel workbook.",
    },
    "cards_note": {
        "zh": "优先级最高的 {shown} 户（共 {total} 户）的策略卡，每户打印一页。",
        "en": "Cards for the {shown} highest-priority customers (of {total}), one "
        "printed page each.",
    },
    "release_note": {
        "zh": "III级、近一年按时缴费的客户，可解除的措施（共 {total} 户，显示前 {shown} 户）。",
        "en": "Grade III customers who paid well for a year: measures that can be "
        "released ({total} customers, top {shown} shown).",
    },
    "empty": {"zh": "无", "en": "none"},
    "print_hint": {
        "zh": "打印本页可得到每户一页的策略卡。",
        "en": "Print this page for one card per page.",
    },
    "card_priority": {"zh": "优先级 {priority}", "en": "Priority {priority}"},
    "card_probs": {"zh": "风险概率", "en": "Probabilities"},
    "card_figures": {"zh": "关键数据", "en": "Key figures"},
    "card_reasons": {"zh": "主要风险原因", "en": "Top reasons"},
    "card_measures": {"zh": "措施", "en": "Measures"},
    "card_people": {"zh": "责任人", "en": "Responsible people"},
    "card_dates": {"zh": "日期", "en": "Dates"},
    "card_why": {"zh": "原因：", "en": "Why: "},
    "card_no_measure": {
        "zh": "无匹配措施：请按策略表复核。",
        "en": "No measure matched: review against the policy.",
    },
    "footer": {
        "zh": "由 arrearsrisk {version} 生成 · 本报告为离线文件，无需联网。",
        "en": "Made by arrearsrisk {version} · an offline file, no network needed.",
    },
    # columns (HTML worklist and Excel) ----------------------------------------------
    "col_priority": {"zh": "优先级", "en": "Priority"},
    "col_customer_id": {"zh": "户号", "en": "Customer"},
    "col_account_name": {"zh": "户名", "en": "Account name"},
    "col_supply_address": {"zh": "用电地址", "en": "Supply address"},
    "col_phone_number": {"zh": "联系电话", "en": "Phone"},
    "col_as_of": {"zh": "评分日期", "en": "As of"},
    "col_region": {"zh": "供电所", "en": "Area"},
    "col_industry": {"zh": "行业", "en": "Industry"},
    "col_category": {"zh": "用电类别", "en": "Category"},
    "col_grade": {"zh": "等级", "en": "Grade"},
    "col_a_warning": {"zh": "A级预警", "en": "A-level warning"},
    "col_p_I": {"zh": "I级概率", "en": "P(Grade I)"},
    "col_p_II": {"zh": "II级概率", "en": "P(Grade II)"},
    "col_p_III": {"zh": "III级概率", "en": "P(Grade III)"},
    "col_p_warning": {"zh": "预警概率", "en": "P(warning)"},
    "col_exposure": {"zh": "月均电费（元）", "en": "Monthly bill (CNY)"},
    "col_arrears": {"zh": "欠费（元）", "en": "Arrears (CNY)"},
    "col_expected_loss": {"zh": "预期损失（元）", "en": "Expected loss (CNY)"},
    "col_deposit": {"zh": "保证金（元）", "en": "Deposit (CNY)"},
    "col_high_hazard": {"zh": "高危客户", "en": "High-hazard"},
    "col_reasons": {"zh": "主要风险原因", "en": "Top reasons"},
    "col_previous_grade": {"zh": "上期等级", "en": "Previous grade"},
    "col_change": {"zh": "变化", "en": "Change"},
    "col_change_text": {"zh": "变化", "en": "Change"},
    "col_review_date": {"zh": "下次复核", "en": "Next review"},
    "col_head": {"zh": "第一责任人", "en": "Head of unit"},
    "col_manager": {"zh": "管理责任人", "en": "Managing person"},
    "col_officer": {"zh": "具体责任人", "en": "Officer"},
    "col_measures": {"zh": "措施", "en": "Measures"},
    "col_measure_code": {"zh": "措施代码", "en": "Measure code"},
    "col_measure": {"zh": "措施", "en": "Measure"},
    "col_reason": {"zh": "适用原因", "en": "Why it applies"},
    "col_explanation": {"zh": "说明", "en": "Explanation"},
    "col_amount": {"zh": "金额（元）", "en": "Amount (CNY)"},
    "col_amount_label": {"zh": "金额说明", "en": "Amount is"},
    "col_step": {"zh": "步骤", "en": "Step"},
    "col_date": {"zh": "日期", "en": "Date"},
    "col_dates": {"zh": "步骤与日期", "en": "Steps and dates"},
    # the station fills these in and feeds them back (arrearsrisk.reports.workbook)
    "col_status": {"zh": "办理状态", "en": "Status"},
    "col_status_date": {"zh": "办理日期", "en": "Status date"},
    "col_status_by": {"zh": "办理人", "en": "Updated by"},
    "status_proposed": {"zh": "待办", "en": "proposed"},
    "status_in_progress": {"zh": "在办", "en": "in progress"},
    "status_done": {"zh": "已办结", "en": "done"},
    "status_waived": {"zh": "免予执行", "en": "waived"},
    "status_pick_title": {"zh": "办理状态", "en": "Status"},
    "status_pick": {
        "zh": "请从下拉列表选择：待办、在办、已办结、免予执行。",
        "en": "Choose from the list: proposed, in progress, done, waived.",
    },
    "status_date_pick": {
        "zh": "请填写日期（年-月-日），不早于评分日期。",
        "en": "Enter a date (YYYY-MM-DD), not before the scoring date.",
    },
    "person_missing": {"zh": "未指定", "en": "not assigned"},
    "sheet_worklist": {"zh": "工作清单", "en": "Worklist"},
    "sheet_measures": {"zh": "措施明细", "en": "Measures"},
    "sheet_release": {"zh": "可解除措施", "en": "Release"},
    "sheet_about": {"zh": "说明", "en": "About"},
    "about_as_of": {"zh": "评分日期", "en": "Scored as of"},
    "about_plans": {"zh": "策略户数", "en": "Customers with a plan"},
    "about_measures": {"zh": "措施条数", "en": "Measures proposed"},
    "about_order": {
        "zh": "工作清单按预期损失（I级概率 × 月均电费）从大到小排序。",
        "en": "The worklist is sorted by expected loss (probability of Grade I × "
        "monthly bill), largest first.",
    },
    # priority, first actions, due dates, overdue (arrearsrisk.plans.priority / status)
    "col_loss_at_risk": {"zh": "风险金额（{unit}）", "en": "Money at risk ({unit})"},
    "kpi_loss_at_risk": {"zh": "风险金额（{unit}）", "en": "Money at risk ({unit})"},
    "col_category_priority": {"zh": "类别内优先级", "en": "Priority in category"},
    "col_jump": {"zh": "优先原因", "en": "Ahead because"},
    "jump_deadline": {"zh": "法定期限临近", "en": "legal deadline near"},
    "jump_warning": {"zh": "A级预警优先", "en": "A-level warning"},
    "col_first_action": {"zh": "首要措施", "en": "First action"},
    "col_first_due": {"zh": "首要措施期限", "en": "First action due"},
    "col_due_date": {"zh": "完成期限", "en": "Due"},
    "col_proposed_date": {"zh": "提出日期", "en": "Proposed"},
    "col_overdue": {"zh": "逾期未办", "en": "Overdue"},
    "worklist_note_risk": {
        "zh": "按风险金额排序：预计到期末（评分后{months}个月另加30天宽限）仍未收回的电费，"
        "单位{unit}，由I级和A级预警概率、欠费和未来{months}个月电费算出；"
        "法定期限临近和A级预警的客户排在前面。显示前 {shown} 户，共 {total} 户；"
        "完整清单见Excel工作簿。",
        "en": "Sorted by money at risk: the bills expected still unpaid at the end of the "
        "horizon ({months} months after scoring plus 30 days' grace), in {unit}, from the "
        "probabilities of Grade I and of an A-level warning, the arrears and the coming "
        "{months} months' bills; legal deadlines and A-level warnings come first. Showing "
        "the top {shown} of {total}; the full list is in the Excel workbook.",
    },
    "category_lists": {"zh": "分类别工作清单", "en": "Worklists by category"},
    "category_list_note": {
        "zh": "{category}：共 {total} 户，显示前 {shown} 户。",
        "en": "{category}: {total} customers, top {shown} shown.",
    },
    "overdue_title": {"zh": "逾期未办措施", "en": "Overdue measures"},
    "overdue_note": {
        "zh": "已过完成期限、尚未办结或免予执行的措施共 {total} 条，显示前 {shown} 条。",
        "en": "{total} measures are past their due date and neither done nor waived; "
        "top {shown} shown.",
    },
    "overdue_none": {"zh": "无逾期未办措施。", "en": "No measure is overdue."},
    "card_first": {"zh": "首要措施", "en": "first action"},
    "card_due": {"zh": "期限 {date}", "en": "due {date}"},
    "card_overdue": {"zh": "已逾期", "en": "overdue"},
    "about_order_risk": {
        "zh": "工作清单按风险金额（{unit}：预计到期末仍未收回的电费）从大到小排序，"
        "法定期限临近和A级预警的客户优先。",
        "en": "The worklist is sorted by money at risk ({unit}: the bills expected still "
        "unpaid at the end of the horizon), largest first; legal deadlines and A-level "
        "warnings come first.",
    },
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    # the workbook's fill-in columns, read back next month (arrearsrisk.reports.workbook)
    "status_date_pick_measure": {
        "zh": "请填写日期（年-月-日），不早于该措施的提出日期。",
        "en": "Enter a date (YYYY-MM-DD), not before the date the measure was proposed.",
    },
    "about_status": {
        "zh": "请在“{sheet}”表逐条填写办理状态、办理日期和办理人；下月评分时将其读回，"
        "已办结或免予执行的措施不再列为待办，超过完成期限仍未办结的标为逾期未办。",
        "en": "Fill in the status, its date and who set it for each measure on the "
        "'{sheet}' sheet; next month's scoring reads them back: measures done or waived "
        "are no longer due, and those past their due date and not done are overdue.",
    },
}
"""Text by key and language; ``{name}`` fields are filled by :func:`text`."""


def text(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang`` with ``fields`` filled in.

    >>> text("change_up", "en", before="II", after="I")
    'risk up II→I'
    """
    template = TEXT[key][lang]
    return template.format(**fields) if fields else template


def money(value: float, digits: int = 0) -> str:
    """An amount with thousands separators; ``-`` when unknown.

    >>> money(35123.4), money(float("nan")), money(0.256, 2)
    ('35,123', '-', '0.26')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"

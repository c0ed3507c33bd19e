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
    # GB/T 4754 industry sections ------------------------------------------------------
    "sec_A": {"zh": "农林牧渔业", "en": "agriculture"},
    "sec_B": {"zh": "采矿业", "en": "mining"},
    "sec_C": {"zh": "制造业", "en": "manufacturing"},
    "sec_D": {"zh": "电力燃气水", "en": "utilities"},
    "sec_E": {"zh": "建筑业", "en": "construction"},
    "sec_F": {"zh": "批发零售业", "en": "wholesale and retail"},
    "sec_G": {"zh": "交通运输仓储", "en": "transport and storage"},
    "sec_H": {"zh": "住宿餐饮业", "en": "hotels and catering"},
    "sec_I": {"zh": "信息技术服务", "en": "information services"},
    "sec_J": {"zh": "金融业", "en": "finance"},
    "sec_K": {"zh": "房地产业", "en": "real estate"},
    "sec_L": {"zh": "租赁和商务服务", "en": "business services"},
    "sec_M": {"zh": "科研技术服务", "en": "research"},
    "sec_N": {"zh": "水利环境公共设施", "en": "water and environment"},
    "sec_O": {"zh": "居民服务修理", "en": "resident services"},
    "sec_P": {"zh": "教育", "en": "education"},
    "sec_Q": {"zh": "卫生和社会工作", "en": "health"},
    "sec_R": {"zh": "文体娱乐业", "en": "culture and sports"},
    "sec_S": {"zh": "公共管理", "en": "public administration"},
    "sec_T": {"zh": "国际组织", "en": "international bodies"},
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
    "col_exposure": {"zh": "月均电费(元)", "en": "Monthly bill (CNY)"},
    "col_arrears": {"zh": "欠费(元)", "en": "Arrears (CNY)"},
    "col_expected_loss": {"zh": "预期损失(元)", "en": "Expected loss (CNY)"},
    "col_deposit": {"zh": "保证金(元)", "en": "Deposit (CNY)"},
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
    "col_amount": {"zh": "金额(元)", "en": "Amount (CNY)"},
    "col_amount_label": {"zh": "金额说明", "en": "Amount is"},
    "col_step": {"zh": "步骤", "en": "Step"},
    "col_date": {"zh": "日期", "en": "Date"},
    "col_dates": {"zh": "步骤与日期", "en": "Steps and dates"},
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
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
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

"""The words of the monitoring page, in Chinese and English, in one place.

Check names, items, verdicts and segments come from :mod:`arrearsrisk.monitoring.texts`;
this module holds the page's own headings, notes and the plain-word descriptions of a
flag (:func:`flag_words`).

Examples
--------
>>> page_text("kpi_alerts", "zh"), page_text("kpi_alerts", "en")
('告警', 'Alerts')
>>> flag_words("grade_I_share", "grade_I", 0.044, 0.01, "all", "zh")
'I级客户占比较参照期同月上升 4.4 个百分点（关注线 1.0 个百分点）'
>>> flag_words("performance", "grade_I_precision", 0.55, 0.62, "region=N", "en")
'Grade I precision 55.0%, backtest 62.0%'
>>> flag_words("feature_drift", "late_streak, kwh_mean_3m", 0.4, 0.1, "all", "zh")
'变动最大的特征：连续逾期期数、月均用电量（近3个月）；最大 PSI 0.40（关注线 0.10）'
"""

from __future__ import annotations

import math
from typing import Any, Final

from arrearsrisk.monitoring.texts import feature_label, item_label
from arrearsrisk.vocabulary import check_lang

__all__ = ["PAGE_TEXT", "flag_words", "page_text"]

PAGE_TEXT: Final[dict[str, dict[str, str]]] = {
    "title": {"zh": "电费风险模型运行监测报告", "en": "Arrears risk model monitoring report"},
    "subtitle": {
        "zh": "模型 {model} · 监测月份 {first} 至 {last}（共 {months} 个月，{matured} 个月已到期）"
        " · 参照期 {ref}",
        "en": "Model {model} · months {first} to {last} ({months} months, {matured} matured)"
        " · reference {ref}",
    },
    "nav_flags": {"zh": "预警汇总", "en": "Flags"},
    "nav_precision": {"zh": "模型精确率", "en": "Precision"},
    "nav_strips": {"zh": "逐月监测", "en": "Month by month"},
    "nav_segments": {"zh": "分组说明", "en": "Segments"},
    "kpi_months": {"zh": "监测月份", "en": "Months monitored"},
    "kpi_months_sub": {"zh": "{matured} 个月已到期", "en": "{matured} matured"},
    "kpi_alerts": {"zh": "告警", "en": "Alerts"},
    "kpi_watches": {"zh": "关注", "en": "Watches"},
    "kpi_flag_sub": {
        "zh": "分组×检查项（实际），最近一月 {latest} 项",
        "en": "segment × check (realised); {latest} in the last month",
    },
    "kpi_est_alerts": {"zh": "预估表现告警", "en": "Estimated performance alerts"},
    "kpi_est_alerts_sub": {
        "zh": "预估，待结果确认；关注 {watches} 项",
        "en": "estimates, to be confirmed by outcomes; {watches} watches",
    },
    "headline_split": {
        "zh": "实际表现告警 {alerts} 项、关注 {watches} 项；"
        "预估表现告警 {est_alerts} 项、关注 {est_watches} 项（预估，待结果确认）。",
        "en": "Realised: alerts {alerts}, watches {watches}; estimated performance: "
        "alerts {est_alerts}, watches {est_watches} (estimates, to be confirmed by the "
        "outcomes).",
    },
    "headline_real": {
        "zh": "实际表现告警 {alerts} 项、关注 {watches} 项。",
        "en": "Realised: alerts {alerts}, watches {watches}.",
    },
    "kpi_precision": {"zh": "I级精确率（最近到期月）", "en": "Grade I precision (last matured)"},
    "kpi_precision_sub": {"zh": "回测 {backtest}", "en": "backtest {backtest}"},
    "kpi_estimated": {"zh": "I级精确率预估（最近一月）", "en": "Grade I precision, estimated"},
    "kpi_estimated_sub": {"zh": "{month}，尚未到期", "en": "{month}, not matured"},
    "flags_title": {"zh": "预警汇总（告警优先）", "en": "Flags, alerts first"},
    "flags_note": {
        "zh": "每个分组和检查项首次达到“关注”或“告警”的月份；同一分组同时出现多项时，"
        "优先核查“实际欠费情况”和“I级客户占比”。",
        "en": "The first month each segment and check reached watch or alert; where a "
        "segment has several, look first at observed arrears and the Grade I share.",
    },
    "flags_none": {
        "zh": "监测期内所有检查项均为“稳定”，无需处理。",
        "en": "Every check stayed stable over the months monitored: nothing to act on.",
    },
    "col_level": {"zh": "最高级别", "en": "Worst"},
    "col_segment": {"zh": "分组", "en": "Segment"},
    "col_check": {"zh": "检查项目", "en": "Check"},
    "col_first": {"zh": "首次月份", "en": "First month"},
    "col_months": {"zh": "预警月数", "en": "Months flagged"},
    "col_latest": {"zh": "最近一月", "en": "Last month"},
    "col_what": {"zh": "情况说明", "en": "What moved"},
    "flags_more": {
        "zh": "仅列出前 {shown} 项，共 {total} 项；完整明细见 monitoring.csv。",
        "en": "The first {shown} of {total}; monitoring.csv holds them all.",
    },
    "precision_title": {
        "zh": "I级精确率：实际与预估",
        "en": "Grade I precision: realised and estimated",
    },
    "precision_note": {
        "zh": "实际值：结果已到期的月份，I级客户中实际发生严重逾期（实际为I级）的比例；"
        "预估值：根据校准概率推算，未到期月份也可得到；虚线为训练时的回测值。",
        "en": "Realised: among customers graded I, the share whose outcome (once matured) "
        "was Grade I; estimated: from the calibrated probabilities, for every month; "
        "the dotted line is the backtest figure of the training.",
    },
    "legend_realised": {"zh": "实际（已到期）", "en": "realised (matured)"},
    "legend_estimated": {"zh": "预估（待结果确认）", "en": "estimated (to be confirmed)"},
    "legend_backtest": {"zh": "回测", "en": "backtest"},
    "strips_title": {"zh": "逐月监测（按检查项）", "en": "Month by month, per check"},
    "strips_note": {
        "zh": "每行一个分组，每列一个月；颜色为结论，格中为数值，鼠标悬停可看明细。"
        "带斜纹并标“估”的格为预估值（结果尚未到期）。",
        "en": "One row per segment, one column per month; the colour is the verdict, the "
        "number the value; hover for details. Hatched cells marked 'est.' are estimates "
        "(outcome not matured yet).",
    },
    "strips_events": {
        "zh": "表现类指标的事件（实际或预期的I级客户、A级预警客户；精确率为被判定的客户）"
        "少于 {n} 个时不作判断，显示为灰色“数据不足”。",
        "en": " A performance figure resting on fewer than {n} events (observed or expected "
        "Grade I or warning customers; for a precision, the customers flagged) is not "
        "judged: grey, 'insufficient data'.",
    },
    "estimated_mark": {"zh": "估", "en": "est."},
    "estimated_tag": {"zh": "预估", "en": "estimated"},
    "estimated_words": {
        "zh": "预估：{words}（待结果确认）",
        "en": "estimate: {words} (to be confirmed)",
    },
    "tip_estimated": {
        "zh": "预估值（结果尚未到期，根据校准概率推算）",
        "en": "estimate (outcome not matured; from the calibrated probabilities)",
    },
    "feature_ids": {
        "zh": "特征编码（供数据分析人员查阅）",
        "en": "feature ids, for data scientists",
    },
    "strip_estimated_count": {"zh": "其中预估 {n} 项", "en": "{n} of them estimated"},
    "legend_estimated_cell": {
        "zh": "估 = 预估值（斜纹，待结果确认）",
        "en": "est. = estimate (hatched, to be confirmed)",
    },
    "legend_insufficient": {"zh": "数据不足", "en": "insufficient data"},
    "legend_insufficient_long": {
        "zh": "数据不足（事件少于 {n} 个，不作判断）",
        "en": "insufficient data (fewer than {n} events, not judged)",
    },
    "legend_none": {"zh": "无数据", "en": "no data"},
    "unit_psi": {"zh": "格中为 PSI", "en": "cells: PSI"},
    "unit_pp": {
        "zh": "格中为相对参照期的变动（百分点，分组为超出全部客户变动的部分）",
        "en": "cells: change on the reference in percentage points (segments: beyond the "
        "portfolio's change)",
    },
    "unit_drift": {"zh": "格中为变动最大特征的 PSI", "en": "cells: PSI of the largest mover"},
    "unit_performance": {
        "zh": "格中为 I级精确率；结论综合 I级的 AUC、KS、精确率、召回率和校准",
        "en": "cells: Grade I precision; the verdict weighs Grade I's AUC, KS, precision, "
        "recall and calibration",
    },
    "unit_warning": {
        "zh": "格中为 A级预警精确率；结论综合 AUC、精确率、召回率和校准",
        "en": "cells: warning precision; the verdict weighs AUC, precision, recall and calibration",
    },
    "strip_performance": {
        "zh": "I级客户模型表现（已到期为实际，未到期为预估）",
        "en": "Grade I performance (realised once matured, estimated before)",
    },
    "strip_warning_performance": {
        "zh": "A级预警表现（已到期为实际，未到期为预估）",
        "en": "A-level warning performance (realised once matured, estimated before)",
    },
    "unit_error": {
        "zh": "格中为 I级精确率预估减实际（百分点）",
        "en": "cells: estimated minus realised Grade I precision (points)",
    },
    "unit_quality": {"zh": "格中为最差一项的比例", "en": "cells: the share of the worst item"},
    "unit_volume": {"zh": "格中为客户数相对参照期的变化", "en": "cells: change of customers"},
    "segments_title": {"zh": "分组说明", "en": "Segments"},
    "segments_judged": {
        "zh": "判断的分组共 {n} 个（全部客户、供电所、用电类别、行业门类及供电所×用电类别，"
        "含合并后的“其他”分组）。",
        "en": "{n} segments judged (the portfolio, stations, usage categories, industry "
        "sections and station × category, pools included).",
    },
    "segments_pooled": {
        "zh": "客户数不足 {min} 户的分组合并判断：",
        "en": "Segments with fewer than {min} customers are judged pooled:",
    },
    "segments_skipped": {
        "zh": "合并后仍不足 {min} 户、未作判断的分组：",
        "en": "Segments still under {min} customers once pooled, not judged:",
    },
    "segments_none": {"zh": "无", "en": "none"},
    "pooled_into": {"zh": "{members} → {pool}", "en": "{members} → {pool}"},
    "how_title": {"zh": "判断方法", "en": "How verdicts are reached"},
    "how_1": {
        "zh": "同月比较：每月与参照期（模型训练月份）的同一自然月比较，冬季比冬季。",
        "en": "Same calendar month: each month against the same month of the reference "
        "(the model's training months); winter against winter.",
    },
    "how_2": {
        "zh": "分组相对全部客户：分组的变动扣除全部客户同月的整体变动，"
        "全局季节性变化不会误判为某个供电所的问题。",
        "en": "A segment against the portfolio: a segment's movement net of the whole "
        "portfolio's in the same month, so a season that moves everyone is not a local flag.",
    },
    "how_3": {
        "zh": "超出偶然波动：变动既要超过关注线或告警线，又要在统计上显著（考虑分组规模）。",
        "en": "Beyond chance: a movement must pass the watch or alert line and be "
        "significant for the segment's size.",
    },
    "footer": {
        "zh": "arrearsrisk {version} · 模型监测 · 本页离线可用，不含脚本与外部链接",
        "en": "arrearsrisk {version} · model monitoring · this page works offline, "
        "with no script and no external link",
    },
}
"""The page's own words."""

_PP_CHECKS = {"score_shift", "grade_I_share", "arrears"}
_PSI_CHECKS = {"score_psi", "grade_mix_psi", "feature_drift"}
_PERFORMANCE = {"performance", "estimated_performance"}

_WORDS: Final[dict[str, dict[str, str]]] = {
    "psi": {
        "zh": "{item} PSI {value}（关注线 {threshold}）",
        "en": "PSI of {item} {value} (watch line {threshold})",
    },
    "drift": {
        "zh": "变动最大的特征：{item}；最大 PSI {value}（关注线 {threshold}）",
        "en": "largest movers: {item}; largest PSI {value} (watch line {threshold})",
    },
    "pp_all": {
        "zh": "{item}较参照期同月{way} {value} 个百分点（关注线 {threshold} 个百分点）",
        "en": "{item} {way} {value} points on the reference's same month (watch line "
        "{threshold} points)",
    },
    "pp_segment": {
        "zh": "{item}比全部客户多{way} {value} 个百分点（关注线 {threshold} 个百分点）",
        "en": "{item} {way} {value} points beyond the portfolio (watch line {threshold} points)",
    },
    "performance": {
        "zh": "{item} {value}，回测 {threshold}",
        "en": "{item} {value}, backtest {threshold}",
    },
    "error": {
        "zh": "{item}预估与实际相差 {value}",
        "en": "{item}: estimated minus realised {value}",
    },
    "share": {
        "zh": "{item} {value}（关注线 {threshold}）",
        "en": "{item} {value} (watch line {threshold})",
    },
    "volume": {
        "zh": "客户数较参照期变化 {value}（关注线 ±{threshold}）",
        "en": "customers changed {value} on the reference (watch line ±{threshold})",
    },
    "up": {"zh": "上升", "en": "rose"},
    "down": {"zh": "下降", "en": "fell"},
}


def page_text(key: str, lang: str = "zh", **values: object) -> str:
    """The page's text ``key`` in ``lang``, with ``values`` filled in."""
    check_lang(lang)
    return PAGE_TEXT[key][lang].format(**values)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _number(value: float, fmt: str) -> str:
    return "-" if value is None or not math.isfinite(value) else format(value, fmt)


def flag_words(
    check: str, item: str, value: Any, threshold: Any, segment: str, lang: str = "zh"
) -> str:
    """What a flagged row says, in plain words (values formatted for the check)."""
    check_lang(lang)
    value = _float(value)
    threshold = _float(threshold)
    if check == "feature_drift":
        sep = "、" if lang == "zh" else ", "
        names = sep.join(feature_label(s.strip(), lang) for s in item.split(",") if s.strip())
        return _WORDS["drift"][lang].format(
            item=names, value=_number(value, ".2f"), threshold=_number(threshold, ".2f")
        )
    label = item_label(item, lang)
    if check in _PSI_CHECKS:
        key, v, t = "psi", _number(value, ".2f"), _number(threshold, ".2f")
    elif check in _PP_CHECKS:
        key = "pp_all" if segment == "all" else "pp_segment"
        way = _WORDS["up" if not value < 0 else "down"][lang]
        return _WORDS[key][lang].format(
            item=label,
            way=way,
            value=_number(abs(value) * 100, ".1f"),
            threshold=_number(threshold * 100, ".1f"),
        )
    elif check in _PERFORMANCE and item.endswith("_calibration"):
        key, v, t = "share", _number(value, "+.1%"), _number(threshold, ".1%")
    elif check in _PERFORMANCE:
        key, v, t = "performance", _number(value, ".1%"), _number(threshold, ".1%")
        if item.endswith(("_auc", "_ks")):
            v, t = _number(value, ".3f"), _number(threshold, ".3f")
    elif check == "estimate_error":
        key, v, t = "error", _number(value, "+.1%"), ""
    elif check == "volume":
        key, v, t = "volume", _number(value, "+.0%"), _number(threshold, ".0%")
    else:
        key, v, t = "share", _number(value, ".1%"), _number(threshold, ".1%")
    return _WORDS[key][lang].format(item=label, value=v, threshold=t)

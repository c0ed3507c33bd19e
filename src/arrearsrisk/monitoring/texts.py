"""What a manager reads about monitoring, in Chinese and English, in one place.

Check names, items, verdicts and segment kinds, looked up by key like
:data:`arrearsrisk.i18n.TEXT`; a test checks that every check the monitor writes has
both languages.

Examples
--------
>>> check_label("score_shift", "zh"), verdict_label("alert", "en")
('评分均值偏移（相对全部客户的变动）', 'alert')
>>> segment_label("region=Nanhu & category=industrial", "zh")
'供电所 Nanhu · 工业'
>>> feature_label("late_bills_count_12m", "zh"), feature_label("late_bills_count_12m", "en")
('逾期缴费笔数（近12个月）', 'bills paid late (12 months)')
"""

from __future__ import annotations

import re
from typing import Final

from arrearsrisk.i18n import text
from arrearsrisk.monitoring.segments import ALL, OTHER
from arrearsrisk.vocabulary import check_lang

__all__ = [
    "CHECK_TEXT",
    "FEATURE_TEXT",
    "ITEM_TEXT",
    "KIND_TEXT",
    "VERDICT_TEXT",
    "check_label",
    "feature_label",
    "item_label",
    "segment_label",
    "verdict_label",
]

CHECK_TEXT: Final[dict[str, dict[str, str]]] = {
    "score_psi": {"zh": "评分分布稳定性（p_I 的PSI）", "en": "score stability (PSI of p_I)"},
    "grade_mix_psi": {"zh": "风险等级结构稳定性（PSI）", "en": "grade mix stability (PSI)"},
    "feature_psi": {"zh": "特征稳定性（PSI/CSI）", "en": "feature stability (PSI/CSI)"},
    "feature_drift": {
        "zh": "特征漂移汇总（变动最大的特征）",
        "en": "feature drift (largest movers)",
    },
    "score_shift": {
        "zh": "评分均值偏移（相对全部客户的变动）",
        "en": "mean p_I shift (beyond the portfolio's)",
    },
    "grade_I_share": {"zh": "I级客户占比变化", "en": "Grade I share shift"},
    "arrears": {"zh": "实际欠费情况", "en": "observed arrears"},
    "grade_migration": {
        "zh": "风险等级迁移（上月→本月）",
        "en": "grade migration (last month → now)",
    },
    "performance": {"zh": "已到期月份的模型表现", "en": "matured performance"},
    "estimated_performance": {
        "zh": "未到期月份的预估表现（基于校准概率）",
        "en": "estimated performance (from calibrated probabilities)",
    },
    "estimate_error": {"zh": "预估与实际表现之差", "en": "estimated minus realised"},
    "data_quality": {"zh": "数据质量", "en": "data quality"},
    "volume": {"zh": "客户数量变化", "en": "customer volume"},
}
"""Each check's name."""

ITEM_TEXT: Final[dict[str, dict[str, str]]] = {
    "p_I": {"zh": "I级概率 p_I", "en": "p_I"},
    "grade": {"zh": "等级结构", "en": "grade mix"},
    "mean_p_I": {"zh": "p_I 均值", "en": "mean p_I"},
    "grade_I": {"zh": "I级客户占比", "en": "Grade I share"},
    "share": {"zh": "欠费客户占比", "en": "share of customers in arrears"},
    "amount": {"zh": "欠费金额（元）", "en": "amount overdue (CNY)"},
    "feature_missing": {"zh": "特征缺失率", "en": "feature missing share"},
    "estimated": {"zh": "估抄电量账单占比", "en": "share of bills on estimated readings"},
    "no_bill": {"zh": "本月无账单客户占比", "en": "share of customers without a bill"},
    "customers": {"zh": "客户数（相对参照期变化）", "en": "customers (change on the reference)"},
    "up": {"zh": "风险上升客户占比", "en": "share moving to higher risk"},
    "down": {"zh": "风险下降客户占比", "en": "share moving to lower risk"},
    "grade_I_auc": {"zh": "I级 AUC", "en": "Grade I AUC"},
    "grade_I_ks": {"zh": "I级 KS", "en": "Grade I KS"},
    "grade_I_precision": {"zh": "I级精确率", "en": "Grade I precision"},
    "grade_I_recall": {"zh": "I级召回率", "en": "Grade I recall"},
    "warning_auc": {"zh": "A级预警 AUC", "en": "warning AUC"},
    "warning_precision": {"zh": "A级预警精确率", "en": "warning precision"},
    "warning_recall": {"zh": "A级预警召回率", "en": "warning recall"},
    "grade_I_rate": {"zh": "I级实际占比", "en": "Grade I rate"},
    "grade_I_predicted_rate": {"zh": "I级预测占比", "en": "Grade I predicted rate"},
    "warning_rate": {"zh": "A级预警实际占比", "en": "warning rate"},
    "warning_predicted_rate": {"zh": "A级预警预测占比", "en": "warning predicted rate"},
    "grade_I_calibration": {"zh": "I级校准偏差（实际−预测）", "en": "Grade I calibration gap"},
    "warning_calibration": {"zh": "A级预警校准偏差", "en": "warning calibration gap"},
}
"""Items of the checks (features are named by their own names)."""

VERDICT_TEXT: Final[dict[str, dict[str, str]]] = {
    "stable": {"zh": "稳定", "en": "stable"},
    "watch": {"zh": "关注", "en": "watch"},
    "alert": {"zh": "告警", "en": "alert"},
}
"""The verdicts."""

FEATURE_TEXT: Final[dict[str, dict[str, str]]] = {
    # payments
    "bills_due_count": {"zh": "应缴电费笔数", "en": "bills due"},
    "late_bills_count": {"zh": "逾期缴费笔数", "en": "bills paid late"},
    "late_bills_share": {"zh": "逾期缴费占比", "en": "share of bills paid late"},
    "serious_late_bills_count": {"zh": "严重逾期笔数", "en": "bills seriously late"},
    "serious_late_bills_share": {"zh": "严重逾期占比", "en": "share of bills seriously late"},
    "days_late_mean": {"zh": "平均逾期天数", "en": "mean days late"},
    "days_late_max": {"zh": "最长逾期天数", "en": "most days late"},
    "open_balance": {"zh": "未结清电费金额", "en": "unpaid balance"},
    "arrears_amount": {"zh": "欠费金额", "en": "amount in arrears"},
    "arrears_to_bill_ratio": {"zh": "欠费相当于月电费倍数", "en": "arrears in months of bills"},
    "overdue_bills_open": {"zh": "逾期未缴电费笔数", "en": "overdue bills unpaid"},
    "oldest_overdue_days": {"zh": "最早欠费逾期天数", "en": "days the oldest bill is overdue"},
    "late_streak": {"zh": "连续逾期期数", "en": "bills late in a row"},
    "on_time_streak": {"zh": "连续按时缴费期数", "en": "bills on time in a row"},
    "days_since_last_late": {"zh": "距上次逾期天数", "en": "days since the last late bill"},
    "days_since_last_payment": {"zh": "距上次缴费天数", "en": "days since the last payment"},
    "payments_count": {"zh": "缴费次数", "en": "payments"},
    "paid_to_billed_ratio": {"zh": "实缴占应缴比例", "en": "share of the billed amount paid"},
    "partial_payments_share": {"zh": "未缴清的缴费占比", "en": "share of partial payments"},
    "pay_day_of_month_mean": {"zh": "平均缴费日", "en": "mean day of month paid"},
    "paid_in_window_share": {"zh": "缴费期内缴费占比", "en": "share paid in the payment window"},
    "days_issue_to_settlement_mean": {
        "zh": "出账至结清平均天数",
        "en": "mean days from bill to settlement",
    },
    "channel_share_counter": {"zh": "营业厅柜台缴费占比", "en": "share paid at the counter"},
    "channel_share_bank_debit": {"zh": "银行代扣缴费占比", "en": "share paid by bank debit"},
    "channel_share_online": {"zh": "网上缴费占比", "en": "share paid online"},
    "channel_share_kiosk": {"zh": "自助终端缴费占比", "en": "share paid at kiosks"},
    "channel_share_agent": {"zh": "代收点缴费占比", "en": "share paid at agents"},
    "channel_share_prepaid": {"zh": "预付费缴费占比", "en": "share paid in advance (prepaid)"},
    "channel_share_other": {"zh": "其他方式缴费占比", "en": "share paid by other means"},
    # consumption
    "kwh_mean": {"zh": "月均用电量", "en": "mean monthly consumption"},
    "kwh_ratio_3m_to_12m": {
        "zh": "近3个月用电量与近12个月均值之比",
        "en": "consumption of 3 months to the 12-month mean",
    },
    "kwh_trend": {"zh": "用电量月变化趋势", "en": "consumption trend"},
    "kwh_cv": {"zh": "用电量波动（变异系数）", "en": "consumption variability (CV)"},
    "kwh_zero_months": {"zh": "零用电月数", "en": "months of zero consumption"},
    "kwh_yoy_ratio": {"zh": "用电量同比", "en": "consumption on a year ago"},
    "kwh_seasonal_amplitude": {"zh": "用电季节性幅度", "en": "seasonal swing of consumption"},
    "kwh_months_known": {"zh": "有抄表记录月数", "en": "months with readings"},
    # billing
    "bill_amount_mean": {"zh": "月均电费", "en": "mean monthly bill"},
    "bill_amount_last": {"zh": "最近一期电费", "en": "last bill"},
    "bill_amount_cv": {"zh": "电费波动（变异系数）", "en": "bill variability (CV)"},
    "bill_amount_max_to_mean": {"zh": "最高月电费与均值之比", "en": "highest bill to the mean"},
    "bill_amount_swing": {"zh": "电费环比波动", "en": "month-to-month bill swing"},
    "bills_issued_count": {"zh": "出账笔数", "en": "bills issued"},
    "correction_bills_count": {"zh": "退补电费笔数", "en": "correction bills"},
    "billing_history_months": {"zh": "电费记录月数", "en": "months of billing history"},
    # account
    "category": {"zh": "用电类别", "en": "usage category"},
    "industry": {"zh": "所属行业", "en": "trade (industry)"},
    "industry_section": {"zh": "行业门类", "en": "industry section"},
    "region": {"zh": "供电所（供电区域）", "en": "supply station (area)"},
    "voltage_kv": {"zh": "供电电压（千伏）", "en": "supply voltage (kV)"},
    "capacity_kva": {"zh": "合同容量（千伏安）", "en": "contracted capacity (kVA)"},
    "tenure_months": {"zh": "开户月数", "en": "account age (months)"},
    "high_energy": {"zh": "是否高耗能行业", "en": "high-energy industry"},
    "restricted": {"zh": "是否限制类产业", "en": "restricted industry"},
    "prepaid": {"zh": "是否预付费表", "en": "prepaid meter"},
    "tenant": {"zh": "是否租户缴费", "en": "tenant pays"},
    "budget_funded": {"zh": "是否财政拨款单位", "en": "budget-funded unit"},
    "guarantee": {"zh": "是否签订电费担保", "en": "guarantee contract"},
    "contact_ok": {"zh": "联系方式是否有效", "en": "valid mobile number"},
    "in_group": {"zh": "是否集团户成员", "en": "member of a group customer"},
    "deposit": {"zh": "电费保证金", "en": "security deposit"},
    "deposit_to_bill_ratio": {"zh": "保证金覆盖电费月数", "en": "deposit in months of bills"},
    # peers
    "industry_arrears_rate": {"zh": "同行业严重欠费率", "en": "industry's arrears rate"},
    "region_arrears_rate": {"zh": "本供电区域严重欠费率", "en": "supply area's arrears rate"},
    "group_size": {"zh": "集团户户数", "en": "accounts in the group"},
    # quality
    "estimated_share": {"zh": "估抄占比", "en": "share of estimated readings"},
    "estimated_count": {"zh": "估抄次数", "en": "estimated readings"},
    # trends
    "days_late_change": {"zh": "平均逾期天数变化", "en": "change of mean days late"},
    "payment_timing_drift": {"zh": "结清时间变化", "en": "shift of settlement timing"},
    "months_since_kwh_drop": {
        "zh": "距用电量同比大幅下降月数",
        "en": "months since consumption fell on a year ago",
    },
    "kwh_season_ahead_ratio": {
        "zh": "往年同期未来用电比",
        "en": "coming months' consumption in past years",
    },
    "estimated_late_share": {"zh": "估抄电费逾期占比", "en": "share of estimated bills paid late"},
}
"""A short readable name per feature, keyed by name or by stem (the name without its
window ``_12m``; :func:`feature_label` appends the window).  A test checks that every
feature of the registered families has one in both languages."""

KIND_TEXT: Final[dict[str, dict[str, str]]] = {
    "all": {"zh": "全部客户", "en": "whole portfolio"},
    "region": {"zh": "供电所", "en": "region"},
    "category": {"zh": "用电类别", "en": "category"},
    "industry_section": {"zh": "行业门类", "en": "industry section"},
    "other": {"zh": "其他（合并）", "en": "other (pooled)"},
}
"""Segment kinds."""


def _lookup(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    check_lang(lang)
    return table[key][lang] if key in table else key


def check_label(check: str, lang: str = "zh") -> str:
    """The name of a check (the key itself if unknown)."""
    return _lookup(CHECK_TEXT, check, lang)


def item_label(item: str, lang: str = "zh") -> str:
    """The name of an item: a check's item, a feature's readable name
    (:func:`feature_label`), else the item itself."""
    check_lang(lang)
    if item in ITEM_TEXT:
        return ITEM_TEXT[item][lang]
    return feature_label(item, lang)


_WINDOW = re.compile(r"^(?P<stem>.+)_(?P<w>\d+)m$")

_WINDOW_TEXT: Final[dict[str, str]] = {"zh": "（近{w}个月）", "en": " ({w} months)"}


def feature_label(name: str, lang: str = "zh") -> str:
    """A feature's short readable name: :data:`FEATURE_TEXT` by name, else by stem with
    the window appended ("（近12个月）" / " (12 months)"), else the name itself (an extra
    customer column, a family registered by a user).

    >>> feature_label("kwh_yoy_ratio_1m", "en"), feature_label("my_column", "zh")
    ('consumption on a year ago (1 month)', 'my_column')
    """
    check_lang(lang)
    if name in FEATURE_TEXT:
        return FEATURE_TEXT[name][lang]
    found = _WINDOW.match(name)
    if found and found["stem"] in FEATURE_TEXT:
        w = int(found["w"])
        window = _WINDOW_TEXT[lang].format(w=w)
        if lang == "en" and w == 1:
            window = " (1 month)"
        return FEATURE_TEXT[found["stem"]][lang] + window
    return name


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """The verdict in words."""
    return _lookup(VERDICT_TEXT, verdict, lang)


def segment_label(key: str, lang: str = "zh") -> str:
    """A segment key in words: ``"region=Nanhu"`` -> ``"供电所 Nanhu"``."""
    check_lang(lang)
    if key == ALL:
        return KIND_TEXT[ALL][lang]
    parts = []
    for part in key.split(" & "):
        kind, _, value = part.partition("=")
        if value == OTHER:
            parts.append(f"{_lookup(KIND_TEXT, kind, lang)} {KIND_TEXT['other'][lang]}")
        elif kind == "category" and f"cat_{value}" in _CATEGORIES:
            parts.append(text(f"cat_{value}", lang))
        else:
            parts.append(f"{_lookup(KIND_TEXT, kind, lang)} {value}")
    return " · ".join(parts)


_CATEGORIES = frozenset(
    f"cat_{c}"
    for c in ("residential", "commercial", "industrial", "agricultural", "public", "temporary")
)

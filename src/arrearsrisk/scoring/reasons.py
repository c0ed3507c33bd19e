"""Readable reasons: a customer's top risk drivers as text, in Chinese or English.

The drivers are the features with the largest positive contributions (LightGBM's
per-feature SHAP values, log-odds of Grade I) for that customer; each is rendered
with the customer's own value, e.g. ``近12个月有7笔电费逾期超过30天`` /
``7 bills paid more than 30 days late in the last 12 months``.

Templates are keyed by feature stem (``serious_late_bills_count`` for
``serious_late_bills_count_12m``); ``{v}`` is the value and ``{w}`` the window in
months.  Extra customer attributes without a template read ``name: value``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError

__all__ = ["LANGUAGES", "describe", "top_reasons"]

LANGUAGES = ("zh", "en")

_CHANNEL_ZH = {
    "counter": "营业厅柜台",
    "bank_debit": "银行代扣",
    "online": "网上缴费",
    "kiosk": "自助终端",
    "agent": "代收点",
    "prepaid": "预付费",
    "other": "其他方式",
}

# stem: (zh, en); {v} value, {w} window months
_NUMERIC: dict[str, tuple[str, str]] = {
    "bills_due_count": ("近{w}个月应缴电费{v:.0f}笔", "{v:.0f} bills due in the last {w} months"),
    "late_bills_count": (
        "近{w}个月有{v:.0f}笔电费逾期缴纳",
        "{v:.0f} bills paid late in the last {w} months",
    ),
    "late_bills_share": (
        "近{w}个月{v:.0%}的电费逾期缴纳",
        "{v:.0%} of bills paid late in the last {w} months",
    ),
    "serious_late_bills_count": (
        "近{w}个月有{v:.0f}笔电费逾期超过30天",
        "{v:.0f} bills paid more than 30 days late in the last {w} months",
    ),
    "serious_late_bills_share": (
        "近{w}个月{v:.0%}的电费逾期超过30天",
        "{v:.0%} of bills more than 30 days late in the last {w} months",
    ),
    "days_late_mean": (
        "近{w}个月电费平均逾期{v:.0f}天",
        "bills {v:.0f} days late on average over {w} months",
    ),
    "days_late_max": (
        "近{w}个月最长逾期{v:.0f}天",
        "a bill up to {v:.0f} days late in the last {w} months",
    ),
    "open_balance": ("当前未结清电费{v:,.0f}元", "CNY {v:,.0f} billed and not yet paid"),
    "arrears_amount": ("当前欠费{v:,.0f}元", "CNY {v:,.0f} overdue and unpaid"),
    "arrears_to_bill_ratio": (
        "欠费相当于{v:.1f}个月电费",
        "arrears equal to {v:.1f} months of bills",
    ),
    "overdue_bills_open": ("{v:.0f}笔电费逾期未缴", "{v:.0f} overdue bills unpaid"),
    "oldest_overdue_days": (
        "最早一笔欠费已逾期{v:.0f}天",
        "oldest unpaid bill {v:.0f} days overdue",
    ),
    "late_streak": ("连续{v:.0f}期电费逾期", "{v:.0f} bills in a row paid late"),
    "on_time_streak": ("仅连续按时缴费{v:.0f}期", "only {v:.0f} bills in a row paid on time"),
    "days_since_last_late": ("{v:.0f}天前刚有逾期", "last late bill {v:.0f} days ago"),
    "days_since_last_payment": ("已{v:.0f}天未缴费", "no payment for {v:.0f} days"),
    "payments_count": ("近{w}个月仅缴费{v:.0f}次", "only {v:.0f} payments in the last {w} months"),
    "paid_to_billed_ratio": (
        "近{w}个月缴费仅为应缴的{v:.0%}",
        "paid {v:.0%} of the amount billed in {w} months",
    ),
    "partial_payments_share": (
        "近{w}个月{v:.0%}的缴费未缴清欠费",
        "{v:.0%} of payments in {w} months left overdue bills open",
    ),
    "pay_day_of_month_mean": (
        "平均在每月{v:.0f}日才缴费",
        "pays on day {v:.0f} of the month on average",
    ),
    "paid_in_window_share": (
        "仅{v:.0%}的缴费在每月1-10日缴费期内",
        "only {v:.0%} of payments in the 1st-10th payment window",
    ),
    "days_issue_to_settlement_mean": (
        "出账后平均{v:.0f}天才结清",
        "bills settled {v:.0f} days after issue on average",
    ),
    "kwh_mean": (
        "近{w}个月月均用电{v:,.0f}千瓦时",
        "{v:,.0f} kWh a month over the last {w} months",
    ),
    "kwh_ratio_3m_to_12m": (
        "近3个月用电量为近12个月平均的{v:.0%}",
        "last 3 months' consumption at {v:.0%} of the 12-month average",
    ),
    "kwh_trend": (
        "近{w}个月用电量每月变化{v:+.1%}",
        "consumption changing {v:+.1%} a month over {w} months",
    ),
    "kwh_cv": (
        "近{w}个月用电量波动大(变异系数{v:.2f})",
        "erratic consumption over {w} months (CV {v:.2f})",
    ),
    "kwh_zero_months": (
        "近{w}个月有{v:.0f}个月零用电",
        "{v:.0f} months of zero consumption in {w} months",
    ),
    "kwh_yoy_ratio_3m": (
        "近3个月用电量为去年同期的{v:.0%}",
        "consumption at {v:.0%} of the same months last year",
    ),
    "kwh_seasonal_amplitude": (
        "用电季节性强(幅度{v:.1f})",
        "strongly seasonal consumption (amplitude {v:.1f})",
    ),
    "kwh_months_known": (
        "近{w}个月仅{v:.0f}个月有抄表记录",
        "readings for only {v:.0f} of the last {w} months",
    ),
    "bill_amount_mean": ("月均电费{v:,.0f}元", "average monthly bill CNY {v:,.0f}"),
    "bill_amount_last": ("最近一期电费{v:,.0f}元", "last bill CNY {v:,.0f}"),
    "bill_amount_cv": (
        "月电费金额波动大(变异系数{v:.2f})",
        "monthly bill varies a lot (CV {v:.2f})",
    ),
    "bill_amount_max_to_mean": (
        "最高月电费为平均的{v:.1f}倍",
        "highest bill {v:.1f} times the average",
    ),
    "bill_amount_swing": ("月电费环比波动{v:.0%}", "bill swings {v:.0%} month to month"),
    "bills_issued_count": ("近{w}个月出账{v:.0f}笔", "{v:.0f} bills issued in {w} months"),
    "correction_bills_count": (
        "近{w}个月有{v:.0f}笔退补电费",
        "{v:.0f} correction bills in {w} months",
    ),
    "billing_history_months": ("仅有{v:.0f}个月电费记录", "only {v:.0f} months of billing history"),
    "voltage_kv": ("供电电压{v:g}千伏", "supplied at {v:g} kV"),
    "capacity_kva": ("合同容量{v:,.0f}千伏安", "contracted capacity {v:,.0f} kVA"),
    "tenure_months": ("开户{v:.0f}个月", "account {v:.0f} months old"),
    "deposit": ("电费保证金{v:,.0f}元", "deposit CNY {v:,.0f}"),
    "deposit_to_bill_ratio": (
        "保证金仅覆盖{v:.1f}个月电费",
        "deposit covers only {v:.1f} months of bills",
    ),
    "industry_arrears_rate": (
        "同行业近{w}个月{v:.0%}的用户严重欠费",
        "{v:.0%} of the industry seriously in arrears over {w} months",
    ),
    "region_arrears_rate": (
        "本供电区域近{w}个月{v:.0%}的用户严重欠费",
        "{v:.0%} of the supply area seriously in arrears over {w} months",
    ),
    "group_size": ("集团户共{v:.0f}户", "one of a group of {v:.0f} accounts"),
    "estimated_share": (
        "近{w}个月{v:.0%}的抄表为估抄",
        "{v:.0%} of readings estimated in {w} months",
    ),
    "estimated_count": ("近{w}个月估抄{v:.0f}次", "{v:.0f} estimated readings in {w} months"),
}

_NO_PAYMENT = ("近{w}个月没有缴费", "no payment in the last {w} months")
_NO_BILL_DUE = ("近{w}个月没有到期电费", "no bill due in the last {w} months")
_NO_BILL = ("近12个月没有电费记录", "no bills in the last 12 months")
_NO_READING = ("近{w}个月没有抄表记录", "no meter readings in the last {w} months")
# What a missing value (NaN) of a feature means, by stem: missing history is explicit.
_MISSING: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        (
            "late_bills_share",
            "serious_late_bills_share",
            "days_late_mean",
            "days_late_max",
            "late_streak",
            "on_time_streak",
        ),
        _NO_BILL_DUE,
    ),
    **dict.fromkeys(
        (
            "paid_to_billed_ratio",
            "partial_payments_share",
            "pay_day_of_month_mean",
            "paid_in_window_share",
            "channel_share",
        ),
        _NO_PAYMENT,
    ),
    **dict.fromkeys(
        (
            "arrears_to_bill_ratio",
            "bill_amount_mean",
            "bill_amount_last",
            "bill_amount_cv",
            "bill_amount_max_to_mean",
            "bill_amount_swing",
            "deposit_to_bill_ratio",
            "billing_history_months",
        ),
        _NO_BILL,
    ),
    **dict.fromkeys(
        (
            "kwh_mean",
            "kwh_ratio_3m_to_12m",
            "kwh_trend",
            "kwh_cv",
            "kwh_zero_months",
            "kwh_yoy_ratio_3m",
            "kwh_seasonal_amplitude",
        ),
        _NO_READING,
    ),
    "days_issue_to_settlement_mean": (
        "近{w}个月没有结清的电费",
        "no bill settled in the last {w} months",
    ),
    "days_since_last_payment": ("从未缴费", "never paid"),
    "days_since_last_late": ("从未逾期", "never late"),
    "estimated_share": ("近{w}个月抄表方式未知", "reading method unknown for {w} months"),
    "voltage_kv": ("供电电压未知", "supply voltage unknown"),
    "capacity_kva": ("合同容量未知", "contracted capacity unknown"),
    "tenure_months": ("开户日期未知", "account opening date unknown"),
    "deposit": ("保证金情况未知", "deposit unknown"),
}

# flag: ((zh if true, en if true), (zh if false, en if false))
_FLAGS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "high_energy": (
        ("高耗能行业", "high-energy-consumption industry"),
        ("非高耗能行业", "not a high-energy industry"),
    ),
    "restricted": (
        ("属国家限制类产业", "industry under national restriction policy"),
        ("非限制类产业", "industry not restricted"),
    ),
    "prepaid": (("已装预付费表", "prepaid meter installed"), ("未装预付费表", "no prepaid meter")),
    "tenant": (
        ("租户缴费(非产权人)", "the payer is a tenant, not the owner"),
        ("产权人缴费", "the owner pays"),
    ),
    "budget_funded": (
        ("财政拨款单位", "budget-funded unit"),
        ("非财政拨款单位", "not budget-funded"),
    ),
    "guarantee": (
        ("已签电费担保合同", "guarantee contract signed"),
        ("无电费担保", "no guarantee contract"),
    ),
    "contact_ok": (
        ("联系方式有效", "valid mobile number"),
        ("无有效手机号,无法短信提醒", "no valid mobile number for reminders"),
    ),
    "in_group": (("集团户成员", "member of a group customer"), ("非集团户", "not in a group")),
}

_FLAG_UNKNOWN: dict[str, tuple[str, str]] = {
    "high_energy": ("是否高耗能行业未知", "unknown whether high-energy"),
    "restricted": ("是否限制类产业未知", "unknown whether a restricted industry"),
    "prepaid": ("是否预付费未知", "unknown whether prepaid"),
    "tenant": ("缴费人是否产权人未知", "unknown whether the payer owns the property"),
    "budget_funded": ("是否财政拨款未知", "unknown whether budget-funded"),
    "guarantee": ("担保情况未知", "guarantee unknown"),
    "contact_ok": ("联系方式是否有效未知", "contact details unverified"),
    "in_group": ("是否集团户未知", "group membership unknown"),
}

_CATEGORICAL: dict[str, tuple[str, str]] = {
    "category": ("用电类别:{v}", "usage category {v}"),
    "industry": ("所属行业{v}", "industry {v}"),
    "industry_section": ("行业门类{v}", "industry section {v}"),
    "region": ("供电区域:{v}", "supply area {v}"),
}
_CATEGORY_ZH = {
    "residential": "居民",
    "commercial": "商业",
    "industrial": "工业",
    "agricultural": "农业",
    "public": "公共事业(财政)",
    "temporary": "临时用电",
}
_WINDOW = re.compile(r"^(?P<stem>.+)_(?P<w>\d+)m$")
_CHANNEL = re.compile(r"^channel_share_(?P<ch>.+)_(?P<w>\d+)m$")


def _check_lang(lang: str) -> int:
    if lang not in LANGUAGES:
        raise ArrearsRiskError(f"lang must be one of {LANGUAGES}, got {lang!r}.")
    return LANGUAGES.index(lang)


def describe(name: str, value: object, lang: str = "zh") -> str:
    """One feature and its value as a sentence.

    Examples
    --------
    >>> describe("serious_late_bills_count_12m", 7.0, "en")
    '7 bills paid more than 30 days late in the last 12 months'
    >>> describe("serious_late_bills_count_12m", 7.0)
    '近12个月有7笔电费逾期超过30天'
    >>> describe("tenant", 1.0, "en")
    'the payer is a tenant, not the owner'
    >>> describe("paid_in_window_share_12m", float("nan"), "en")
    'no payment in the last 12 months'
    """
    i = _check_lang(lang)
    missing = value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA
    if name in _FLAGS:
        if missing:
            return _FLAG_UNKNOWN[name][i]
        return _FLAGS[name][0 if float(value) == 1 else 1][i]  # type: ignore[arg-type]
    if name in _CATEGORICAL:
        shown = (
            _CATEGORY_ZH.get(str(value), str(value)) if (i == 0 and name == "category") else value
        )
        return _CATEGORICAL[name][i].format(v="未知" if missing and i == 0 else shown)
    channel = _CHANNEL.match(name)
    if channel and missing:
        return _MISSING["channel_share"][i].format(w=channel["w"])
    if channel:
        ch = channel["ch"]
        text = (
            "近{w}个月{v:.0%}的缴费通过" + _CHANNEL_ZH.get(ch, ch),
            "{v:.0%} of payments by " + ch.replace("_", " ") + " in {w} months",
        )[i]
        return text.format(v=0.0 if missing else float(value), w=channel["w"])  # type: ignore[arg-type]
    match = _WINDOW.match(name)
    stem, w = (match["stem"], match["w"]) if match else (name, "")
    template = _NUMERIC.get(name) or _NUMERIC.get(stem)
    if template is None:
        return f"{name}: {value}"
    if missing:
        said = (
            _MISSING.get(name)
            or _MISSING.get(stem)
            or (template[i].split("{v")[0] + "未知", template[i].split("{v")[0] + " unknown")
        )
        return said[i].format(w=w or 12)
    return template[i].format(v=float(value), w=w)  # type: ignore[arg-type]


def top_reasons(
    contributions: np.ndarray,
    features: pd.DataFrame | Mapping[str, Any],
    names: tuple[str, ...] | list[str],
    lang: str = "zh",
    top: int = 3,
    rows: np.ndarray | None = None,
) -> list[str]:
    """The ``top`` features raising each row's risk most, as text joined by ``"; "``.

    Parameters
    ----------
    contributions : numpy.ndarray
        ``(n, len(names) + 1)`` contributions (the last column, the expected value, is
        ignored).
    features : pandas.DataFrame or mapping of name to column
        Holding the ``names`` columns (their values are quoted): the same ``n`` rows,
        or more rows of which ``rows`` picks the ``n``.
    names : sequence of str
        Feature names in the contributions' column order.
    lang : {"zh", "en"}
    top : int
    rows : numpy.ndarray, optional
        Positions in ``features`` of the ``n`` rows of ``contributions``.

    Returns
    -------
    list of str
        One string per row; empty when no feature raises the risk.
    """
    sep = ("；", "; ")[_check_lang(lang)]
    contrib = contributions[:, : len(names)]
    k = min(top, contrib.shape[1])
    order = np.argsort(-contrib, axis=1, kind="stable")[:, :k]
    values = {}
    for n in set(np.asarray(names)[order].ravel()):
        column = np.asarray(features[n], dtype=object)
        values[n] = column if rows is None else column[rows]
    out = []
    for row in range(len(order)):
        parts = [
            describe(names[j], values[names[j]][row], lang)
            for j in order[row]
            if contrib[row, j] > 0
        ]
        out.append(sep.join(parts))
    return out

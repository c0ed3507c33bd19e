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
"""

from __future__ import annotations

from typing import Final

from arrearsrisk.i18n import text
from arrearsrisk.monitoring.segments import ALL, OTHER
from arrearsrisk.vocabulary import check_lang

__all__ = [
    "CHECK_TEXT",
    "ITEM_TEXT",
    "KIND_TEXT",
    "VERDICT_TEXT",
    "check_label",
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
    """The name of an item (a feature's own name if unknown)."""
    return _lookup(ITEM_TEXT, item, lang)


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

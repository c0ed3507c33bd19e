"""Every registered feature has a short readable name in Chinese and English."""

from __future__ import annotations

import re

import pytest

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features.registry import families
from arrearsrisk.monitoring.texts import FEATURE_TEXT, feature_label, item_label

NAMES = [n for fam in families() for n in fam.names]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_registered_feature_has_a_label(lang):
    assert len(NAMES) > 80
    missing = [n for n in NAMES if feature_label(n, lang) == n]
    assert missing == []
    labels = {n: feature_label(n, lang) for n in NAMES}
    # two features never read the same
    same: dict[str, list[str]] = {}
    for n, label in labels.items():
        same.setdefault(label, []).append(n)
    assert {k: v for k, v in same.items() if len(v) > 1} == {}
    if lang == "zh":  # Chinese labels are in Chinese, not ids
        assert all(re.search(r"[\u4e00-\u9fff]", v) for v in labels.values())
        assert not any("_" in v for v in labels.values())


def test_windows_are_appended_and_unknown_names_kept():
    assert feature_label("late_bills_share_6m", "zh") == "逾期缴费占比（近6个月）"
    assert feature_label("late_bills_share_6m", "en") == "share of bills paid late (6 months)"
    assert feature_label("kwh_yoy_ratio_1m", "zh") == "用电量同比（近1个月）"
    assert feature_label("kwh_ratio_3m_to_12m", "zh") == "近3个月用电量与近12个月均值之比"
    assert feature_label("group_size", "en") == "accounts in the group"
    assert feature_label("a_users_column", "zh") == "a_users_column"
    assert feature_label("kwh_mean_6m", "en") == "mean monthly consumption (6 months)"
    # items of checks keep their own names; features read as features
    assert item_label("share", "zh") == "欠费客户占比"
    assert item_label("arrears_amount", "zh") == "欠费金额"
    with pytest.raises(ArrearsRiskError, match="lang must be one of"):
        feature_label("late_streak", "fr")


def test_no_label_entry_is_dead():
    stems = {re.sub(r"_\d+m$", "", n) for n in NAMES} | set(NAMES)
    assert sorted(set(FEATURE_TEXT) - stems) == []

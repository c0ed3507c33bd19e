"""The reason texts of every registered family, as a manager reads them.

Every Chinese text uses full-width punctuation, no text holds a reason separator, no
text names a statistic (变异系数, CV, ...), the value is written alike in both
languages; the contract check refuses a family breaking any of these.  Each kind of
text says whether a value states a fact, and reads its own texts back.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from arrearsrisk.errors import FeatureFamilyError
from arrearsrisk.features import FeatureFamily, check_feature_family, families, registered
from arrearsrisk.features.family import check_declarations
from arrearsrisk.features.registry import reason_text
from arrearsrisk.features.texts import (
    CategoryText,
    FlagText,
    NameAndValue,
    NumberText,
    PatternText,
    literals,
    zh_en,
)
from arrearsrisk.scoring.reasons import describe

NAN = float("nan")
ASCII_PUNCTUATION = re.compile(r"[:;,()?!]")
JARGON = re.compile(
    r"变异系数|标准差|方差|斜率|分位|均方|离散系数|振幅|幅度|"
    r"\bCV\b|coefficient|variance|std\b|standard deviation|slope|z-score|quantile|"
    r"percentile|amplitude",
    re.IGNORECASE,
)


def _phrases():
    for family in families():
        entries = [*family.reasons.items()]
        if family.default_reason is not None:
            entries.append(("(default)", family.default_reason))
        for key, entry in entries:
            for what, lang, text in entry.phrases():
                yield family.name, key, what, lang, text


def _rendered():
    """Every feature's text in both languages, for a few values."""
    for family in families():
        for name in family.names:
            entry = reason_text(name)
            for value in (NAN, 0.0, 1.0, 2.5, 0.456):
                for lang in ("zh", "en"):
                    yield name, lang, entry.say(name, value, lang)


# --- the texts of the registered families ---------------------------------------------


def test_there_are_texts_to_check():
    phrases = list(_phrases())
    assert len(phrases) > 150
    assert {lang for *_, lang, _ in phrases} == {"zh", "en"}


def test_every_chinese_text_uses_full_width_punctuation():
    bad = [
        (fam, key, what, text)
        for fam, key, what, lang, text in _phrases()
        if lang == "zh" and ASCII_PUNCTUATION.search("".join(literals(text)))
    ]
    assert bad == []


def test_the_rendered_chinese_reasons_have_no_ascii_punctuation_but_in_numbers():
    for name, lang, text in _rendered():
        if lang == "zh":
            # thousands separators and decimal points of the numbers stay ASCII
            words = re.sub(r"\d[\d,.]*", "0", text)
            assert not ASCII_PUNCTUATION.search(words), (name, text)


def test_no_text_holds_a_reason_separator():
    for fam, key, what, lang, text in _phrases():
        assert not re.search(r"[;；]", text), (fam, key, what, lang, text)
    for name, _lang, text in _rendered():
        assert not re.search(r"[;；]", text), (name, text)


def test_no_text_names_a_statistic():
    for fam, key, what, lang, text in _phrases():
        assert not JARGON.search(text), (fam, key, what, lang, text)


def test_the_volatility_and_season_reasons_in_plain_words():
    assert describe("bill_amount_cv_12m", 0.45) == "近12个月月电费高低起伏，一般偏离月均约45%"
    assert (
        describe("bill_amount_cv_12m", 0.45, "en")
        == "monthly bills over the last 12 months typically 45% off the average"
    )
    assert describe("kwh_cv_12m", 1.234) == "近12个月月用电量高低起伏，一般偏离月均约123%"
    assert (
        describe("kwh_seasonal_amplitude_24m", 1.26)
        == "近24个月按月份看，用电最多与最少的月份相差约为月均的1.3倍"
    )
    assert describe("kwh_seasonal_amplitude_24m", 1.26, "en") == (
        "over the last 24 months, busiest and quietest calendar months differ by "
        "1.3 times the average month"
    )
    assert describe("kwh_trend_12m", -0.034) == "近12个月用电量平均每月变化-3.4%"


def test_the_account_texts_in_full_width_punctuation():
    assert describe("region", "East") == "供电区域：East"
    assert describe("category", "public") == "用电类别：公共事业（财政）"
    assert describe("tenant", 1.0) == "租户缴费（非产权人）"
    assert describe("contact_ok", 0.0) == "无有效手机号，无法短信提醒"


def test_channels_read_as_english_says_them():
    assert (
        describe("channel_share_counter_12m", 0.5, "en")
        == "50% of payments in 12 months made at the service counter"
    )
    assert describe("channel_share_bank_debit_12m", 0.25, "en") == (
        "25% of payments in 12 months made by bank debit"
    )
    assert describe("channel_share_wechat_12m", 0.5, "en") == (
        "50% of payments in 12 months made by wechat"
    )


def test_missing_values_say_what_they_mean():
    assert describe("bill_amount_last", NAN, "en") == "no bills in the last 24 months"
    assert describe("days_late_change_6m", NAN, "en") == (
        "too few bills due in 12 months to compare lateness"
    )
    assert describe("payment_timing_drift_3m", NAN, "en") == (
        "too few bills due in 12 months to compare payment timing"
    )


# --- facts and unknowns ---------------------------------------------------------------


def test_which_texts_state_a_fact():
    facts = {
        "paid_in_window_share_12m": True,  # no payment in the last 12 months
        "days_since_last_payment": True,  # never paid
        "arrears_to_bill_ratio": True,  # no bills in 12 months
        "kwh_mean_3m": True,  # no readings
        "channel_share_counter_12m": True,  # no payment
        "tenant": False,  # unknown whether the payer owns the property
        "category": False,
        "region": False,
        "industry": False,
        "voltage_kv": False,
        "capacity_kva": False,
        "tenure_months": False,
        "deposit": False,
        "estimated_share_12m": False,  # reading method unknown
        "estimated_share_24m": False,
        "late_bills_count_12m": False,  # a count is never missing: no text for it
    }
    got = {n: reason_text(n).states_fact(n, NAN) for n in facts}
    assert got == facts
    for family in families():
        for name in family.names:
            for value in (0.0, 1.0, 3.5):
                assert reason_text(name).states_fact(name, value) is True, name


def test_each_kind_of_text_decides_for_a_missing_value():
    said = zh_en("欠费{v:,.0f}元", "CNY {v:,.0f} overdue")
    assert NumberText(said, zh_en("无欠费", "nothing owed")).states_fact("a", NAN) is True
    assert NumberText(said, unknown=zh_en("欠费未知", "unknown")).states_fact("a", NAN) is False
    plain = NumberText(said)
    assert plain.states_fact("a", NAN) is False
    assert plain.say("a", NAN, "zh") == "欠费？元"
    assert plain.say("a", None, "en") == "CNY ? overdue"
    flag = FlagText(zh_en("是", "yes"), zh_en("否", "no"), zh_en("未知", "unknown"))
    assert [flag.states_fact("f", v) for v in (1.0, 0.0, NAN)] == [True, True, False]
    cat = CategoryText(zh_en("区域：{v}", "area {v}"))
    assert [cat.states_fact("c", v) for v in ("East", None, NAN)] == [True, False, False]
    assert cat.say("c", NAN, "en") == "area unknown" and cat.say("c", NAN, "zh") == "区域：未知"
    pattern = PatternText(
        r"^share_(?P<ch>.+)_(?P<w>\d+)m$",
        zh_en("近{w}个月{v:.0%}通过{ch}", "{v:.0%} by {ch} in {w} months"),
        zh_en("近{w}个月没有缴费", "no payment in {w} months"),
    )
    assert pattern.states_fact("share_x_12m", NAN) is True
    assert NameAndValue().states_fact("substation", "S1") is True
    assert NameAndValue().states_fact("substation", NAN) is False


# --- reading texts back ---------------------------------------------------------------


def test_entries_read_their_own_texts_back():
    late = reason_text("serious_late_bills_count_12m")
    assert late.parse("serious_late_bills_count_12m", "近12个月有7笔电费逾期超过30天", "zh") == [
        7.0
    ]
    assert late.parse("serious_late_bills_count_3m", "近12个月有7笔电费逾期超过30天", "zh") == []
    assert late.parse("serious_late_bills_count_12m", "近12个月有7笔电费逾期", "zh") == []
    money = reason_text("arrears_amount")
    assert money.parse("arrears_amount", "CNY 12,345 overdue and unpaid", "en") == [12345.0]
    share = reason_text("late_bills_share_12m")
    assert share.parse("late_bills_share_12m", "近12个月29%的电费逾期缴纳", "zh") == [0.29]
    (nan,) = share.parse("late_bills_share_12m", "近12个月没有到期电费", "zh")
    assert np.isnan(nan)
    trend = reason_text("kwh_trend_12m")
    assert trend.parse(
        "kwh_trend_12m", "consumption changing -3.4% a month over 12 months", "en"
    ) == [pytest.approx(-0.034)]
    voltage = reason_text("voltage_kv")
    assert voltage.parse("voltage_kv", "supplied at 1e+07 kV", "en") == [1e7]
    assert voltage.parse("voltage_kv", "supplied at 1e+03 kV", "en") == []  # 1000 reads 1000
    assert reason_text("category").parse("category", "用电类别：居民", "zh") == ["residential"]
    assert reason_text("category").parse("category", "用电类别：C9", "zh") == ["C9"]
    channel = reason_text("channel_share_online_12m")
    assert channel.parse("channel_share_online_12m", "近12个月50%的缴费通过网上缴费", "zh") == [0.5]
    assert reason_text("tenant").parse("tenant", "产权人缴费", "zh") == [0.0]
    assert NameAndValue().parse("substation", "substation: S1", "en") == []


# --- the contract check ---------------------------------------------------------------


def _toy(reasons, names=("toy_a",)) -> FeatureFamily:
    return FeatureFamily(
        name="toy",
        names=names,
        build=lambda s: {n: s.exposure for n in names},
        monotone={},
        reasons=reasons,
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            CategoryText(zh_en("供电区域:{v}", "area {v}")),
            r"reason text 'toy_a' \(said, zh\) uses ASCII punctuation \[':'\]; write it full "
            r"width",
        ),
        (
            NumberText(zh_en("波动大(系数{v:.2f})", "varies ({v:.2f})")),
            r"uses ASCII punctuation \['\(', '\)'\]",
        ),
        (
            FlagText(zh_en("是", "yes"), zh_en("否,无", "no"), zh_en("未知", "unknown")),
            r"reason text 'toy_a' \(no, zh\) uses ASCII punctuation \[','\]",
        ),
        (
            CategoryText(zh_en("类别：{v}", "category {v}"), {"zh": {"a": "甲(乙)"}}),
            r"reason text 'toy_a' \(label of 'a', zh\) uses ASCII punctuation",
        ),
        (
            NumberText(zh_en("逾期{v:.0f}笔；欠费", "{v:.0f} late")),
            r"reason text 'toy_a' \(said, zh\) contains a reason separator",
        ),
        (
            NumberText(zh_en("逾期{v:.0f}笔", "{v:.0f} late; more")),
            r"reason text 'toy_a' \(said, en\) contains a reason separator",
        ),
        (
            NumberText(zh_en("逾期{v:.0%}", "{v:.1%} late")),
            r"reason text 'toy_a' \(said\) writes the value differently by language",
        ),
        (
            NumberText(zh_en("有逾期", "{v:.0f} late")),
            r"writes the value differently by language",
        ),
    ],
)
def test_the_contract_refuses_a_text_a_manager_could_not_read(entry, message):
    with pytest.raises(FeatureFamilyError, match=message):
        check_declarations(_toy({"toy_a": entry}))


def test_the_contract_refuses_an_entry_that_reads_its_texts_wrongly_or_not_at_all():
    class Wrong(NumberText):
        def parse(self, name, text, lang):
            return [42.0]

    class Vague(NumberText):
        def states_fact(self, name, value):
            return "maybe"

    class Blind(NumberText):
        def forms(self, name, lang):
            return super().forms("toy_a_6m", lang)  # the shapes of another window

    said = zh_en("逾期{v:.0f}笔", "{v:.0f} late")
    with pytest.raises(FeatureFamilyError, match=r"reads '逾期0笔' back wrongly: \[42.0\]"):
        check_declarations(_toy({"toy_a": Wrong(said)}))
    with pytest.raises(FeatureFamilyError, match=r"states_fact of 'toy_a' must be a bool, got str"):
        check_declarations(_toy({"toy_a": Vague(said)}))
    blind = Blind(zh_en("近{w}个月逾期{v:.0f}笔", "{v:.0f} late in {w} months"))
    with pytest.raises(FeatureFamilyError, match=r"reason text of 'toy_a_3m' cannot read "):
        check_declarations(_toy({"toy_a": blind}, names=("toy_a_3m",)))
    broken = NumberText(zh_en("逾期{v:.0f}笔{x}", "{v:.0f} late"))
    with pytest.raises(FeatureFamilyError, match=r"reason text of 'toy_a' fails in 'zh'"):
        check_declarations(_toy({"toy_a": broken}))


def test_a_family_with_plain_full_width_texts_is_registered():
    good = _toy({"toy_a": NumberText(zh_en("玩具（{v:.0f}件），共计", "toy ({v:.0f}), in all"))})
    check_feature_family(good)
    with registered(good):
        assert describe("toy_a", 3.0) == "玩具（3件），共计"


def test_the_reader_keeps_a_text_it_reads_two_ways_and_prefers_the_specific_one():
    from arrearsrisk.features.texts import TextReader

    a = NumberText(zh_en("近{w}个月逾期{v:.0f}笔", "{v:.0f} late in {w} months"))
    b = NumberText(zh_en("近{w}个月逾期{v:.0f}笔", "{v:.0f} overdue in {w} months"))
    reader = TextReader([("a_3m", a), ("b_3m", b)])
    assert reader.translate("近3个月逾期2笔", "en") == "近3个月逾期2笔"  # a or b: kept
    assert reader.translate("2 late in 3 months", "zh") == "近3个月逾期2笔"
    area = CategoryText(zh_en("行业{v}", "industry {v}"))
    section = CategoryText(zh_en("行业门类{v}", "industry section {v}"))
    reader = TextReader([("industry", area), ("industry_section", section)])
    assert reader.translate("industry section C", "zh") == "行业门类C"
    assert reader.translate("industry C26", "zh") == "行业C26"


def test_the_built_in_families_pass_the_registration_checks():
    # registered at import without the checks (they read every text back): checked here
    from arrearsrisk.features.registry import BUILTIN

    for family in BUILTIN:
        check_declarations(family)
    names = [n for family in BUILTIN for n in family.names]
    assert len(names) == len(set(names)) and len({f.name for f in BUILTIN}) == len(BUILTIN)

"""A customer's reasons: facts only, as separate items, in the language asked for.

``top_reasons`` passes over a driver whose text only says its value is unknown (against
a slow per-row twin); :func:`translate_reasons` is the inverse of ``describe`` followed
by ``describe`` in the other language, for every registered feature and any value; plans
show the reasons in the plan's language whatever the scores' language.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.features import FeatureFamily, families, registered
from arrearsrisk.features.registry import reason_text
from arrearsrisk.features.texts import CategoryText, FlagText, NumberText, zh_en
from arrearsrisk.plans.facts import check_scores
from arrearsrisk.scoring.reasons import describe, top_reasons, translate_reasons
from arrearsrisk.vocabulary import join_items, split_items

NAN = float("nan")
AS_OF = "2025-09-30"
CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = sorted({n for family in families() for n in family.names})


# --- translate_reasons: describe in one language, read back, describe in the other --------


def _values(name: str) -> st.SearchStrategy[object]:
    entry = reason_text(name)
    if isinstance(entry, FlagText):
        return st.sampled_from([0.0, 1.0, NAN])
    if isinstance(entry, CategoryText):
        levels = sorted({level for labels in entry.labels.values() for level in labels})
        codes = st.from_regex(r"[A-T][0-9]{0,4}", fullmatch=True)
        words = st.text("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-", min_size=1, max_size=8)
        own = words.filter(lambda w: w.lower() != "unknown")  # a level named as a missing one
        return st.one_of(st.sampled_from([*levels, NAN]) if levels else st.just(NAN), codes, own)
    numbers = st.floats(-1e7, 1e7, allow_nan=False, allow_infinity=False)
    edges = st.integers(-2000, 2000).map(lambda k: k / 200)  # halves of the rounding steps
    return st.one_of(numbers, edges, st.just(NAN), st.just(-0.0))


@st.composite
def features_and_values(draw):
    name = draw(st.sampled_from(NAMES))
    return name, draw(_values(name))


@settings(max_examples=600, deadline=None)
@given(features_and_values())
def test_a_reason_reads_back_into_the_other_language(case):
    name, value = case
    zh, en = describe(name, value, "zh"), describe(name, value, "en")
    assert translate_reasons([zh], "en") == [en]
    assert translate_reasons([en], "zh") == [zh]
    assert translate_reasons([zh], "zh") == [zh] and translate_reasons([en], "en") == [en]


def test_every_feature_and_state_reads_back():
    """Exhaustive over the features for the values the templates write exactly."""
    for name in NAMES:
        for value in (NAN, 0.0, 1.0, 2.0, 0.25, 0.5, 12.5, 1234.0, -3.0):
            zh, en = describe(name, value, "zh"), describe(name, value, "en")
            assert translate_reasons([zh], "en") == [en], (name, value, zh)
            assert translate_reasons([en], "zh") == [zh], (name, value, en)


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        (
            "近12个月有7笔电费逾期超过30天",
            "7 bills paid more than 30 days late in the last 12 months",
        ),
        ("当前欠费12,345元", "CNY 12,345 overdue and unpaid"),
        ("近3个月46%的电费逾期缴纳", "46% of bills paid late in the last 3 months"),
        ("近12个月没有缴费", "no payment in the last 12 months"),
        ("近12个月用电量平均每月变化-3.4%", "consumption changing -3.4% a month over 12 months"),
        (
            "近12个月月电费高低起伏，一般偏离月均约45%",
            "monthly bills over the last 12 months typically 45% off the average",
        ),
        ("近12个月50%的缴费通过银行代扣", "50% of payments in 12 months made by bank debit"),
        (
            "近6个月平均逾期天数较前6个月变化+12天",
            "average days late +12 against the 6 months before",
        ),
        ("租户缴费（非产权人）", "the payer is a tenant, not the owner"),
        ("缴费人是否产权人未知", "unknown whether the payer owns the property"),
        ("用电类别：居民", "usage category residential"),
        ("用电类别：未知", "usage category unknown"),
        ("供电区域：East", "supply area East"),
        ("所属行业：房地产业（K70）", "industry: real estate (K70)"),
        ("供电电压10千伏", "supplied at 10 kV"),
        ("开户日期未知", "account opening date unknown"),
        ("同行业近6个月4%的用户严重欠费", "4% of the industry seriously in arrears over 6 months"),
    ],
)
def test_literal_translations(zh, en):
    assert translate_reasons(zh, "en") == [en]
    assert translate_reasons(en, "zh") == [zh]


def test_translate_takes_joined_texts_lists_and_nothing():
    zh = join_items(["当前欠费500元", "近12个月没有缴费"], "zh")
    assert zh == "当前欠费500元；近12个月没有缴费"
    assert translate_reasons(zh, "en") == [
        "CNY 500 overdue and unpaid",
        "no payment in the last 12 months",
    ]
    assert translate_reasons("CNY 500 overdue and unpaid; never paid", "zh") == [
        "当前欠费500元",
        "从未缴费",
    ]
    assert translate_reasons(("当前欠费500元",), "en") == ["CNY 500 overdue and unpaid"]
    assert translate_reasons("", "en") == [] and translate_reasons(None, "en") == []
    assert translate_reasons(NAN, "zh") == []
    with pytest.raises(ar.ArrearsRiskError, match=r"lang must be one of \['zh', 'en'\], got 'fr'"):
        translate_reasons("当前欠费500元", "fr")


def test_texts_nothing_reads_back_are_kept():
    kept = [
        "substation: S1",  # an extra column: the same in both languages
        "客户经理反映经营困难",  # a user's own text
        "当前欠费五百元",  # not a number the template writes
        "CNY 500 overdue",  # a different sentence
        "近7个月有3笔电费逾期超过30天",  # no such window
    ]
    assert translate_reasons(kept, "en") == kept
    assert translate_reasons(kept, "zh") == kept


def test_a_toy_family_is_translated_while_registered():
    toy = FeatureFamily(
        name="toy",
        names=("toy_bills_count_3m",),
        build=lambda s: {"toy_bills_count_3m": s.exposure},
        monotone={},
        reasons={
            "toy_bills_count": NumberText(
                zh_en("近{w}个月玩具账单{v:.0f}笔", "{v:.0f} toy bills in {w} months")
            )
        },
    )
    with registered(toy):
        assert translate_reasons("近3个月玩具账单4笔", "en") == ["4 toy bills in 3 months"]
    assert translate_reasons("近3个月玩具账单4笔", "en") == ["近3个月玩具账单4笔"]


# --- top_reasons: facts only, up to `top` -----------------------------------------------


def _slow_top_reasons(contributions, features, names, lang, top):
    """The reasons row by row: drivers by contribution (ties by column), positive only,
    skipping those whose text states no fact."""
    out = []
    for row in range(contributions.shape[0]):
        ranked = sorted(range(len(names)), key=lambda j: (-contributions[row, j], j))
        parts = []
        for j in ranked:
            name, value = names[j], features[names[j]][row]
            if contributions[row, j] <= 0 or len(parts) == top:
                break
            if reason_text(name).states_fact(name, value):
                parts.append(describe(name, value, lang))
        out.append(join_items(parts, lang))
    return out


def test_an_unknown_driver_gives_way_to_the_next():
    names = [
        "tenant",
        "serious_late_bills_count_12m",
        "paid_in_window_share_12m",
        "voltage_kv",
        "region",
    ]
    feats = {
        "tenant": [NAN, 1.0],
        "serious_late_bills_count_12m": [4.0, 2.0],
        "paid_in_window_share_12m": [NAN, 0.5],  # no payment in 12 months: a fact
        "voltage_kv": [NAN, 10.0],
        "region": ["East", None],
    }
    contrib = np.array(
        [
            [0.9, 0.5, 0.4, 0.3, 0.1, 0.0],
            [0.9, 0.5, 0.4, 0.3, 0.2, 0.0],
        ]
    )
    got = top_reasons(contrib, feats, names, "zh", top=3)
    assert got == [
        "近12个月有4笔电费逾期超过30天；近12个月没有缴费；供电区域：East",
        "租户缴费（非产权人）；近12个月有2笔电费逾期超过30天；仅50%的缴费在每月1-10日缴费期内",
    ]
    en = top_reasons(contrib, feats, names, "en", top=2)
    assert en == [
        join_items(
            [
                "4 bills paid more than 30 days late in the last 12 months",
                "no payment in the last 12 months",
            ],
            "en",
        ),
        join_items(
            [
                "the payer is a tenant, not the owner",
                "2 bills paid more than 30 days late in the last 12 months",
            ],
            "en",
        ),
    ]


def test_only_positive_drivers_and_nothing_when_every_driver_is_unknown():
    names = ["tenant", "voltage_kv", "arrears_amount"]
    feats = {"tenant": [NAN, NAN], "voltage_kv": [NAN, NAN], "arrears_amount": [300.0, 300.0]}
    contrib = np.array([[0.5, 0.4, -0.1, 0.0], [0.5, 0.4, 0.2, 0.0]])
    assert top_reasons(contrib, feats, names, "en", top=3) == ["", "CNY 300 overdue and unpaid"]
    assert top_reasons(contrib, feats, names, "en", top=0) == ["", ""]


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.lists(st.sampled_from([-0.5, 0.0, 0.1, 0.3, 0.3, 0.7]), min_size=7, max_size=7),
                min_size=n,
                max_size=n,
            ),
            st.lists(st.sampled_from([NAN, 0.0, 1.0, 250.0]), min_size=6 * n, max_size=6 * n),
            st.lists(st.sampled_from(["East", None]), min_size=n, max_size=n),
        )
    ),
    st.integers(1, 4),
    st.sampled_from(["zh", "en"]),
)
def test_top_reasons_matches_the_slow_twin(data, top, lang):
    rows, values, regions = data
    names = [
        "tenant",
        "voltage_kv",
        "arrears_amount",
        "kwh_mean_3m",
        "deposit",
        "in_group",
        "region",
    ]
    n = len(rows)
    feats = {name: [values[i * 6 + k] for i in range(n)] for k, name in enumerate(names[:6])}
    feats["region"] = regions
    contrib = np.array(rows, dtype=np.float64)
    frame = pd.DataFrame(feats)
    assert top_reasons(contrib, frame, names, lang, top) == _slow_top_reasons(
        contrib, feats, names, lang, top
    )
    picked = np.array([n - 1 - i for i in range(n)])  # `rows` picks from a longer frame
    longer = pd.concat([frame.iloc[::-1], frame.iloc[:1]], ignore_index=True)
    assert top_reasons(contrib, longer, names, lang, top, rows=picked) == _slow_top_reasons(
        contrib, feats, names, lang, top
    )


# --- the scoring paths and plans ------------------------------------------------------


@pytest.fixture(scope="module")
def small(sample_ledger):
    ids = sample_ledger.customers["customer_id"].astype(str).tolist()[:600]
    return sample_ledger.subset(ids)


@pytest.fixture(scope="module")
def scores_zh_en(small, sample_model):
    zh = ar.score(small, AS_OF, sample_model, lang="zh", reasons="all")
    en = ar.score(small, AS_OF, sample_model, lang="en", reasons="all")
    return zh, en


def _unknown_texts(lang: str) -> set[str]:
    out = set()
    for name in NAMES:
        entry = reason_text(name)
        if not entry.states_fact(name, NAN):
            out.add(entry.say(name, NAN, lang))
    return out


def test_scores_show_facts_in_both_languages_one_for_one(scores_zh_en, sample_model):
    zh, en = scores_zh_en
    unknown = {"zh": _unknown_texts("zh"), "en": _unknown_texts("en")}
    assert "缴费人是否产权人未知" in unknown["zh"]
    for frame, lang in ((zh, "zh"), (en, "en")):
        items = [split_items(r) for r in frame["reasons"]]
        assert all(1 <= len(i) <= 3 for i in items)  # reasons="all": every row has some
        assert not any(x in unknown[lang] for i in items for x in i)
        assert all(bool(CJK.search(x)) == (lang == "zh") for i in items for x in i)
    for a, b in zip(zh["reasons"], en["reasons"], strict=True):
        assert translate_reasons(a, "en") == split_items(b)
        assert translate_reasons(b, "zh") == split_items(a)


@pytest.mark.filterwarnings("ignore:customers. the ledger has no 'high_hazard' column")
def test_plans_show_the_reasons_in_the_plan_language(small, scores_zh_en):
    zh, en = scores_zh_en
    plans_en = ar.risk_plans(zh, small, lang="en")
    plans_zh = ar.risk_plans(en, small, lang="zh")
    assert len(plans_en) > 20
    want_en = {
        c: tuple(split_items(r)) for c, r in zip(en["customer_id"], en["reasons"], strict=True)
    }
    want_zh = {
        c: tuple(split_items(r)) for c, r in zip(zh["customer_id"], zh["reasons"], strict=True)
    }
    assert {c: r for c, r in zip(plans_en["customer_id"], plans_en["reasons"], strict=True)} == {
        c: want_en[c] for c in plans_en["customer_id"]
    }
    assert {c: r for c, r in zip(plans_zh["customer_id"], plans_zh["reasons"], strict=True)} == {
        c: want_zh[c] for c in plans_zh["customer_id"]
    }
    assert all(not CJK.search(x) for r in plans_en["reasons"] for x in r)
    assert sum(len(r) for r in plans_zh["reasons"]) > 2 * len(plans_zh)  # split at "；"


def test_scores_reasons_split_in_either_language():
    scores = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "as_of": AS_OF,
            "grade": ["I", "II", "III", "II"],
            "p_I": [0.9, 0.3, 0.1, 0.3],
            "a_warning": False,
            "exposure": 100.0,
            "arrears": 0.0,
            "reasons": [
                "当前欠费500元；近12个月没有缴费",
                "CNY 500 overdue and unpaid; never paid",
                None,
                ["当前欠费500元", "从未缴费"],
            ],
        }
    )
    checked, _ = check_scores(scores)
    assert checked["reasons"].tolist() == [
        ("当前欠费500元", "近12个月没有缴费"),
        ("CNY 500 overdue and unpaid", "never paid"),
        (),
        ("当前欠费500元", "从未缴费"),
    ]

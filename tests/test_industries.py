"""GB/T 4754-2017 industry names: the table is the standard's (sections, divisions and
their ranges, names spot-checked), every code the sample uses is a division, unknown
codes fall back, and reports and reasons read their names from it."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features.account import REASONS
from arrearsrisk.i18n import TEXT
from arrearsrisk.industries import (
    DIVISIONS,
    SECTIONS,
    IndustryLabels,
    division_of,
    industry_label,
    industry_name,
    section_of,
)
from arrearsrisk.reports.formatting import industry_label as report_label
from arrearsrisk.sample import INDUSTRIES
from tests.conftest import SAMPLE

# The standard's section of each division, as ranges of its two-digit codes.
RANGES = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70),
    "L": (71, 72), "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83),
    "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}  # fmt: skip


def test_the_table_has_the_20_sections_and_97_divisions_of_the_standard():
    assert list(SECTIONS) == list("ABCDEFGHIJKLMNOPQRST")
    assert list(DIVISIONS) == [f"{i:02d}" for i in range(1, 98)]
    for section, (lo, hi) in RANGES.items():
        held = [int(k) for k, d in DIVISIONS.items() if d.section == section]
        assert held == list(range(lo, hi + 1)), section


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("C26", "化学原料和化学制品制造业", "chemical materials and products"),
        ("C30", "非金属矿物制品业", "non-metallic mineral products"),
        ("C31", "黑色金属冶炼和压延加工业", "ferrous metal smelting and rolling"),
        ("C32", "有色金属冶炼和压延加工业", "non-ferrous metal smelting and rolling"),
        ("B06", "煤炭开采和洗选业", "coal mining and washing"),
        ("K70", "房地产业", "real estate"),
        ("C39", "计算机、通信和其他电子设备制造业",
         "computers, communication and other electronic equipment"),
        ("A05", "农、林、牧、渔专业及辅助性活动",
         "support activities for agriculture, forestry, animal husbandry and fishery"),
        ("I63", "电信、广播电视和卫星传输服务",
         "telecommunications, broadcasting and satellite transmission"),
        ("E48", "土木工程建筑业", "civil engineering"),
        ("D44", "电力、热力生产和供应业", "electricity and heat production and supply"),
        ("S92", "国家机构", "state organs"),
        ("N76", "水利管理业", "water conservancy management"),
    ],
)  # fmt: skip
def test_division_names_are_the_standards(code, zh, en):
    assert industry_name(code, "zh") == zh
    assert industry_name(code, "en") == en


@pytest.mark.parametrize(
    ("letter", "zh"),
    [
        ("A", "农、林、牧、渔业"),
        ("D", "电力、热力、燃气及水生产和供应业"),
        ("E", "建筑业"),
        ("F", "批发和零售业"),
        ("G", "交通运输、仓储和邮政业"),
        ("I", "信息传输、软件和信息技术服务业"),
        ("L", "租赁和商务服务业"),
        ("M", "科学研究和技术服务业"),
        ("N", "水利、环境和公共设施管理业"),
        ("O", "居民服务、修理和其他服务业"),
        ("R", "文化、体育和娱乐业"),
        ("S", "公共管理、社会保障和社会组织"),
    ],
)
def test_section_names_are_the_standards(letter, zh):
    assert SECTIONS[letter][0] == zh
    assert industry_name(letter) == zh


def test_chinese_names_use_only_chinese_characters_and_the_enumeration_comma():
    names = [zh for zh, _ in SECTIONS.values()] + [d.zh for d in DIVISIONS.values()]
    assert all(re.fullmatch(r"[\u4e00-\u9fff、]+", n) for n in names)
    assert all(en and en == en.strip() for _, en in SECTIONS.values())


def test_every_industry_code_of_the_simulator_and_of_the_sample_is_a_division():
    shipped = pd.read_csv(SAMPLE / "customers.csv", dtype=str)["industry"].dropna().unique()
    codes = set(INDUSTRIES) | set(shipped)
    assert len(codes) >= 31
    for code in sorted(codes):
        division = division_of(code)
        assert division is not None and division.section == code[0], code
        assert industry_name(code) == division.zh


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("C2611", "化学原料和化学制品制造业"),  # a class: its division
        (" c26 ", "化学原料和化学制品制造业"),  # case and spaces as a ledger may write them
        ("2611", "化学原料和化学制品制造业"),  # digits only
        ("C99", "制造业"),  # no such division: the section
        ("C70", "制造业"),  # 70 is in K, not C: the section
        ("C", "制造业"),
        ("Z12", "Z12"),  # no such section: the code itself
        ("99", "99"),
        ("C-26", "C-26"),
        ("", ""),
        (None, ""),
    ],
)
def test_unknown_codes_fall_back_to_the_section_then_the_code(code, name):
    assert industry_name(code) == name


def test_section_and_division_of_a_code():
    assert section_of("70") == "K" and section_of("Q") == "Q" and section_of("U1") is None
    assert division_of("C") is None and division_of("K7") is None
    assert division_of("K701").zh == "房地产业"


def test_a_bad_language_is_refused():
    with pytest.raises(ArrearsRiskError, match=r"lang must be one of \['zh', 'en'\], got 'fr'"):
        industry_name("C26", "fr")


def test_labels_write_the_name_then_the_code():
    assert industry_label("C26") == "化学原料和化学制品制造业（C26）"
    assert industry_label("C26", "en") == "chemical materials and products (C26)"
    assert industry_label("C99") == "制造业（C99）"
    assert industry_label("Z12", "en") == "Z12"
    labels = IndustryLabels("zh")
    assert len(labels) == len(list(labels)) == 117
    assert all(labels[code] == industry_label(code) for code in labels)
    assert labels["D4420"] == "电力、热力生产和供应业（D4420）"
    with pytest.raises(KeyError, match="Z12"):
        labels["Z12"]


def test_reports_show_the_code_then_its_standard_name():
    assert report_label("C26", "zh") == "C26 化学原料和化学制品制造业"
    assert report_label("K70", "en") == "K70 real estate"
    assert report_label("C99", "zh") == "C99 制造业"
    assert report_label("X1", "zh") == "X1"
    assert report_label(None, "zh") == "居民/未填行业"
    assert not [k for k in TEXT if k.startswith("sec_")]  # one table of names, not two


def test_the_industry_reasons_read_the_standards_names():
    industry, section = REASONS["industry"], REASONS["industry_section"]
    assert industry.say("industry", "C26", "zh") == "所属行业：化学原料和化学制品制造业（C26）"
    assert (
        industry.say("industry", "C26", "en") == "industry: chemical materials and products (C26)"
    )
    assert section.say("industry_section", "C", "zh") == "行业门类：制造业（C）"
    assert section.say("industry_section", "K", "en") == "industry section: real estate (K)"
    assert industry.say("industry", "Z12", "zh") == "所属行业：Z12"
    assert industry.say("industry", float("nan"), "zh") == "所属行业：未知"
    assert industry.say("industry", float("nan"), "en") == "industry: unknown"

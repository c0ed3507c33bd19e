"""Industry names of GB/T 4754-2017 (国民经济行业分类): its 20 sections (门类, ``A`` to
``T``) and 97 divisions (大类, ``01`` to ``97``), in Chinese as the standard names them
and in English.

A ledger's ``industry`` code is the section letter followed by the digits of the
division (``C26``) or of a finer level (``C2611``, a class: its first two digits are the
division); plain digits (``2611``) are read as a division too.  :func:`industry_name`
names a code, :func:`industry_label` writes the code with its name as the reasons and
reports show it.  Every part of the library that names an industry reads this table.

Nothing here imports another arrearsrisk module but :mod:`arrearsrisk.vocabulary`.

Examples
--------
>>> industry_name("C26"), industry_name("C26", "en")
('化学原料和化学制品制造业', 'chemical materials and products')
>>> industry_name("C3110"), industry_name("C99"), industry_name("Z1")
('黑色金属冶炼和压延加工业', '制造业', 'Z1')
>>> industry_label("K70"), industry_label("K70", "en")
('房地产业（K70）', 'real estate (K70)')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Final, NamedTuple

from arrearsrisk.vocabulary import check_lang

__all__ = [
    "DIVISIONS",
    "SECTIONS",
    "Division",
    "IndustryLabels",
    "division_of",
    "industry_label",
    "industry_name",
    "section_of",
]


class Division(NamedTuple):
    """A division (大类) of GB/T 4754-2017: its section letter and its names."""

    section: str
    zh: str
    en: str


SECTIONS: Final[dict[str, tuple[str, str]]] = {
    "A": ("农、林、牧、渔业", "agriculture, forestry, animal husbandry and fishery"),
    "B": ("采矿业", "mining"),
    "C": ("制造业", "manufacturing"),
    "D": (
        "电力、热力、燃气及水生产和供应业",
        "electricity, heat, gas and water production and supply",
    ),
    "E": ("建筑业", "construction"),
    "F": ("批发和零售业", "wholesale and retail trade"),
    "G": ("交通运输、仓储和邮政业", "transport, storage and postal services"),
    "H": ("住宿和餐饮业", "accommodation and catering"),
    "I": (
        "信息传输、软件和信息技术服务业",
        "information transmission, software and information technology services",
    ),
    "J": ("金融业", "finance"),
    "K": ("房地产业", "real estate"),
    "L": ("租赁和商务服务业", "leasing and business services"),
    "M": ("科学研究和技术服务业", "scientific research and technical services"),
    "N": (
        "水利、环境和公共设施管理业",
        "water conservancy, environment and public facilities management",
    ),
    "O": ("居民服务、修理和其他服务业", "resident services, repair and other services"),
    "P": ("教育", "education"),
    "Q": ("卫生和社会工作", "health and social work"),
    "R": ("文化、体育和娱乐业", "culture, sports and entertainment"),
    "S": (
        "公共管理、社会保障和社会组织",
        "public administration, social security and social organizations",
    ),
    "T": ("国际组织", "international organizations"),
}
"""The sections (门类) by letter: ``(Chinese name, English name)``."""


def _divisions(section: str, *rows: tuple[int, str, str]) -> dict[str, Division]:
    return {f"{code:02d}": Division(section, zh, en) for code, zh, en in rows}


DIVISIONS: Final[dict[str, Division]] = {
    **_divisions(
        "A",
        (1, "农业", "agriculture"),
        (2, "林业", "forestry"),
        (3, "畜牧业", "animal husbandry"),
        (4, "渔业", "fishery"),
        (
            5,
            "农、林、牧、渔专业及辅助性活动",
            "support activities for agriculture, forestry, animal husbandry and fishery",
        ),
    ),
    **_divisions(
        "B",
        (6, "煤炭开采和洗选业", "coal mining and washing"),
        (7, "石油和天然气开采业", "oil and natural gas extraction"),
        (8, "黑色金属矿采选业", "ferrous metal ore mining"),
        (9, "有色金属矿采选业", "non-ferrous metal ore mining"),
        (10, "非金属矿采选业", "non-metallic mineral mining"),
        (11, "开采专业及辅助性活动", "mining support activities"),
        (12, "其他采矿业", "other mining"),
    ),
    **_divisions(
        "C",
        (13, "农副食品加工业", "agricultural and sideline food processing"),
        (14, "食品制造业", "food manufacturing"),
        (15, "酒、饮料和精制茶制造业", "liquor, beverages and refined tea"),
        (16, "烟草制品业", "tobacco products"),
        (17, "纺织业", "textiles"),
        (18, "纺织服装、服饰业", "textile garments and apparel"),
        (19, "皮革、毛皮、羽毛及其制品和制鞋业", "leather, fur, feathers and footwear"),
        (
            20,
            "木材加工和木、竹、藤、棕、草制品业",
            "wood processing and wood, bamboo, rattan, palm and straw products",
        ),
        (21, "家具制造业", "furniture"),
        (22, "造纸和纸制品业", "paper and paper products"),
        (23, "印刷和记录媒介复制业", "printing and reproduction of recorded media"),
        (
            24,
            "文教、工美、体育和娱乐用品制造业",
            "cultural, educational, arts and crafts, sports and entertainment goods",
        ),
        (25, "石油、煤炭及其他燃料加工业", "petroleum, coal and other fuel processing"),
        (26, "化学原料和化学制品制造业", "chemical materials and products"),
        (27, "医药制造业", "pharmaceuticals"),
        (28, "化学纤维制造业", "chemical fibres"),
        (29, "橡胶和塑料制品业", "rubber and plastic products"),
        (30, "非金属矿物制品业", "non-metallic mineral products"),
        (31, "黑色金属冶炼和压延加工业", "ferrous metal smelting and rolling"),
        (32, "有色金属冶炼和压延加工业", "non-ferrous metal smelting and rolling"),
        (33, "金属制品业", "metal products"),
        (34, "通用设备制造业", "general-purpose equipment"),
        (35, "专用设备制造业", "special-purpose equipment"),
        (36, "汽车制造业", "motor vehicles"),
        (
            37,
            "铁路、船舶、航空航天和其他运输设备制造业",
            "railway, ship, aerospace and other transport equipment",
        ),
        (38, "电气机械和器材制造业", "electrical machinery and equipment"),
        (
            39,
            "计算机、通信和其他电子设备制造业",
            "computers, communication and other electronic equipment",
        ),
        (40, "仪器仪表制造业", "instruments and meters"),
        (41, "其他制造业", "other manufacturing"),
        (42, "废弃资源综合利用业", "comprehensive use of waste resources"),
        (43, "金属制品、机械和设备修理业", "repair of metal products, machinery and equipment"),
    ),
    **_divisions(
        "D",
        (44, "电力、热力生产和供应业", "electricity and heat production and supply"),
        (45, "燃气生产和供应业", "gas production and supply"),
        (46, "水的生产和供应业", "water production and supply"),
    ),
    **_divisions(
        "E",
        (47, "房屋建筑业", "building construction"),
        (48, "土木工程建筑业", "civil engineering"),
        (49, "建筑安装业", "building installation"),
        (
            50,
            "建筑装饰、装修和其他建筑业",
            "building decoration, renovation and other construction",
        ),
    ),
    **_divisions("F", (51, "批发业", "wholesale"), (52, "零售业", "retail")),
    **_divisions(
        "G",
        (53, "铁路运输业", "rail transport"),
        (54, "道路运输业", "road transport"),
        (55, "水上运输业", "water transport"),
        (56, "航空运输业", "air transport"),
        (57, "管道运输业", "pipeline transport"),
        (58, "多式联运和运输代理业", "multimodal transport and transport agency"),
        (59, "装卸搬运和仓储业", "loading, unloading and warehousing"),
        (60, "邮政业", "postal services"),
    ),
    **_divisions("H", (61, "住宿业", "accommodation"), (62, "餐饮业", "catering")),
    **_divisions(
        "I",
        (
            63,
            "电信、广播电视和卫星传输服务",
            "telecommunications, broadcasting and satellite transmission",
        ),
        (64, "互联网和相关服务", "internet and related services"),
        (65, "软件和信息技术服务业", "software and information technology services"),
    ),
    **_divisions(
        "J",
        (66, "货币金融服务", "monetary and financial services"),
        (67, "资本市场服务", "capital market services"),
        (68, "保险业", "insurance"),
        (69, "其他金融业", "other financial services"),
    ),
    **_divisions("K", (70, "房地产业", "real estate")),
    **_divisions("L", (71, "租赁业", "leasing"), (72, "商务服务业", "business services")),
    **_divisions(
        "M",
        (73, "研究和试验发展", "research and experimental development"),
        (74, "专业技术服务业", "professional technical services"),
        (75, "科技推广和应用服务业", "technology promotion and application services"),
    ),
    **_divisions(
        "N",
        (76, "水利管理业", "water conservancy management"),
        (77, "生态保护和环境治理业", "ecological protection and environmental management"),
        (78, "公共设施管理业", "public facilities management"),
        (79, "土地管理业", "land management"),
    ),
    **_divisions(
        "O",
        (80, "居民服务业", "resident services"),
        (
            81,
            "机动车、电子产品和日用产品修理业",
            "repair of motor vehicles, electronics and household goods",
        ),
        (82, "其他服务业", "other services"),
    ),
    **_divisions("P", (83, "教育", "education")),
    **_divisions("Q", (84, "卫生", "health"), (85, "社会工作", "social work")),
    **_divisions(
        "R",
        (86, "新闻和出版业", "news and publishing"),
        (87, "广播、电视、电影和录音制作业", "radio, television, film and sound recording"),
        (88, "文化艺术业", "culture and arts"),
        (89, "体育", "sports"),
        (90, "娱乐业", "entertainment"),
    ),
    **_divisions(
        "S",
        (91, "中国共产党机关", "organs of the Communist Party of China"),
        (92, "国家机构", "state organs"),
        (93, "人民政协、民主党派", "CPPCC and democratic parties"),
        (94, "社会保障", "social security"),
        (
            95,
            "群众团体、社会团体和其他成员组织",
            "mass organizations, social organizations and other membership organizations",
        ),
        (
            96,
            "基层群众自治组织及其他组织",
            "grass-roots self-governing organizations and other organizations",
        ),
    ),
    **_divisions("T", (97, "国际组织", "international organizations")),
}
"""The divisions (大类) by their two digits (``"26"``)."""

_CODE = re.compile(r"^(?P<section>[A-Za-z]?)(?P<digits>\d*)$")
_LANG_INDEX = {"zh": 0, "en": 1}


def section_of(code: object) -> str | None:
    """The section letter of an industry code: its letter, or for plain digits the
    section of their division; ``None`` when neither is known.

    >>> section_of("c26"), section_of("2611"), section_of("Z9"), section_of("")
    ('C', 'C', None, None)
    """
    parts = _parts(code)
    if parts is None:
        return None
    letter, digits = parts
    if letter:
        return letter if letter in SECTIONS else None
    division = DIVISIONS.get(digits[:2])
    return division.section if division is not None else None


def division_of(code: object) -> Division | None:
    """The division of an industry code (its first two digits), ``None`` when the code
    has no known division or its letter is not the division's section.

    >>> division_of("C2611").zh, division_of("C70"), division_of("70").section
    ('化学原料和化学制品制造业', None, 'K')
    """
    parts = _parts(code)
    if parts is None or len(parts[1]) < 2:
        return None
    letter, digits = parts
    division = DIVISIONS.get(digits[:2])
    if division is None or (letter and letter != division.section):
        return None
    return division


def industry_name(code: object, lang: str = "zh") -> str:
    """The name of an industry code in ``lang``: its division's, else its section's,
    else the code itself (stripped; empty for a missing code).

    Parameters
    ----------
    code : object
        A GB/T 4754 code as ledgers write it: ``C26``, ``C2611``, ``C`` or ``26``.
    lang : {"zh", "en"}, default "zh"

    Returns
    -------
    str

    Raises
    ------
    ArrearsRiskError
        If ``lang`` is not a language of :data:`~arrearsrisk.vocabulary.LANGS`.

    Examples
    --------
    >>> industry_name("B06"), industry_name("B06", "en"), industry_name("B")
    ('煤炭开采和洗选业', 'coal mining and washing', '采矿业')
    """
    i = _LANG_INDEX[check_lang(lang)]
    division = division_of(code)
    if division is not None:
        return division.zh if i == 0 else division.en
    section = section_of(code)
    if section is not None:
        return SECTIONS[section][i]
    return "" if code is None else str(code).strip()


def industry_label(code: object, lang: str = "zh") -> str:
    """The name of a known industry code followed by the code, ``名称（C26）`` in
    Chinese and ``name (C26)`` in English; an unknown code as it is.

    >>> industry_label("C31"), industry_label("Z1", "en")
    ('黑色金属冶炼和压延加工业（C31）', 'Z1')
    """
    check_lang(lang)
    shown = "" if code is None else str(code).strip()
    if section_of(code) is None:
        return shown
    name = industry_name(code, lang)
    return f"{name}（{shown}）" if lang == "zh" else f"{name} ({shown})"


def _parts(code: object) -> tuple[str, str] | None:
    """``(upper-case letter or "", digits)`` of a code, ``None`` if it is not one."""
    if not isinstance(code, str):
        return None
    match = _CODE.match(code.strip())
    if match is None or not (match["section"] or match["digits"]):
        return None
    return match["section"].upper(), match["digits"]


class IndustryLabels(Mapping[str, str]):
    """:func:`industry_label` of every known code, as a read-only mapping for a
    reason text's labels: any code with a known section is a key (``C26``, ``C2611``,
    ``C``), others are missing; iterating gives the sections and divisions.

    >>> labels = IndustryLabels("zh")
    >>> labels["C26"], labels.get("Z1", "Z1"), len(labels)
    ('化学原料和化学制品制造业（C26）', 'Z1', 117)
    """

    def __init__(self, lang: str) -> None:
        self.lang = check_lang(lang)

    def __getitem__(self, code: str) -> str:
        if section_of(code) is None:
            raise KeyError(code)
        return _label(code, self.lang)

    def __iter__(self) -> Iterator[str]:
        yield from SECTIONS
        yield from (f"{d.section}{digits}" for digits, d in DIVISIONS.items())

    def __len__(self) -> int:
        return len(SECTIONS) + len(DIVISIONS)


@lru_cache(maxsize=4096)
def _label(code: str, lang: str) -> str:
    return industry_label(code, lang)

"""The simulated customers' contact details: account name (户名), supply address (用电地址)
and contact phone (联系电话), the columns of
:data:`~arrearsrisk.ledger.schema.CONTACT_COLUMNS`.

Everything here is made up: households get synthetic Chinese names (a common surname
and one or two given characters), businesses and institutions a name built from two
trade-name characters and their industry (``恒泰化工有限公司``, ``东城街道办事处``), the
members of a group the group's name (a telecom operator's base stations, a chain's
shops, the schools of a station); addresses lie in the customer's station area (towns
with streets, villages with groups); phone numbers are **obviously fictitious**: mobiles
``1xx0000xxxx`` and landlines ``0530-00xxxxxx`` (no local number starts with 0).  Who
has a valid mobile follows the ledger's ``contact_ok``.

The details come from their own random stream (:func:`contact_rng`), so every other
column of a simulated ledger is the same with or without them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from arrearsrisk.ledger.schema import CONTACT_COLUMNS
from arrearsrisk.sample.customers import _Customers
from arrearsrisk.sample.parameters import _AGR, _IND, _IND_CODES, _RES, REGION_NAMES, REGIONS

__all__ = ["AREA_NAMES", "contact_columns", "contact_rng"]

AREA_NAMES = REGION_NAMES
"""The Chinese name of each simulated station's area (:data:`REGIONS`)."""

_TOWNS = frozenset({"Dongcheng", "Xiguan", "Nanhu", "Hexi"})  # the others are rural
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红玉梅文辉鹏飞雪燕玲海波宇浩俊凤兰"
    "秀云峰林春晓亮成宏德福荣庆新利民安宁振家东"
)
_TRADE = "鑫恒宏盛华泰达隆兴瑞祥源丰利通顺安康金永嘉德信宇旺昌润和万佳"
_ROADS = (
    "建设路", "人民路", "解放路", "中山路", "和平路", "文化路", "胜利路", "新华路",
    "光明路", "团结路", "幸福路", "工业路", "长江路", "黄河路", "迎宾大道", "朝阳路",
)  # fmt: skip
_VILLAGE_ENDS = ("家村", "庄村", "营村", "屯村", "寨村")
_MOBILE_PREFIXES = ("138", "139", "137", "135", "150", "151", "186", "187", "133", "177")
_AREA_CODE = "0530"

# Name templates by industry code: {t} trade name, {a} area, {p} a person's name,
# {s} a surname, {v} a village, {r} a road, {k} a small number, {g} the area's
# government (街道办事处 in a town, 镇人民政府 in the country), {h} its health centre.
_BUSINESS: dict[str, tuple[str, ...]] = {
    "C31": ("{t}钢铁有限公司", "{a}{t}特钢有限公司"),
    "C30": ("{t}建材有限公司", "{a}{t}水泥有限公司", "{t}玻璃制品有限公司"),
    "B06": ("{t}煤业有限公司", "{a}{t}煤矿"),
    "C26": ("{t}化工有限公司", "{a}{t}化工厂"),
    "C32": ("{t}铝业有限公司", "{t}有色金属有限公司"),
    "C22": ("{t}纸业有限公司",),
    "C13": ("{t}粮油食品有限公司", "{a}{t}面粉厂"),
    "C17": ("{t}纺织有限公司", "{t}棉纺厂"),
    "C33": ("{t}金属制品有限公司",),
    "C34": ("{t}机械制造有限公司",),
    "C38": ("{t}电气有限公司",),
    "C39": ("{t}电子科技有限公司",),
    "F52": ("{t}超市", "{t}商贸有限公司", "{t}百货商店"),
    "H61": ("{t}宾馆", "{t}大酒店"),
    "H62": ("{t}饭店", "{t}餐饮有限公司", "{s}记小吃店"),
    "I63": ("{t}通信有限公司",),
    "K70": ("{t}房地产开发有限公司", "{t}物业管理有限公司"),
    "L72": ("{t}商务咨询有限公司", "{t}广告有限公司"),
    "M73": ("{t}科技有限公司", "{t}检测技术有限公司"),
    "O80": ("{t}家政服务部", "{t}洗衣店", "{t}美发店"),
    "R88": ("{t}文化传媒有限公司", "{a}文化馆"),
    "A01": ("{a}{t}种植专业合作社", "{p}"),
    "A03": ("{t}养殖场", "{t}牧业有限公司"),
    "A04": ("{t}水产养殖场",),
    "A05": ("{v}灌溉站", "{a}{t}农机服务专业合作社"),
    "P83": ("{a}第{k}小学", "{a}中心幼儿园", "{a}第{k}中学"),
    "Q84": ("{a}{h}", "{s}氏诊所"),
    "S92": ("{a}{g}",),
    "N76": ("{a}水利站", "{a}水务管理站"),
    "E47": ("{t}建筑工程有限公司（{a}项目部）",),
    "E48": ("{t}路桥工程有限公司（{r}改建工程）",),
}
_GROUPS = {  # group kind -> the name of one member
    "telecom": "{t}通信有限公司{a}第{k}号基站",
    "chain": "{t}便利连锁{a}{k}号店",
    "education": "{a}第{k}小学",
}


def contact_rng(seed: int) -> np.random.Generator:
    """The random stream of the contact details of ``simulate_ledger(seed=seed)``:
    independent of the stream every other column is drawn from.

    >>> a, b = contact_rng(0).random(), contact_rng(0).random()
    >>> a == b, a == np.random.default_rng(0).random()
    (True, False)
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(4754,)))


def contact_columns(c: _Customers, rng: np.random.Generator) -> dict[str, pd.Series]:
    """The contact columns of the simulated customers ``c`` (pandas ``str``, ``NA``
    when the ledger has no such detail), drawn from ``rng`` only.

    >>> from arrearsrisk.sample.customers import _draw_customers
    >>> from arrearsrisk.sample.periods import _Calendar
    >>> c = _draw_customers(np.random.default_rng(1), 5, _Calendar.make("2023-01", 12))
    >>> cols = contact_columns(c, contact_rng(1))
    >>> list(cols), cols["account_name"].str.len().between(2, 40).all()
    (['account_name', 'supply_address', 'phone_number'], np.True_)
    """
    n = c.n
    areas = [AREA_NAMES[r] for r in REGIONS]
    town = np.array([r in _TOWNS for r in REGIONS])[c.region]
    area = [areas[r] for r in c.region.tolist()]
    codes = np.asarray((*_IND_CODES, ""))[c.industry]
    persons = _persons(rng, n)
    trades = _pick_pairs(rng, _TRADE, n)
    surnames = _pick(rng, _SURNAMES, n)
    villages = [
        s + e for s, e in zip(_pick(rng, _SURNAMES, n), _pick(rng, _VILLAGE_ENDS, n), strict=True)
    ]
    roads = _pick(rng, _ROADS, n)
    numbers = rng.integers(1, 300, n)
    small = rng.integers(1, 13, n)
    template_u = rng.random(n)
    group_kind = [c.group_names[g] if g >= 0 else "" for g in c.group.tolist()]
    group_trade = _pick_pairs(rng, _TRADE, len(c.group_names))  # one operator, one chain

    names: list[str] = []
    for i in range(n):
        kind = group_kind[i]
        trade = trades[i]
        if kind:
            template = _GROUPS[kind]
            trade = group_trade[int(c.group[i])]
        elif c.cat[i] == _RES or not codes[i]:
            template = "{p}"
        else:
            options = _BUSINESS.get(str(codes[i]), ("{t}有限公司",))
            template = options[int(template_u[i] * len(options))]
            if c.cat[i] == _AGR and codes[i] == "A01" and template_u[i] < 0.3:
                template = "{p}"  # a farmer's own irrigation well
        names.append(
            template.format(
                t=trade,
                a=area[i],
                p=persons[i],
                s=surnames[i],
                v=villages[i],
                r=roads[i],
                k=int(small[i]),
                g="街道办事处" if town[i] else "镇人民政府",
                h="社区卫生服务中心" if town[i] else "镇卫生院",
            )
        )

    addresses: list[str | None] = []
    flats = rng.integers(1, 30, (n, 3))
    for i in range(n):
        household = c.cat[i] == _RES
        if town[i]:
            street = f"{area[i]}街道{roads[i]}{int(numbers[i])}号"
            if household:
                b, u, f = flats[i].tolist()
                street += f"{b}栋{u % 4 + 1}单元{f % 18 + 1}0{u % 4 + 1}室"
            elif c.cat[i] == _IND:
                street = f"{area[i]}工业园区{roads[i]}{int(numbers[i])}号"
        elif household or c.cat[i] == _AGR:
            street = f"{area[i]}镇{villages[i]}{int(small[i])}组{int(numbers[i])}号"
        else:
            street = f"{area[i]}镇{roads[i]}{int(numbers[i])}号"
        addresses.append(street)
    no_address = rng.random(n) < 0.02
    for i in np.flatnonzero(no_address).tolist():
        addresses[i] = None

    return dict(
        zip(
            CONTACT_COLUMNS,
            (_text(names), _text(addresses), _text(_phones(rng, c))),
            strict=True,
        )
    )


def _pick(rng: np.random.Generator, options: Sequence[str], n: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), n).tolist()]


def _pick_pairs(rng: np.random.Generator, chars: str, n: int) -> list[str]:
    """Two different characters of ``chars`` per customer (a trade name, 字号)."""
    first = rng.integers(0, len(chars), n)
    second = (first + rng.integers(1, len(chars), n)) % len(chars)
    return [chars[a] + chars[b] for a, b in zip(first.tolist(), second.tolist(), strict=True)]


def _persons(rng: np.random.Generator, n: int) -> list[str]:
    """Synthetic full names: a surname and one or two given characters."""
    surnames = _pick(rng, _SURNAMES, n)
    one, two = _pick(rng, _GIVEN, n), _pick(rng, _GIVEN, n)
    double = rng.random(n) < 0.7
    return [
        s + a + (b if d else "")
        for s, a, b, d in zip(surnames, one, two, double.tolist(), strict=True)
    ]


def _phones(rng: np.random.Generator, c: _Customers) -> list[str | None]:
    """Fictitious numbers: a mobile ``1xx0000xxxx`` for a valid contact (``contact ==
    1``); for an invalid one (0) nothing, a landline ``0530-00xxxxxx`` or a mobile one
    digit short; for an unknown one (-1) a mobile or nothing."""
    n = c.n
    prefix = _pick(rng, _MOBILE_PREFIXES, n)
    tail = rng.integers(0, 10_000, n)
    land = rng.integers(0, 1_000_000, n)
    u = rng.random(n)
    out: list[str | None] = []
    for i, state in enumerate(c.contact.tolist()):
        mobile = f"{prefix[i]}0000{int(tail[i]):04d}"
        if state == 1 or (state == -1 and u[i] < 0.6):
            out.append(mobile)
        elif state == 0 and u[i] < 0.3:
            out.append(f"{_AREA_CODE}-00{int(land[i]):06d}")
        elif state == 0 and u[i] < 0.5:
            out.append(mobile[:-1])
        else:
            out.append(None)
    return out


def _text(values: Sequence[str | None]) -> pd.Series:
    return pd.Series(pd.array(values, dtype="str"), copy=False)

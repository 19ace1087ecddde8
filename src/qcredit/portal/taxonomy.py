"""Public code tables the portal shows and filters by: the cities of Shandong (GB/T 2260) and
the sections and manufacturing divisions of GB/T 4754-2017. Both are official public
classifications; the portal shows an enterprise's region by its city and the code itself
(a complete district table is not kept here)."""

from __future__ import annotations

# GB/T 2260 prefectural-level divisions of Shandong (莱芜 3712 merged into 济南 in 2019).
CITIES: tuple[tuple[str, str], ...] = (
    ("3701", "济南市"), ("3702", "青岛市"), ("3703", "淄博市"), ("3704", "枣庄市"), ("3705", "东营市"),
    ("3706", "烟台市"), ("3707", "潍坊市"), ("3708", "济宁市"), ("3709", "泰安市"), ("3710", "威海市"),
    ("3711", "日照市"), ("3713", "临沂市"), ("3714", "德州市"), ("3715", "聊城市"), ("3716", "滨州市"),
    ("3717", "菏泽市"),
)
_CITY_NAMES = dict(CITIES)

# GB/T 4754-2017 sections (门类).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("A", "农、林、牧、渔业"), ("B", "采矿业"), ("C", "制造业"), ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"), ("F", "批发和零售业"), ("G", "交通运输、仓储和邮政业"), ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"), ("J", "金融业"), ("K", "房地产业"), ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"), ("N", "水利、环境和公共设施管理业"), ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"), ("Q", "卫生和社会工作"), ("R", "文化、体育和娱乐业"), ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
)

# GB/T 4754-2017 divisions (大类) of section C, where the archive's enterprises mostly are.
MANUFACTURING: tuple[tuple[str, str], ...] = (
    ("C13", "农副食品加工业"), ("C14", "食品制造业"), ("C15", "酒、饮料和精制茶制造业"), ("C16", "烟草制品业"),
    ("C17", "纺织业"), ("C18", "纺织服装、服饰业"), ("C19", "皮革、毛皮、羽毛及其制品和制鞋业"),
    ("C20", "木材加工和木、竹、藤、棕、草制品业"), ("C21", "家具制造业"), ("C22", "造纸和纸制品业"),
    ("C23", "印刷和记录媒介复制业"), ("C24", "文教、工美、体育和娱乐用品制造业"),
    ("C25", "石油、煤炭及其他燃料加工业"), ("C26", "化学原料和化学制品制造业"), ("C27", "医药制造业"),
    ("C28", "化学纤维制造业"), ("C29", "橡胶和塑料制品业"), ("C30", "非金属矿物制品业"),
    ("C31", "黑色金属冶炼和压延加工业"), ("C32", "有色金属冶炼和压延加工业"), ("C33", "金属制品业"),
    ("C34", "通用设备制造业"), ("C35", "专用设备制造业"), ("C36", "汽车制造业"),
    ("C37", "铁路、船舶、航空航天和其他运输设备制造业"), ("C38", "电气机械和器材制造业"),
    ("C39", "计算机、通信和其他电子设备制造业"), ("C40", "仪器仪表制造业"), ("C41", "其他制造业"),
    ("C42", "废弃资源综合利用业"), ("C43", "金属制品、机械和设备修理业"),
)
_INDUSTRY_NAMES = dict(SECTIONS) | dict(MANUFACTURING)
INDUSTRY_FILTERS = frozenset(_INDUSTRY_NAMES)


def region_label(code: str) -> str:
    """``济南市（370102）``; the code alone outside the table."""
    code = code or ""
    if code.startswith("37") and code[2:] in ("", "0000"):
        return f"山东省（{code}）" if code else ""
    city = _CITY_NAMES.get(code[:4])
    return f"{city}（{code}）" if city else code


def industry_label(code: str) -> str:
    """``C3431 通用设备制造业``: the code with the name of its division, or of its section."""
    code = code or ""
    if not code:
        return "—"
    name = _INDUSTRY_NAMES.get(code[:3]) or _INDUSTRY_NAMES.get(code[:1])
    return f"{code} {name}" if name else code

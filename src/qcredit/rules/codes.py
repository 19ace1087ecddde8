"""Official code tables the archive is classified by (pure data, no Django): the
administrative divisions of Shandong (GB/T 2260) and the national economic industries
(GB/T 4754-2017). The staff pages, the public portal, reports and exports name codes through
this one module.

The county table holds the districts and counties the archive currently has enterprises in
(real GB/T 2260 codes); a code missing from it is shown as the code itself. Completing it is
a data change here, nowhere else.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {"37": "山东省"}

# Prefecture-level cities (莱芜 3712 was merged into 济南 in 2019 and has no enterprises of its own).
CITY_NAMES: dict[str, str] = {
    "3701": "济南市", "3702": "青岛市", "3703": "淄博市", "3704": "枣庄市", "3705": "东营市", "3706": "烟台市",
    "3707": "潍坊市", "3708": "济宁市", "3709": "泰安市", "3710": "威海市", "3711": "日照市", "3713": "临沂市",
    "3714": "德州市", "3715": "聊城市", "3716": "滨州市", "3717": "菏泽市",
}

COUNTY_NAMES: dict[str, str] = {
    "370102": "历下区",
    "370103": "市中区",
    "370104": "槐荫区",
    "370105": "天桥区",
    "370112": "历城区",
    "370113": "长清区",
    "370114": "章丘区",
    "370115": "济阳区",
    "370202": "市南区",
    "370203": "市北区",
    "370211": "黄岛区",
    "370212": "崂山区",
    "370213": "李沧区",
    "370214": "城阳区",
    "370215": "即墨区",
    "370281": "胶州市",
    "370302": "淄川区",
    "370303": "张店区",
    "370304": "博山区",
    "370305": "临淄区",
    "370306": "周村区",
    "370321": "桓台县",
    "370402": "市中区",
    "370403": "薛城区",
    "370405": "台儿庄区",
    "370481": "滕州市",
    "370502": "东营区",
    "370503": "河口区",
    "370505": "垦利区",
    "370522": "利津县",
    "370523": "广饶县",
    "370602": "芝罘区",
    "370611": "福山区",
    "370612": "牟平区",
    "370613": "莱山区",
    "370681": "龙口市",
    "370685": "招远市",
    "370702": "潍城区",
    "370703": "寒亭区",
    "370705": "奎文区",
    "370781": "青州市",
    "370782": "诸城市",
    "370783": "寿光市",
    "370811": "任城区",
    "370812": "兖州区",
    "370881": "曲阜市",
    "370883": "邹城市",
    "370902": "泰山区",
    "370911": "岱岳区",
    "370982": "新泰市",
    "370983": "肥城市",
    "371002": "环翠区",
    "371003": "文登区",
    "371082": "荣成市",
    "371083": "乳山市",
    "371102": "东港区",
    "371103": "岚山区",
    "371121": "五莲县",
    "371122": "莒县",
    "371302": "兰山区",
    "371311": "罗庄区",
    "371312": "河东区",
    "371321": "沂南县",
    "371324": "兰陵县",
    "371402": "德城区",
    "371403": "陵城区",
    "371481": "乐陵市",
    "371482": "禹城市",
    "371502": "东昌府区",
    "371503": "茌平区",
    "371581": "临清市",
    "371524": "东阿县",
    "371602": "滨城区",
    "371603": "沾化区",
    "371621": "惠民县",
    "371625": "博兴县",
    "371702": "牡丹区",
    "371703": "定陶区",
    "371721": "曹县",
    "371725": "郓城县",
}

# GB/T 4754-2017 sections (门类) and the divisions (大类) of manufacturing, the section almost
# every enterprise under quality supervision belongs to.
SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

MANUFACTURING_DIVISIONS: dict[str, str] = {
    "C13": "农副食品加工业",
    "C14": "食品制造业",
    "C15": "酒、饮料和精制茶制造业",
    "C16": "烟草制品业",
    "C17": "纺织业",
    "C18": "纺织服装、服饰业",
    "C19": "皮革、毛皮、羽毛及其制品和制鞋业",
    "C20": "木材加工和木、竹、藤、棕、草制品业",
    "C21": "家具制造业",
    "C22": "造纸和纸制品业",
    "C23": "印刷和记录媒介复制业",
    "C24": "文教、工美、体育和娱乐用品制造业",
    "C25": "石油、煤炭及其他燃料加工业",
    "C26": "化学原料和化学制品制造业",
    "C27": "医药制造业",
    "C28": "化学纤维制造业",
    "C29": "橡胶和塑料制品业",
    "C30": "非金属矿物制品业",
    "C31": "黑色金属冶炼和压延加工业",
    "C32": "有色金属冶炼和压延加工业",
    "C33": "金属制品业",
    "C34": "通用设备制造业",
    "C35": "专用设备制造业",
    "C36": "汽车制造业",
    "C37": "铁路、船舶、航空航天和其他运输设备制造业",
    "C38": "电气机械和器材制造业",
    "C39": "计算机、通信和其他电子设备制造业",
    "C40": "仪器仪表制造业",
    "C41": "其他制造业",
    "C42": "废弃资源综合利用业",
    "C43": "金属制品、机械和设备修理业",
}

NO_INDUSTRY = "未登记行业"


def region_name(code: str) -> str:
    """The name of a 2-, 4- or 6-digit division code ("370102" → "济南市历下区"), or the code."""
    code = code or ""
    if len(code) == 2:
        return PROVINCES.get(code, code)
    if len(code) == 4:
        return CITY_NAMES.get(code, code)
    if len(code) == 6:
        county = COUNTY_NAMES.get(code)
        if county is None:
            return code
        return CITY_NAMES.get(code[:4], "") + county
    return code


def short_region_name(code: str) -> str:
    """The name without its parent ("370102" → "历下区"), for chart labels."""
    if len(code or "") == 6:
        return COUNTY_NAMES.get(code, code)
    return region_name(code)


def industry_name(code: str) -> str:
    """The name of a section ("C") or a manufacturing division ("C34"); the code otherwise."""
    if not code:
        return NO_INDUSTRY
    return SECTIONS.get(code) or MANUFACTURING_DIVISIONS.get(code[:3]) or code

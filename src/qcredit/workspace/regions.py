"""Names of the administrative divisions the staff pages group and filter by (GB/T 2260).

Shandong's 16 prefecture-level cities (莱芜 3712 was merged into 济南 in 2019 and has no
enterprises of its own any more). County names are the districts the demo archive uses
(:data:`qcredit.archive.demo.CITIES`, real GB/T 2260 codes); a code without a name here is
shown as the code itself until the full GB/T 2260 table is loaded (issue 5).
"""

from __future__ import annotations

from qcredit.archive.demo import CITIES as _DEMO_CITIES

PROVINCES = {"37": "山东省"}

CITY_NAMES: dict[str, str] = {
    "3701": "济南市", "3702": "青岛市", "3703": "淄博市", "3704": "枣庄市", "3705": "东营市", "3706": "烟台市",
    "3707": "潍坊市", "3708": "济宁市", "3709": "泰安市", "3710": "威海市", "3711": "日照市", "3713": "临沂市",
    "3714": "德州市", "3715": "聊城市", "3716": "滨州市", "3717": "菏泽市",
}

COUNTY_NAMES: dict[str, str] = {code: name for city in _DEMO_CITIES for code, name in city[4]}


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

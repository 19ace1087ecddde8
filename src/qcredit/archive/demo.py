"""A deterministic, realistic Shandong quality archive for the demo and the benchmarks.

16 prefecture-level cities with their GB/T 2260 codes and real districts, GB/T 4754-2017
industries, plausible company names, valid USCCs, and every record kind in proportions close
to what a provincial archive holds: mostly passed samplings and inspections, full pass rates
and valid licences, with a few percent of failures, complaints, penalties, licence trouble,
honours … so that every grade, every criterion and some red-list candidates occur.

The same seed and size give byte-identical output. Streaming: one enterprise at a time, so
``python -m qcredit.archive.demo --enterprises 1000000 --out big.jsonl`` runs in constant memory.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from qcredit.rules.dates import add_years
from qcredit.rules.uscc import ALPHABET, make_uscc

FORMAT = "qcredit-archive/1"
DEFAULT_SEED = 20260630

# (code, name, abbreviation for document numbers, weight ≈ economic size, districts)
CITIES = (
    ("3701", "济南", "济", 14, (("370102", "历下区"), ("370103", "市中区"), ("370104", "槐荫区"), ("370105", "天桥区"),
                               ("370112", "历城区"), ("370113", "长清区"), ("370114", "章丘区"), ("370115", "济阳区"))),
    ("3702", "青岛", "青", 18, (("370202", "市南区"), ("370203", "市北区"), ("370211", "黄岛区"), ("370212", "崂山区"),
                               ("370213", "李沧区"), ("370214", "城阳区"), ("370215", "即墨区"), ("370281", "胶州市"))),
    ("3703", "淄博", "淄", 7, (("370302", "淄川区"), ("370303", "张店区"), ("370304", "博山区"), ("370305", "临淄区"),
                              ("370306", "周村区"), ("370321", "桓台县"))),
    ("3704", "枣庄", "枣", 3, (("370402", "市中区"), ("370403", "薛城区"), ("370405", "台儿庄区"), ("370481", "滕州市"))),
    ("3705", "东营", "东", 5, (("370502", "东营区"), ("370503", "河口区"), ("370505", "垦利区"), ("370522", "利津县"),
                              ("370523", "广饶县"))),
    ("3706", "烟台", "烟", 10, (("370602", "芝罘区"), ("370611", "福山区"), ("370612", "牟平区"), ("370613", "莱山区"),
                               ("370681", "龙口市"), ("370685", "招远市"))),
    ("3707", "潍坊", "潍", 9, (("370702", "潍城区"), ("370703", "寒亭区"), ("370705", "奎文区"), ("370781", "青州市"),
                              ("370782", "诸城市"), ("370783", "寿光市"))),
    ("3708", "济宁", "济宁", 6, (("370811", "任城区"), ("370812", "兖州区"), ("370881", "曲阜市"), ("370883", "邹城市"))),
    ("3709", "泰安", "泰", 4, (("370902", "泰山区"), ("370911", "岱岳区"), ("370982", "新泰市"), ("370983", "肥城市"))),
    ("3710", "威海", "威", 4, (("371002", "环翠区"), ("371003", "文登区"), ("371082", "荣成市"), ("371083", "乳山市"))),
    ("3711", "日照", "日", 3, (("371102", "东港区"), ("371103", "岚山区"), ("371121", "五莲县"), ("371122", "莒县"))),
    ("3713", "临沂", "临", 7, (("371302", "兰山区"), ("371311", "罗庄区"), ("371312", "河东区"), ("371321", "沂南县"),
                              ("371324", "兰陵县"))),
    ("3714", "德州", "德", 4, (("371402", "德城区"), ("371403", "陵城区"), ("371481", "乐陵市"), ("371482", "禹城市"))),
    ("3715", "聊城", "聊", 3, (("371502", "东昌府区"), ("371503", "茌平区"), ("371581", "临清市"), ("371524", "东阿县"))),
    ("3716", "滨州", "滨", 3, (("371602", "滨城区"), ("371603", "沾化区"), ("371621", "惠民县"), ("371625", "博兴县"))),
    ("3717", "菏泽", "菏", 3, (("371702", "牡丹区"), ("371703", "定陶区"), ("371721", "曹县"), ("371725", "郓城县"))),
)

# GB/T 4754-2017 classes: (code, word in the company name, licence usually required, mandatory testing)
INDUSTRIES = (
    ("C1371", "食品", True, False), ("C1391", "淀粉", True, False), ("C1441", "乳业", True, False),
    ("C1469", "调味品", True, False), ("C1512", "酒业", True, False), ("C1523", "饮料", True, False),
    ("C1711", "纺织", False, False), ("C1810", "服饰", False, False), ("C2110", "家具", False, False),
    ("C2221", "纸业", False, False), ("C2411", "文具", False, False), ("C2511", "石化", True, False),
    ("C2614", "化工", True, False), ("C2625", "化肥", True, False), ("C2631", "农药", True, False),
    ("C2641", "涂料", True, False), ("C2710", "制药", True, False), ("C2821", "化纤", False, False),
    ("C2911", "轮胎", False, False), ("C2927", "塑业", False, False), ("C3011", "水泥", True, False),
    ("C3041", "玻璃", False, False), ("C3110", "钢铁", False, False), ("C3130", "钢管", False, False),
    ("C3311", "金属结构", False, False), ("C3431", "锅炉", True, True), ("C3441", "泵业", False, False),
    ("C3461", "轴承", False, False), ("C3491", "机械", False, False), ("C3512", "矿山机械", True, False),
    ("C3572", "农业机械", False, False), ("C3611", "汽车", True, False), ("C3670", "汽车零部件", False, False),
    ("C3811", "电机", False, False), ("C3831", "电线电缆", True, False), ("C3851", "家电", True, False),
    ("C3872", "照明电器", False, False), ("C3913", "计算机", False, False), ("C4011", "仪器仪表", False, False),
    ("C4015", "衡器", True, True), ("C3444", "压力容器", True, True), ("C3435", "电梯", True, True),
)

NAME_CHARS = "鲁齐泰华恒信宏盛金鼎瑞丰博远东方海岱新元晨星龙腾祥和永安德润嘉禾天成汇通正大中联众诚明辉宇航环球" \
             "凯达昌隆富源汇金兴业长城圣泉万达创新宏图弘毅立信福瑞锦程振华"
SUFFIXES = (("有限公司", 80), ("股份有限公司", 12), ("集团有限公司", 5), ("有限责任公司", 3))
SUFFIX_WORDS = ("", "", "", "科技", "制造", "实业", "工业")

HONOURS = (("government_quality_award", "provincial", "山东省人民政府"), ("famous_brand_zone", "national", "国家市场监督管理总局"),
           ("quality_improvement_zone", "national", "国家市场监督管理总局"), ("standard_innovation_award", "national",
           "国家标准化管理委员会"), ("standardization_demo", "national", "国家标准化管理委员会"),
           ("credit_aaa", "provincial", "山东省质量评价协会"), ("inspection_platform_zone", "national", "国家市场监督管理总局"),
           ("metrology_benchmark", "provincial", "山东省市场监督管理局"), ("other", "provincial", "山东省市场监督管理局"))
CREDIT_RATINGS = {"bank": ("AAA", "AA", "A", "BBB"), "tax": ("A级纳税人", "B级纳税人", "M级纳税人"),
                  "market": ("守信", "一般"), "customs": ("高级认证企业", "一般认证企业", "一般信用企业")}

_city_weights = list(itertools.accumulate(c[3] for c in CITIES))
_suffix_weights = list(itertools.accumulate(w for _, w in SUFFIXES))


def _org_code(index: int) -> str:
    """Positions 9–17 of the USCC: "MA" (as on codes issued since 2015) and 7 characters from
    the index, so that every generated enterprise has its own code."""
    chars = []
    for _ in range(7):
        index, rem = divmod(index, 31)
        chars.append(ALPHABET[rem])
    return "MA" + "".join(reversed(chars))


class _Enterprise:
    """Builds one enterprise and its records with its own random stream."""

    def __init__(self, index: int, as_of: date, seed: int):
        self.rng = random.Random(seed * 1_000_003 + index)
        self.index = index
        self.as_of = as_of
        self.records: list[dict] = []
        self.n = 0

    def day(self, start: date, end: date) -> date:
        span = (end - start).days
        return start + timedelta(days=self.rng.randint(0, max(span, 0)))

    def recent(self, years: float = 5.0) -> date:
        start = max(self.established, self.as_of - timedelta(days=int(365 * years)))
        return self.day(start, self.as_of)

    def this_year(self) -> date:
        return self.day(max(self.established, self.as_of - timedelta(days=360)), self.as_of)

    def add(self, kind: str, when: date, prefix: str, provincial: bool = False, **fields) -> None:
        self.n += 1
        year = when.year
        if provincial:
            source, ref = "山东省市场监督管理局", f"鲁市监{prefix}〔{year}〕{self.rng.randint(1, 300)}号"
        else:
            source = f"{self.city_name}市市场监督管理局"
            ref = f"{self.city_abbr}市监{prefix}〔{year}〕{self.rng.randint(1, 600)}号"
        record = {"id": f"{self.city_code}-{self.index:07d}-{self.n:03d}", "uscc": self.uscc, "kind": kind,
                  "date": when.isoformat(), "source": source, "ref": ref}
        record.update(fields)
        self.records.append(record)

    def build(self) -> tuple[dict, list[dict]]:
        rng = self.rng
        city = CITIES[bisect.bisect_right(_city_weights, rng.random() * _city_weights[-1])]
        self.city_code, self.city_name, self.city_abbr = city[0], city[1], city[2]
        region, _district = rng.choice(city[4])
        industry, word, licence_likely, testing_likely = rng.choice(INDUSTRIES)
        suffix = SUFFIXES[bisect.bisect_right(_suffix_weights, rng.random() * _suffix_weights[-1])][0]
        name = f"{self.city_name}{rng.choice(NAME_CHARS)}{rng.choice(NAME_CHARS)}{word}{rng.choice(SUFFIX_WORDS)}{suffix}"
        self.uscc = make_uscc("91" + region + _org_code(self.index))
        age_roll = rng.random()
        if age_roll < 0.06:  # young enterprises: not yet 2 years (no B), 2–3 years (no A)
            self.established = self.day(self.as_of - timedelta(days=700), self.as_of - timedelta(days=30))
        elif age_roll < 0.12:
            self.established = self.day(add_years(self.as_of, -3) + timedelta(days=5), add_years(self.as_of, -2))
        else:
            self.established = self.day(date(1995, 1, 1), add_years(self.as_of, -3))
        licence_required = rng.random() < (0.8 if licence_likely else 0.12)
        mandatory_testing = testing_likely or rng.random() < 0.05
        exporter = rng.random() < 0.2
        status = "deregistered" if rng.random() < 0.01 else "active"
        enterprise = {"uscc": self.uscc, "name": name, "established_on": self.established.isoformat(),
                      "region": region, "industry": industry, "licence_required": licence_required,
                      "mandatory_testing": mandatory_testing, "exporter": exporter, "status": status}

        self._routine(licence_required, mandatory_testing, exporter)
        if licence_required:
            self._licences()
        self._incidents(exporter, mandatory_testing)
        if rng.random() < 0.05:
            self._honour()
        self.records.sort(key=lambda r: (r["date"], r["id"]))
        return enterprise, self.records

    def _routine(self, licence_required: bool, mandatory_testing: bool, exporter: bool) -> None:
        rng = self.rng
        # Failures are rarer in the current year than before it: most enterprises with a failed
        # sampling have put it right by the next round (graded B rather than C or A).
        current_start = self.as_of - timedelta(days=365)
        for _ in range(int(rng.triangular(2, 22, 8))):
            when = self.recent()
            failed = rng.random() < (0.02 if when > current_start else 0.11)
            fields = {"scope": "metrology" if rng.random() < 0.15 else "quality", "result": "fail" if failed else "pass",
                      "own_fault": not (failed and rng.random() < 0.15)}
            self.add("sampling", when, "抽", provincial=rng.random() < 0.3, **fields)
        for _ in range(int(rng.triangular(1, 12, 4))):
            when = self.recent()
            result = "fail" if rng.random() < (0.01 if when > current_start else 0.07) else "pass"
            self.add("inspection", when, "查", scope="metrology" if rng.random() < 0.2 else "quality", result=result)
        for year_back in range(rng.randint(1, 4)):
            when = self.day(self.as_of - timedelta(days=365 * (year_back + 1) - 1), self.as_of - timedelta(days=365 * year_back))
            if when >= self.established:
                rate = 1.0 if rng.random() < 0.97 else round(rng.uniform(0.97, 0.999), 3)
                self.add("factory_pass_rate", when, "统", rate=rate)
        if mandatory_testing:
            for _ in range(rng.randint(1, 4)):
                rate = 1.0 if rng.random() < 0.95 else round(rng.uniform(0.9, 0.995), 3)
                self.add("statutory_test", self.recent(3), "检", pass_rate=rate,
                         serious_nonconformity=rng.random() < 0.01, shipped_uninspected=rng.random() < 0.005)
        if exporter:
            for _ in range(rng.randint(1, 3)):
                rate = 1.0 if rng.random() < 0.95 else round(rng.uniform(0.95, 0.999), 3)
                self.add("export_test", self.recent(3), "出检", provincial=True, pass_rate=rate)
        for provider in rng.sample(("bank", "tax", "market", "customs"), rng.randint(0, 3)):
            self.add("external_credit", self.recent(2), "信", provider=provider,
                     rating=rng.choice(CREDIT_RATINGS[provider]))
        for _ in range(int(rng.triangular(0, 4, 0))):  # complaints, mostly not substantiated
            verified = rng.random() < 0.35
            own = verified and rng.random() < 0.5
            self.add("complaint", self.recent(), "诉", scope="quality", verified=verified, own_fault=own,
                     illegal=own and rng.random() < 0.1,
                     resolution="timely" if not own or rng.random() < 0.8 else rng.choice(("late", "unresolved")))

    def _licences(self) -> None:
        rng = self.rng
        number = f"XK{rng.randint(10, 16)}-{rng.randint(100, 999)}-{self.index % 100000:05d}"
        roll = rng.random()
        if roll < 0.004:
            return  # 无证生产: licence required, none on file
        start = max(self.established, self.as_of - timedelta(days=rng.randint(200, 1700)))
        valid_to = add_years(start, 5)
        fields = {"number": number, "licence_type": "工业产品生产许可证", "valid_from": start.isoformat(),
                  "valid_to": valid_to.isoformat()}
        if roll < 0.012:  # expired, not renewed
            start = add_years(self.as_of, -5) - timedelta(days=rng.randint(10, 200))
            fields.update(valid_from=start.isoformat(), valid_to=add_years(start, 5).isoformat())
            self.add("licence", start, "许", provincial=True, status="valid", **fields)
            return
        self.add("licence", start, "许", provincial=True, status="valid", **fields)
        if roll < 0.03:  # rectification ordered this year
            when = self.this_year()
            later = rng.random() < 0.75
            rectify_by = when + timedelta(days=rng.randint(90, 180)) if later else when + timedelta(days=30)
            if rectify_by <= self.as_of and later:
                rectify_by = self.as_of + timedelta(days=rng.randint(10, 90))
            self.add("licence", when, "许", provincial=True, status="rectifying", rectify_by=rectify_by.isoformat(),
                     **fields)
        elif roll < 0.036:
            self.add("licence", self.this_year(), "许", provincial=True, status="rectification_failed", **fields)
        elif roll < 0.04:
            self.add("licence", self.this_year(), "许", provincial=True,
                     status=rng.choice(("revoked", "suspended")), **fields)
        elif roll < 0.042:  # a renewal that only takes effect next month
            nxt = self.as_of + timedelta(days=rng.randint(5, 40))
            self.add("licence", self.this_year(), "许", provincial=True, status="valid",
                     **{**fields, "number": number + "-N", "valid_from": nxt.isoformat(),
                        "valid_to": add_years(nxt, 5).isoformat()})

    def _incidents(self, exporter: bool, mandatory_testing: bool) -> None:
        rng = self.rng
        r = rng.random
        if r() < 0.045:
            self.add("penalty", self.recent(), "罚", scope=rng.choice(("quality", "quality", "metrology", "other")),
                     severity="ordinary", decision_no=f"{self.city_abbr}市监罚〔{self.as_of.year - 1}〕{rng.randint(1, 400)}号")
        if r() < 0.004:
            self.add("penalty", self.recent(2), "罚", provincial=True, scope="quality", severity="grave",
                     decision_no=f"鲁市监罚〔{self.as_of.year}〕{rng.randint(1, 90)}号")
        if r() < 0.02:
            self.add("standard_conduct", self.recent(2), "标", finding="below_declared")
        if r() < 0.005:
            self.add("standard_conduct", self.recent(2), "标", finding=rng.choice(("not_per_standard", "no_standard")))
        if r() < 0.012:
            self.add("false_claim", self.recent(2), "广", harm=rng.choice(("none", "none", "significant")))
        if r() < 0.002:
            self.add("false_claim", self.recent(2), "广", harm="major")
        if r() < 0.008:
            self.add("accident", self.recent(2), "事", severity="general")
        if r() < 0.002:
            self.add("accident", self.recent(2), "事", provincial=True, severity="major")
        if r() < 0.015:
            self.add("after_sales", self.recent(2), "服", finding="not_fulfilled")
        if r() < 0.003:
            self.add("after_sales", self.recent(2), "服", finding="severe_breach")
        if exporter and r() < 0.08:
            self.add("export_conformity", self.recent(2), "出评", provincial=True,
                     finding="serious" if r() < 0.35 else "nonconformity")
        if r() < 0.003:
            self.add("counterfeit", self.recent(2), "假")
        if r() < 0.006:  # two consecutive failed samplings this year (QCO 三(四)4)
            first = self.this_year()
            for when in (first, min(first + timedelta(days=rng.randint(20, 120)), self.as_of)):
                self.add("sampling", when, "抽", scope="quality", result="fail", own_fault=True)
        if r() < 0.015:
            self.add("media_exposure", self.recent(), "媒", verified=r() < 0.6, major=r() < 0.5)

    def _honour(self) -> None:
        rng = self.rng
        honour_type, level, issued_by = rng.choice(HONOURS)
        when = self.recent(4)
        fields = {"honour_type": honour_type, "level": level, "issued_by": issued_by}
        if rng.random() < 0.85:
            fields["valid_to"] = add_years(when, rng.choice((3, 4, 5))).isoformat()
        if honour_type == "other" and rng.random() < 0.6:
            fields["justification"] = "连续多年产品质量国家监督抽查合格，主导制定行业标准"
        self.add("honour", when, "荣", provincial=True, **fields)


def iter_archive(*, enterprises: int, as_of: date, seed: int = DEFAULT_SEED) -> Iterator[tuple[dict, list[dict]]]:
    """(enterprise, its records) for enterprises 1…N, in bundle form, one at a time."""
    for index in range(1, enterprises + 1):
        yield _Enterprise(index, as_of, seed).build()


def generate_bundle(*, enterprises: int, as_of: date, seed: int = DEFAULT_SEED) -> dict:
    doc: dict = {"format": FORMAT, "enterprises": [], "records": []}
    for enterprise, records in iter_archive(enterprises=enterprises, as_of=as_of, seed=seed):
        doc["enterprises"].append(enterprise)
        doc["records"].extend(records)
    return doc


def write_bundle_jsonl(path: str | Path, *, enterprises: int, as_of: date, seed: int = DEFAULT_SEED) -> tuple[int, int]:
    n_enterprises = n_records = 0
    with Path(path).open("w", encoding="utf-8") as out:
        out.write(json.dumps({"format": FORMAT}) + "\n")
        for enterprise, records in iter_archive(enterprises=enterprises, as_of=as_of, seed=seed):
            out.write(json.dumps({"enterprise": enterprise}, ensure_ascii=False) + "\n")
            n_enterprises += 1
            for record in records:
                out.write(json.dumps({"record": record}, ensure_ascii=False) + "\n")
                n_records += 1
    return n_enterprises, n_records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成山东省演示质量档案（qcredit-archive/1）")
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--as-of", default=date.today().isoformat())
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", required=True, help=".jsonl（流式）或 .json")
    args = parser.parse_args(argv)
    as_of = date.fromisoformat(args.as_of)
    if args.out.endswith(".jsonl"):
        n_e, n_r = write_bundle_jsonl(args.out, enterprises=args.enterprises, as_of=as_of, seed=args.seed)
    else:
        doc = generate_bundle(enterprises=args.enterprises, as_of=as_of, seed=args.seed)
        Path(args.out).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        n_e, n_r = len(doc["enterprises"]), len(doc["records"])
    print(f"{n_e} 家企业、{n_r} 条记录 → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

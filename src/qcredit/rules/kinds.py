"""The vocabulary of the quality archive (SPEC §2, §3): enterprise fields, record kinds,
their fields, types and enums.

Pure Python. The bundle validator, the database models and the rules all read this one
table, so a kind or an enum value is defined exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

# Field types of the interchange format.
STR = "str"
BOOL = "bool"
DATE = "date"
RATE = "rate"  # a number 0..1
ENUM = "enum"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str  # 中文
    required: bool = True
    choices: tuple[str, ...] = ()
    default: object = None

    @property
    def optional(self) -> bool:
        return not self.required


def _enum(name: str, label: str, *choices: str, required: bool = True) -> Field:
    return Field(name, ENUM, label, required=required, choices=choices)


def _bool(name: str, label: str, default: bool = False) -> Field:
    return Field(name, BOOL, label, required=False, default=default)


SCOPE_QM = ("quality", "metrology")

ENTERPRISE_FIELDS: tuple[Field, ...] = (
    Field("uscc", STR, "统一社会信用代码"),
    Field("name", STR, "名称"),
    Field("established_on", DATE, "成立日期"),
    Field("region", STR, "行政区划代码"),
    Field("industry", STR, "行业代码", required=False),
    Field("licence_required", BOOL, "实行行政许可管理"),
    Field("mandatory_testing", BOOL, "依法需要监督检验"),
    Field("exporter", BOOL, "出口企业"),
    _enum("status", "状态", "active", "deregistered"),
)

COMMON_FIELDS: tuple[Field, ...] = (
    Field("id", STR, "记录编号"),
    Field("uscc", STR, "统一社会信用代码"),
    Field("kind", STR, "记录类别"),
    Field("date", DATE, "日期"),
    Field("source", STR, "记录单位"),
    Field("ref", STR, "文号", required=False),
    Field("note", STR, "备注", required=False),
)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("sampling", "产品质量/计量监督抽查", (
            _enum("scope", "领域", *SCOPE_QM),
            _enum("result", "结果", "pass", "fail"),
            _bool("own_fault", "因自身原因", default=True),
        )),
        Kind("inspection", "监督检查", (
            _enum("scope", "领域", *SCOPE_QM),
            _enum("result", "结果", "pass", "fail"),
        )),
        Kind("statutory_test", "依法监督检验", (
            Field("pass_rate", RATE, "检验合格率"),
            _bool("serious_nonconformity", "严重不合格项目"),
            _bool("shipped_uninspected", "未经监督检验出厂"),
        )),
        Kind("factory_pass_rate", "产品出厂合格率", (Field("rate", RATE, "出厂合格率"),)),
        Kind("export_test", "检验检疫机构出口检验", (Field("pass_rate", RATE, "检验合格率"),)),
        Kind("export_conformity", "出口申报管理、符合性评定", (
            _enum("finding", "评定结论", "nonconformity", "serious"),
        )),
        Kind("penalty", "质量、计量违法违规 / 行政处罚", (
            _enum("scope", "领域", "quality", "metrology", "other"),
            _enum("severity", "程度", "ordinary", "grave"),
            Field("decision_no", STR, "处罚决定书文号", required=False),
        )),
        Kind("complaint", "质量、计量投诉、索赔和退货", (
            _enum("scope", "领域", *SCOPE_QM),
            _bool("verified", "查实"),
            _bool("own_fault", "属于企业责任"),
            _bool("illegal", "有违法情节"),
            _enum("resolution", "处理", "timely", "late", "unresolved"),
        )),
        Kind("accident", "质量事故", (_enum("severity", "程度", "general", "major"),)),
        Kind("false_claim", "虚假广告、虚假数据、虚假宣传", (
            _enum("harm", "危害", "none", "significant", "major"),
        )),
        Kind("standard_conduct", "按标准组织生产", (
            _enum("finding", "发现", "below_declared", "not_per_standard", "no_standard"),
        )),
        Kind("counterfeit", "故意生产假冒伪劣产品", ()),
        Kind("after_sales", "售后服务", (_enum("finding", "发现", "not_fulfilled", "severe_breach"),)),
        Kind("licence", "行政许可/法定资质", (
            Field("number", STR, "证书编号"),
            Field("licence_type", STR, "许可类别", required=False),
            Field("valid_from", DATE, "有效期起"),
            Field("valid_to", DATE, "有效期至"),
            _enum("status", "状态", "valid", "rectifying", "rectification_failed", "revoked", "suspended"),
            Field("rectify_by", DATE, "整改期限", required=False),
        )),
        Kind("honour", "荣誉、认定", (
            _enum("honour_type", "荣誉类别",
                  "government_quality_award", "famous_brand_zone", "quality_improvement_zone",
                  "standard_innovation_award", "standardization_demo", "credit_aaa",
                  "inspection_platform_zone", "metrology_benchmark", "other"),
            _enum("level", "级别", "national", "provincial"),
            Field("issued_by", STR, "授予单位", required=False),
            Field("valid_to", DATE, "有效期至", required=False),
            Field("justification", STR, "理由", required=False),
        )),
        Kind("media_exposure", "新闻媒体负面曝光", (
            _bool("verified", "经调查核实与事实相符"),
            _bool("major", "重大"),
        )),
        Kind("external_credit", "银行、税务、工商、海关信用状况", (
            _enum("provider", "提供部门", "bank", "tax", "market", "customs"),
            Field("rating", STR, "信用评级"),
        )),
    )
}

# Every kind-specific field name, with the union of its definitions' types. Fields that
# share a name across kinds (scope, result, finding, severity, status, …) share one column.
RECORD_FIELD_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(f.name for k in KINDS.values() for f in k.fields)
)

# Human labels of enum values (中文), for screens and explanations.
CHOICE_LABELS: dict[str, str] = {
    "quality": "质量", "metrology": "计量", "other": "其他",
    "pass": "合格", "fail": "不合格",
    "nonconformity": "不合格项", "serious": "严重不合格项",
    "ordinary": "一般", "grave": "严重（达到吊销许可、执照或移送司法机关的程度）",
    "timely": "及时解决", "late": "未及时解决", "unresolved": "未解决",
    "general": "一般事故", "major": "重大",
    "none": "未造成较大危害", "significant": "造成较大危害",
    "below_declared": "低于明示或承诺标准", "not_per_standard": "不按标准生产",
    "no_standard": "无标准生产",
    "not_fulfilled": "不能按承诺做好售后服务", "severe_breach": "严重违反、不能提供售后服务",
    "valid": "有效", "rectifying": "整改中", "rectification_failed": "整改期满未达到要求",
    "revoked": "已吊销/撤销", "suspended": "已暂停",
    "government_quality_award": "省级以上政府质量奖", "famous_brand_zone": "全国知名品牌创建示范区",
    "quality_improvement_zone": "国家级产品质量提升示范区",
    "standard_innovation_award": "中国标准创新贡献奖", "standardization_demo": "国家标准化示范单位",
    "credit_aaa": "企业质量信用等级AAA", "inspection_platform_zone": "国家检验检测认证公共服务平台示范区",
    "metrology_benchmark": "工业计量标杆示范单位",
    "national": "国家级", "provincial": "省级",
    "bank": "银行", "tax": "税务", "market": "市场监管（工商）", "customs": "海关",
    "active": "存续", "deregistered": "已注销",
}


def display_value(f: Field, value) -> str:
    """A field's value as people read it, in Chinese: 是/否, a percentage, an ISO date, the
    label of a choice; "—" for nothing. One rendering for every page, letter and file."""
    if value is None or value == "":
        return "—"
    if f.type == BOOL and isinstance(value, bool):
        return "是" if value else "否"
    if f.type == RATE and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value * 100:.2f}%".replace(".00%", "%")
    if f.type == ENUM and isinstance(value, str):
        return CHOICE_LABELS.get(value, value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)

"""The facts the criteria ask about, in SPEC's words (SPEC §3, §4, §4.1, §5.1).

Each fact is named once here and reused by every criterion that asks the same question,
so that "a failed sampling in the current window" means one thing everywhere.
"""

from __future__ import annotations

from .model import (
    FAILED,
    LICENCE_STATES,
    RECTIFYING,
    VALID,
    Attribute,
    Below,
    Consecutive,
    Eq,
    EstablishedFor,
    Exists,
    GradeIn,
    HonourIn,
    In,
    LicenceIn,
    Match,
    NonBlank,
    Window,
)

CURRENT = Window("current_window", basis_parameter="current_window_basis")  # 当年 (I-1)
A_CLEAN = Window("a_clean_years")  # QCO 三(一)1 "3年内"
REDLIST_CLEAN = Window("redlist_clean_years")  # SRL 第九条(二) "之前连续三年"

# --- record predicates -------------------------------------------------------------------
SAMPLING_FAIL = Match("sampling", (Eq("result", "fail"),))
SAMPLING_FAIL_OWN = Match("sampling", (Eq("result", "fail"), Eq("own_fault", True)))
INSPECTION_FAIL = Match("inspection", (Eq("result", "fail"),))
PENALTY_QM = Match("penalty", (In("scope", ("quality", "metrology")),))
PENALTY_QM_ORDINARY = Match("penalty", (In("scope", ("quality", "metrology")), Eq("severity", "ordinary")))
PENALTY_GRAVE = Match("penalty", (Eq("severity", "grave"),))
PENALTY_ANY = Match("penalty")
STANDARD_ANY = Match("standard_conduct")
STANDARD_BELOW = Match("standard_conduct", (Eq("finding", "below_declared"),))
STANDARD_NONE = Match("standard_conduct", (In("finding", ("not_per_standard", "no_standard")),))
FACTORY_BELOW = Match("factory_pass_rate", (Below("rate", 1.0),))
STATUTORY_BELOW = Match("statutory_test", (Below("pass_rate", 1.0),))
EXPORT_TEST_BELOW = Match("export_test", (Below("pass_rate", 1.0),))
STATUTORY_SERIOUS = Match("statutory_test", (Eq("serious_nonconformity", True),))
STATUTORY_UNINSPECTED = Match("statutory_test", (Eq("shipped_uninspected", True),))
FALSE_CLAIM_ANY = Match("false_claim")
FALSE_CLAIM_MINOR = Match("false_claim", (In("harm", ("none", "significant")),))
FALSE_CLAIM_MAJOR = Match("false_claim", (Eq("harm", "major"),))
OWN_COMPLAINT = Match("complaint", (Eq("verified", True), Eq("own_fault", True)))
OWN_COMPLAINT_UNRESOLVED = Match(
    "complaint", (Eq("verified", True), Eq("own_fault", True), In("resolution", ("late", "unresolved"))))
ILLEGAL_COMPLAINT = Match("complaint", (Eq("verified", True), Eq("illegal", True)))
ACCIDENT_ANY = Match("accident")
ACCIDENT_GENERAL = Match("accident", (Eq("severity", "general"),))
ACCIDENT_MAJOR = Match("accident", (Eq("severity", "major"),))
AFTER_SALES_ANY = Match("after_sales")
AFTER_SALES_UNFULFILLED = Match("after_sales", (Eq("finding", "not_fulfilled"),))
AFTER_SALES_SEVERE = Match("after_sales", (Eq("finding", "severe_breach"),))
EXPORT_CONFORMITY_ANY = Match("export_conformity")
EXPORT_CONFORMITY_SERIOUS = Match("export_conformity", (Eq("finding", "serious"),))
COUNTERFEIT = Match("counterfeit")
MEDIA_MAJOR_VERIFIED = Match("media_exposure", (Eq("verified", True), Eq("major", True)))

# --- the enterprise ------------------------------------------------------------------------
LICENCE_REQUIRED = Attribute("licence_required", "实行行政许可管理", attribute="licence_required")
ESTABLISHED_A = EstablishedFor("established_a", "依法设立满A级年限", years_parameter="a_min_age")
ESTABLISHED_B = EstablishedFor("established_b", "依法设立满B级年限", years_parameter="b_min_age")

# --- QCO facts -----------------------------------------------------------------------------
QM_VIOLATION_A = Exists("qm_violation_a", "A级年限内监督抽查/检查不合格或质量、计量违法违规记录",
                        matches=(SAMPLING_FAIL, INSPECTION_FAIL, PENALTY_QM), window=A_CLEAN)
QM_VIOLATION_CURRENT = Exists("qm_violation_current", "当年监督抽查/检查不合格或质量、计量违法违规记录",
                              matches=(SAMPLING_FAIL, INSPECTION_FAIL, PENALTY_QM), window=CURRENT)
STANDARD_FINDING = Exists("standard_finding", "当年未按明示或承诺标准组织生产的记录",
                          matches=(STANDARD_ANY,), window=CURRENT)
STANDARD_BELOW_DECLARED = Exists("standard_below_declared", "当年低于明示或承诺标准组织生产",
                                 matches=(STANDARD_BELOW,), window=CURRENT)
STANDARD_NOT_FOLLOWED = Exists("standard_not_followed", "当年无标准生产或不按标准生产",
                               matches=(STANDARD_NONE,), window=CURRENT)
PASS_RATE_BELOW_100 = Exists("pass_rate_below_100", "当年出厂合格率、监督检验合格率或出口检验合格率低于100%",
                             matches=(FACTORY_BELOW, STATUTORY_BELOW, EXPORT_TEST_BELOW), window=CURRENT)
FALSE_CLAIM = Exists("false_claim", "当年虚假广告、虚假数据或虚假宣传", matches=(FALSE_CLAIM_ANY,), window=CURRENT)
FALSE_CLAIM_NOT_MAJOR = Exists("false_claim_not_major", "当年未造成重大危害的虚假宣传",
                               matches=(FALSE_CLAIM_MINOR,), window=CURRENT)
FALSE_CLAIM_HARMFUL = Exists("false_claim_major", "当年造成重大危害的虚假宣传",
                             matches=(FALSE_CLAIM_MAJOR,), window=CURRENT)
OWN_FAULT_COMPLAINT = Exists("own_fault_complaint", "当年查实的属于企业责任的投诉、索赔和退货",
                             matches=(OWN_COMPLAINT,), window=CURRENT)
OWN_FAULT_COMPLAINT_UNRESOLVED = Exists(
    "own_fault_complaint_unresolved", "当年未能及时解决的属于企业责任的投诉、索赔和退货",
    matches=(OWN_COMPLAINT_UNRESOLVED,), window=CURRENT)
ACCIDENT = Exists("accident", "当年因质量问题导致的事故", matches=(ACCIDENT_ANY,), window=CURRENT)
GENERAL_ACCIDENT = Exists("accident_general", "当年一般质量事故", matches=(ACCIDENT_GENERAL,), window=CURRENT)
MAJOR_ACCIDENT = Exists("accident_major", "当年重大质量事故", matches=(ACCIDENT_MAJOR,), window=CURRENT)
AFTER_SALES_FINDING = Exists("after_sales_finding", "当年未按承诺做好售后服务的记录",
                             matches=(AFTER_SALES_ANY,), window=CURRENT)
AFTER_SALES_NOT_FULFILLED = Exists("after_sales_not_fulfilled", "当年不能按承诺做好售后服务",
                                   matches=(AFTER_SALES_UNFULFILLED,), window=CURRENT)
AFTER_SALES_SEVERE_BREACH = Exists("after_sales_severe_breach", "当年严重违反售后服务承诺、不能提供售后服务",
                                   matches=(AFTER_SALES_SEVERE,), window=CURRENT)
EXPORT_FINDING = Exists("export_conformity_finding", "当年出口申报管理、符合性评定不合格项",
                        matches=(EXPORT_CONFORMITY_ANY,), window=CURRENT)
EXPORT_SERIOUS = Exists("export_conformity_serious", "当年出口申报管理、符合性评定严重不合格项",
                        matches=(EXPORT_CONFORMITY_SERIOUS,), window=CURRENT)
PENALTY_ORDINARY = Exists("penalty_qm_ordinary", "当年一般质量、计量违法违规行为",
                          matches=(PENALTY_QM_ORDINARY,), window=CURRENT)
SAMPLING_OR_INSPECTION_FAIL = Exists("sampling_or_inspection_fail", "当年监督抽查或监督检查不合格",
                                     matches=(SAMPLING_FAIL, INSPECTION_FAIL), window=CURRENT)
CONSECUTIVE_SAMPLING_FAILS = Consecutive(
    "consecutive_sampling_fails", "当年连续2次监督抽查不合格（质量与计量合并排序，中间无合格）",
    kind="sampling", failing=(Eq("result", "fail"),), run=2, window=CURRENT)
STATUTORY_SERIOUS_OR_UNINSPECTED = Exists(
    "statutory_serious", "当年依法监督检验有严重不合格项目或未经监督检验出厂",
    matches=(STATUTORY_SERIOUS, STATUTORY_UNINSPECTED), window=CURRENT)
COUNTERFEIT_PRODUCTION = Exists("counterfeit", "当年故意生产假冒伪劣产品", matches=(COUNTERFEIT,), window=CURRENT)
GRAVE_VIOLATION = Exists("penalty_grave", "当年达到吊销许可、吊销执照或移送司法机关程度的违法行为",
                         matches=(PENALTY_GRAVE,), window=CURRENT)

LICENCE_VALID = LicenceIn("licence_valid", "评价日有有效的行政许可", states=frozenset({VALID}))
LICENCE_VALID_OR_RECTIFYING = LicenceIn("licence_valid_or_rectifying", "评价日有有效或整改期内的行政许可",
                                        states=frozenset({VALID, RECTIFYING}))
LICENCE_RECTIFYING = LicenceIn("licence_rectifying", "评价日行政许可处于整改期内", states=frozenset({RECTIFYING}))
LICENCE_FAILED = LicenceIn("licence_failed", "整改期满仍未达到行政许可要求", states=frozenset({FAILED}))
LICENCE_ANY = LicenceIn("licence_any", "评价日各行政许可的状态", states=frozenset(LICENCE_STATES))

# --- SRL facts ------------------------------------------------------------------------------
HONOUR_8_1 = HonourIn("honour_8_1", "省级以上政府质量奖、全国知名品牌创建示范区或国家级产品质量提升示范区",
                      types=("government_quality_award", "famous_brand_zone", "quality_improvement_zone"))
HONOUR_8_2 = HonourIn("honour_8_2", "中国标准创新贡献奖或国家标准化示范单位",
                      types=("standard_innovation_award", "standardization_demo"))
HONOUR_8_3 = HonourIn("honour_8_3", "企业质量信用等级AAA（DB37/T 2986.1-2017）", types=("credit_aaa",))
HONOUR_8_4 = HonourIn("honour_8_4", "国家检验检测认证公共服务平台示范区", types=("inspection_platform_zone",))
HONOUR_8_5 = HonourIn("honour_8_5", "国家级或省级工业计量标杆示范单位", types=("metrology_benchmark",))
HONOUR_8_6 = HonourIn("honour_8_6", "其他卓越质量信用表现（附理由）", types=("other",),
                      conditions=(NonBlank("justification"),))
GRADE_C_OR_D = GradeIn("grade_c_or_d", "同一评价日的质量信用等级为C或D", grades=("C", "D"))
OWN_SAMPLING_FAIL_SRL = Exists("own_sampling_fail_srl", "之前三年因自身原因的监督抽检不合格",
                               matches=(SAMPLING_FAIL_OWN,), window=REDLIST_CLEAN)
ILLEGAL_COMPLAINT_SRL = Exists("illegal_complaint_srl", "之前三年被查实的有违法情节的投诉举报",
                               matches=(ILLEGAL_COMPLAINT,), window=REDLIST_CLEAN)
PENALTY_SRL = Exists("penalty_srl", "之前三年的行政处罚", matches=(PENALTY_ANY,), window=REDLIST_CLEAN)
MEDIA_SRL = Exists("media_srl", "之前三年经核实的新闻媒体重大负面曝光",
                   matches=(MEDIA_MAJOR_VERIFIED,), window=REDLIST_CLEAN)

__all__ = [n for n in dir() if n.isupper()] + ["FAILED"]

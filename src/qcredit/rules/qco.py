"""QCO 三 — 企业质量信用监管指标、分类标准, in the order of the regulation.

Source: 国家质量监督检验检疫总局《关于加强企业质量信用监管工作的意见》(QCO).
Each criterion quotes its provision; the SPEC §10 interpretations it relies on are named in
``interpretations`` and listed in :mod:`qcredit.rules.interpretations`.

Reading guide: an A/B criterion *holds* when the enterprise meets the standard (符合); a
C/D criterion *holds* when the adverse situation is present (情形成立). Absence of an adverse
record meets a standard (I-2).
"""

from __future__ import annotations

from . import facts as f
from .model import Criterion

# (一) 守信(A 级)标准 ---------------------------------------------------------------------------

A1 = Criterion(
    "QCO-A1", "A", "QCO 三(一)1",
    "企业依法设立满3年，且3年内无产品质量、计量监督抽查不合格和监督检查不合格记录，无质量、计量违法、违规记录",
    "成立满A级年限，且A级年限内无监督抽查不合格、监督检查不合格、质量或计量行政处罚",
    f.ESTABLISHED_A & ~f.QM_VIOLATION_A,
    ("I-2",),
)
A2 = Criterion(
    "QCO-A2", "A", "QCO 三(一)2", "产品按明示或承诺标准组织生产",
    "当年无“按标准组织生产”方面的不良记录", ~f.STANDARD_FINDING, ("I-1", "I-2"),
)
A3 = Criterion(
    "QCO-A3", "A", "QCO 三(一)3",
    "产品质量稳定，产品出厂合格率达到100%；依法需要监督检验的，检验合格率为100%；出口企业在国际上有良好的质量信誉，检验检疫机构检验合格率达到100%",
    "当年出厂合格率、监督检验合格率、出口检验合格率均为100%", ~f.PASS_RATE_BELOW_100, ("I-1", "I-2"),
)
A4 = Criterion(
    "QCO-A4", "A", "QCO 三(一)4", "在产品质量上无虚假广告、对外提供的虚假数据和其他虚假宣传",
    "当年无虚假广告、虚假数据、虚假宣传记录", ~f.FALSE_CLAIM, ("I-1", "I-2"),
)
A5 = Criterion(
    "QCO-A5", "A", "QCO 三(一)5",
    "当年无属于企业责任而引起的质量、计量投诉、索赔和退货，无因质量问题而导致的事故",
    "当年无查实的属于企业责任的投诉、索赔和退货，无质量事故", ~f.OWN_FAULT_COMPLAINT & ~f.ACCIDENT, ("I-1", "I-2"),
)
A6 = Criterion(
    "QCO-A6", "A", "QCO 三(一)6", "按明示或承诺服务条款做好售后服务",
    "当年无售后服务方面的不良记录", ~f.AFTER_SALES_FINDING, ("I-1", "I-2"),
)
A7 = Criterion(
    "QCO-A7", "A", "QCO 三(一)7", "实行行政许可管理的企业、产品获得行政许可资格",
    "实行行政许可管理的，评价日有有效的行政许可", ~f.LICENCE_REQUIRED | f.LICENCE_VALID,
)
A8 = Criterion(
    "QCO-A8", "A", "QCO 三(一)8", "出口企业当年申报管理、符合性评定无不合格项",
    "当年出口申报管理、符合性评定无不合格项", ~f.EXPORT_FINDING, ("I-1", "I-2"),
)

# (二) 基本守信(B 级)标准 -------------------------------------------------------------------------

B1 = Criterion(
    "QCO-B1", "B", "QCO 三(二)1",
    "企业依法设立满2年，且当年内未发生产品质量、计量监督抽查不合格或监督检查不合格记录，无质量、计量违法、违规记录",
    "成立满B级年限，且当年无监督抽查不合格、监督检查不合格、质量或计量行政处罚",
    f.ESTABLISHED_B & ~f.QM_VIOLATION_CURRENT, ("I-1", "I-2", "I-3"),
)
B2 = Criterion("QCO-B2", "B", "QCO 三(二)2", "产品按明示或承诺标准组织生产",
               A2.check, A2.condition, A2.interpretations)
B3 = Criterion(
    "QCO-B3", "B", "QCO 三(二)3",
    "产品质量稳定，产品出厂合格率达到100%；依法需要监督检验的，检验合格率为100%；出口企业在国际上有较好的质量信誉，检验检疫机构检验合格率达到100%",
    A3.check, A3.condition, A3.interpretations,
)
B4 = Criterion("QCO-B4", "B", "QCO 三(二)4", "在产品质量上无虚假广告、对外提供的虚假数据和其他虚假宣传",
               A4.check, A4.condition, A4.interpretations)
B5 = Criterion(
    "QCO-B5", "B", "QCO 三(二)5", "能够及时解决因企业责任而引起的质量、计量投诉、索赔和退货，无因质量问题而导致的事故",
    "当年查实的属于企业责任的投诉均已及时解决，且无质量事故",
    ~f.OWN_FAULT_COMPLAINT_UNRESOLVED & ~f.ACCIDENT, ("I-1", "I-2"),
)
B6 = Criterion("QCO-B6", "B", "QCO 三(二)6", "按明示或承诺服务条款做好售后服务",
               A6.check, A6.condition, A6.interpretations)
B7 = Criterion("QCO-B7", "B", "QCO 三(二)7", "实行行政许可管理的企业、产品获得行政许可资格",
               A7.check, A7.condition)
B8 = Criterion(
    "QCO-B8", "B", "QCO 三(二)8", "出口企业当年申报管理、符合性评定无严重不合格项",
    "当年出口申报管理、符合性评定无严重不合格项", ~f.EXPORT_SERIOUS, ("I-1", "I-2"),
)

# (三) 失信(C 级)标准 ------------------------------------------------------------------------------

C0 = Criterion(
    "QCO-C0", "C", "QCO 三(三) 首句",
    "有违反法律法规的行为，有质量承诺未兑现记录，但未造成重大危害和损失的企业",
    "当年有一般程度的质量、计量违法违规行为（行政处罚）", f.PENALTY_ORDINARY, ("I-1", "I-4"),
)
C1 = Criterion(
    "QCO-C1", "C", "QCO 三(三)1",
    "实行行政许可管理的企业，产品未满足行政许可要求，但在规定的期限内通过整改能够达到要求",
    "评价日有处于整改期内的行政许可", f.LICENCE_RECTIFYING,
)
C2 = Criterion(
    "QCO-C2", "C", "QCO 三(三)2", "当年内发生产品质量、计量监督抽查或监督检查不合格记录",
    "当年有监督抽查或监督检查不合格（不论原因）", f.SAMPLING_OR_INSPECTION_FAIL, ("I-1",),
)
C3 = Criterion(
    "QCO-C3", "C", "QCO 三(三)3",
    "产品质量不稳定，监督检验合格率达不到100%；出口企业检验检疫机构检验合格率低于100%",
    "当年监督检验合格率、出口检验合格率或出厂合格率低于100%", f.PASS_RATE_BELOW_100, ("I-1", "I-5"),
)
C4 = Criterion(
    "QCO-C4", "C", "QCO 三(三)4", "产品低于企业明示或承诺标准组织生产",
    "当年有低于明示或承诺标准组织生产的记录", f.STANDARD_BELOW_DECLARED, ("I-1",),
)
C5 = Criterion(
    "QCO-C5", "C", "QCO 三(三)5",
    "在产品质量上存在虚假广告、对外提供的虚假数据和其他虚假宣传现象，但未造成较大危害和损失的",
    "当年有未造成重大危害的虚假广告、虚假数据或虚假宣传", f.FALSE_CLAIM_NOT_MAJOR, ("I-1",),
)
C6 = Criterion(
    "QCO-C6", "C", "QCO 三(三)6",
    "未能及时解决因企业责任而引起的质量、计量投诉，索赔和退货，发生过因质量不良而导致的一般事故",
    "当年有未及时解决的属于企业责任的投诉，或发生一般质量事故",
    f.OWN_FAULT_COMPLAINT_UNRESOLVED | f.GENERAL_ACCIDENT, ("I-1",),
)
C7 = Criterion(
    "QCO-C7", "C", "QCO 三(三)7", "不能够按明示或承诺服务条款做好售后服务",
    "当年有不能按承诺做好售后服务的记录", f.AFTER_SALES_NOT_FULFILLED, ("I-1",),
)
C8 = Criterion(
    "QCO-C8", "C", "QCO 三(三)8", "出口企业当年申报管理、符合性评定发生严重不合格项",
    "当年出口申报管理、符合性评定有严重不合格项", f.EXPORT_SERIOUS, ("I-1",),
)

# (四) 严重失信(D 级)标准 ---------------------------------------------------------------------------

D0 = Criterion(
    "QCO-D0", "D", "QCO 三(四) 首句",
    "违反有关法律法规、由于企业质量责任给社会及消费者造成重大危害和损失的企业",
    "当年发生重大质量事故", f.MAJOR_ACCIDENT, ("I-1", "I-6"),
)
D1 = Criterion(
    "QCO-D1", "D", "QCO 三(四)1", "企业无法定资质或法定资质有效证件失效",
    "实行行政许可管理，但评价日没有有效或整改期内的行政许可（无证、过期、吊销、暂停）",
    f.LICENCE_REQUIRED & ~f.LICENCE_VALID_OR_RECTIFYING,
    evidence_facts=(f.LICENCE_ANY,),
)
D2 = Criterion(
    "QCO-D2", "D", "QCO 三(四)2", "企业故意生产假冒伪劣产品",
    "当年有故意生产假冒伪劣产品的记录", f.COUNTERFEIT_PRODUCTION, ("I-1",),
)
D3 = Criterion(
    "QCO-D3", "D", "QCO 三(四)3", "实行行政许可管理的产品未满足行政许可要求，且在规定的整改期限内仍未达到要求",
    "有整改期满仍未达到要求的行政许可", f.LICENCE_FAILED,
)
D4 = Criterion(
    "QCO-D4", "D", "QCO 三(四)4",
    "当年连续2次产品质量、计量监督抽查不合格，依法需要监督检验的，有严重不合格项目或未经监督检验出厂",
    "当年连续2次监督抽查不合格，或依法监督检验有严重不合格项目、未经监督检验出厂",
    f.CONSECUTIVE_SAMPLING_FAILS | f.STATUTORY_SERIOUS_OR_UNINSPECTED, ("I-1",),
)
D5 = Criterion(
    "QCO-D5", "D", "QCO 三(四)5", "在产品质量上存在虚假广告、对外提供的虚假数据和其他虚假宣传，造成重大危害的",
    "当年有造成重大危害的虚假宣传", f.FALSE_CLAIM_HARMFUL, ("I-1",),
)
D6 = Criterion(
    "QCO-D6", "D", "QCO 三(四)6", "产品无标准生产或不按标准生产",
    "当年有无标准生产或不按标准生产的记录", f.STANDARD_NOT_FOLLOWED, ("I-1",),
)
D7 = Criterion(
    "QCO-D7", "D", "QCO 三(四)7", "有严重质量违法、违规行为，达到吊销行政许可、吊销营业执照或移送司法机关的程度",
    "当年有严重程度的违法违规行为（任何领域）", f.GRAVE_VIOLATION, ("I-1",),
)
D8 = Criterion(
    "QCO-D8", "D", "QCO 三(四)8", "严重违反明示或承诺服务条款，不能提供售后服务",
    "当年有严重违反售后服务承诺的记录", f.AFTER_SALES_SEVERE_BREACH, ("I-1",),
)

CRITERIA: tuple[Criterion, ...] = (
    A1, A2, A3, A4, A5, A6, A7, A8,
    B1, B2, B3, B4, B5, B6, B7, B8,
    C0, C1, C2, C3, C4, C5, C6, C7, C8,
    D0, D1, D2, D3, D4, D5, D6, D7, D8,
)

GRADE_LABELS = {"A": "守信", "B": "基本守信", "C": "失信", "D": "严重失信", "N": "未定级"}
# As the pages show a grade: the letter with its word ("C 失信"); "未定级" alone for N.
GRADE_DISPLAY = {g: (word if g == "N" else f"{g} {word}") for g, word in GRADE_LABELS.items()}

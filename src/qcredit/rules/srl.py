"""SRL 第八、九条 — red-list eligibility, in the order of the measures.

Source: 《山东省质监局质量信用“红名单”管理办法（试行）》(SRL). 第八条 lists qualifying
conditions (any one suffices); 第九条 lists mandatory conditions (all must hold).
"""

from __future__ import annotations

from . import facts as f
from .model import Criterion

Q1 = Criterion(
    "SRL-8.1", "SRL-8", "SRL 第八条(一)",
    "获得省级以上政府质量奖、全国知名品牌创建示范区等荣誉称号的法人或其他组织；完成国家级产品质量提升示范区创建",
    "评价日有效的省级以上政府质量奖、全国知名品牌创建示范区或国家级产品质量提升示范区荣誉", f.HONOUR_8_1,
)
Q2 = Criterion(
    "SRL-8.2", "SRL-8", "SRL 第八条(二)", "获得中国标准创新贡献奖的法人或组织；获得国家标准化示范单位的法人或组织",
    "评价日有效的中国标准创新贡献奖或国家标准化示范单位", f.HONOUR_8_2,
)
Q3 = Criterion(
    "SRL-8.3", "SRL-8", "SRL 第八条(三)",
    "根据《企业质量信用等级评价通则 第1部分：制造业》（DB37/T 2986.1-2017），企业质量信用等级评价为AAA级企业",
    "评价日有效的企业质量信用等级AAA评价", f.HONOUR_8_3,
)
Q4 = Criterion(
    "SRL-8.4", "SRL-8", "SRL 第八条(四)", "在质量提升行动中完成国家检验检测认证公共服务平台示范区建设的法人或组织",
    "评价日有效的国家检验检测认证公共服务平台示范区", f.HONOUR_8_4,
)
Q5 = Criterion(
    "SRL-8.5", "SRL-8", "SRL 第八条(五)", "获得国家级或省级工业计量标杆示范单位的法人或组织",
    "评价日有效的国家级或省级工业计量标杆示范单位", f.HONOUR_8_5,
)
Q6 = Criterion(
    "SRL-8.6", "SRL-8", "SRL 第八条(六)", "有其他卓越质量信用表现的法人或组织",
    "评价日有效的“其他卓越质量信用表现”，且写明了理由", f.HONOUR_8_6,
)

M1 = Criterion(
    "SRL-9.1", "SRL-9", "SRL 第九条(一)",
    "依法取得产品生产许可、资质认定等相关许可，严格遵守和执行质量技术监督相关法律法规，制度健全，生产经营规范，自觉接受行业行政主管部门监督与管理",
    "实行行政许可管理的，评价日有有效的行政许可；且同日的质量信用等级不是C或D",
    (~f.LICENCE_REQUIRED | f.LICENCE_VALID) & ~f.GRADE_C_OR_D, ("I-7",),
)
M2 = Criterion(
    "SRL-9.2", "SRL-9", "SRL 第九条(二)",
    "之前连续三年监督抽检无因自身原因造成的不合格产品，无被查实的有违法情节的质监领域投诉举报，无行政处罚",
    "评价日之前三年内无因自身原因的抽查不合格、无查实的有违法情节的投诉、无任何行政处罚",
    ~f.OWN_SAMPLING_FAIL_SRL & ~f.ILLEGAL_COMPLAINT_SRL & ~f.PENALTY_SRL, ("I-2",),
)
M3 = Criterion(
    "SRL-9.3", "SRL-9", "SRL 第九条(三)", "无新闻媒体重大负面曝光（经调查核实与事实相符）的问题",
    "评价日之前三年内无经核实的新闻媒体重大负面曝光", ~f.MEDIA_SRL, ("I-2",),
)

CRITERIA: tuple[Criterion, ...] = (Q1, Q2, Q3, Q4, Q5, Q6, M1, M2, M3)

# When no 第八条 condition holds, the result names the article as a whole.
NO_QUALIFYING_CONDITION = "SRL-8"
# A deregistered subject is no longer a 法人或其他组织 (SRL 第三条): not eligible (I-R1, docs).
NOT_A_SUBJECT = "SRL-3"

"""The interpretations of SPEC §10, shown wherever a criterion relies on one."""

from __future__ import annotations

from .model import Interpretation

INTERPRETATIONS: dict[str, Interpretation] = {
    i.id: i
    for i in (
        Interpretation("I-1", "“当年”指以评价日为终点的一年（评价日前一年之后至评价日），使等级动态调整；可由参数改为自然年。"),
        Interpretation("I-2", "质量档案记录的是例外情况：没有不良记录即视为符合该项标准（“无不良记录”）。"),
        Interpretation("I-3", "B级第1项“无质量、计量违法、违规记录”与同项前半句同样限于当年。"),
        Interpretation("I-4", "当年一般程度的质量、计量违法违规行为构成C级：适用三(三)首句“有违反法律法规的行为……但未造成重大危害和损失”。"),
        Interpretation("I-5", "出厂合格率低于100%属于“产品质量不稳定”（三(三)3），与A3、B3相对应。"),
        Interpretation("I-6", "重大质量事故构成D级：适用三(四)首句“造成重大危害和损失”。"),
        Interpretation("I-7", "质量信用等级为C或D的主体不符合“严格遵守和执行质量技术监督相关法律法规”，不能列入守信红名单。"),
        Interpretation("I-8", "公示A级有效期一年，期满须重新申请（“不搞终身制”）。"),
        Interpretation("I-9", "异议答复期限两份文件均未规定，参照国家信用修复实践设为参数。"),
        Interpretation("I-10", "黑名单最短公示期两份文件均未规定，参照国家信用修复实践设为参数。"),
        Interpretation("I-R1", "已注销的企业不再是SRL第三条所称“法人或其他组织”，不能列入红名单（本系统的解释，见 docs/decisions.md）。"),
    )
}

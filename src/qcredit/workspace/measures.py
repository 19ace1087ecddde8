"""Supervision measures by grade (QCO 四 企业质量信用监管措施; SPEC §9), as data.

The catalogue lists, per grade, each measure with its article and the regulation's own words.
Some measures concern only some enterprises (出口 → exporters, 生产许可证 → enterprises under
licence management, 撤销或暂停质量奖励 → enterprises holding honours); :func:`measures_for`
returns the measures of a grade that apply to one enterprise. Since issue 5 the catalogue is data
(:class:`qcredit.supervision.models.Measure`, seeded from :data:`CATALOGUE` by migration
supervision 0001, edited by the provincial admin): :func:`measures_for` reads it from there, and
:data:`CATALOGUE` stays as the seed text, reviewed against the regulation.

QCO 四 lead paragraph: the measures are set "根据企业质量信用等级，同时参照银行、税务、工商、
海关等部门反映的企业信用状况" — the external credit records are therefore shown beside the
measures (never changing the grade, QCO 三(五)); which external rating should tighten or relax
a measure is for the bureau to decide and is not automated here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Who a measure concerns: every enterprise of the grade, or only those with a property.
ALL = ""
EXPORTER = "exporter"
LICENCE = "licence"
HONOURS = "honours"

CONDITION_LABELS = {ALL: "", EXPORTER: "出口企业", LICENCE: "实行行政许可管理的企业", HONOURS: "已获质量奖励或享受扶优政策的企业"}


@dataclass(frozen=True)
class Measure:
    grade: str
    text: str  # the measure, short
    article: str  # e.g. "QCO 四(一)"
    quote: str  # the regulation's words
    concerns: str = ALL  # ALL or one of EXPORTER, LICENCE, HONOURS

    @property
    def concerns_label(self) -> str:
        return CONDITION_LABELS[self.concerns]


CATALOGUE: tuple[Measure, ...] = (
    # (一) 激励守信企业，加大扶持力度。
    Measure("A", "减少日常监管频次", "QCO 四(一)", "对 A 级企业，加大扶持和保护力度，减少日常监管频次。"),
    Measure("A", "名牌产品、免检产品、质量管理奖励、出口免验等质量奖励优先推荐", "QCO 四(一)",
            "对于符合条件的产品，在企业申请名牌产品、国家免检产品、质量管理奖励、出口免验产品等质量奖励时优先推荐。"),
    Measure("A", "加大打击假冒行为力度，保护企业及其产品声誉", "QCO 四(一)",
            "加大打击假冒行为的力度，切实保护守信企业及其产品的声誉。"),
    Measure("A", "生产许可证等资质年度监督检查免予实地抽查", "QCO 四(一)",
            "在生产许可证等资质的年度监督检查工作中，依照有关规定免予实地抽查。", LICENCE),
    Measure("A", "通关优先办理、快速核验", "QCO 四(一)",
            "在“大通关”、“绿色通道”、“企业分类管理制度”中，优先办理，快速核验，促进出口。", EXPORTER),
    Measure("A", "经企业自愿申请，评价确定后公示", "QCO 四(一)",
            "根据企业自愿原则，对评价确定的 A 级企业进行公示，以鼓励企业诚信生产与经营。"),
    # (二) 对基本守信企业，加强帮扶工作。
    Measure("B", "针对性做好监管和服务", "QCO 四(二)", "根据 B 级企业质量信用状况，有针对性地做好监管和服务。"),
    Measure("B", "帮扶企业增强质量意识、加强质量管理", "QCO 四(二)",
            "鼓励和帮助企业不断增强质量意识，加强质量管理，促进企业提高产品质量，提高信用水平，早日成为守信企业。"),
    # (三) 惩戒失信企业，实施重点监督。
    Measure("C", "列入监管重点，及时指出失信行为", "QCO 四(三)", "将 C 级企业列入监管重点，及时指出企业的失信行为。"),
    Measure("C", "加大监督抽查和检查力度，监督整改", "QCO 四(三)", "加大监督抽查和检查力度，帮助和监督其尽快整改。"),
    Measure("C", "撤销或暂停质量奖励和扶优扶强政策", "QCO 四(三)",
            "对于已经获得质量奖励和正享受质检部门扶优扶强政策的企业，依照有关规定给予撤销或暂停。", HONOURS),
    Measure("C", "风险分析，预警或黄牌警告", "QCO 四(三)",
            "加强质量失信企业风险分析，对风险较大的企业进行预警或黄牌警告。"),
    Measure("C", "帮助建立健全质量保证、计量检测和标准化体系", "QCO 四(三)",
            "加强对 C 级企业的服务，帮助企业建立健全质量保证体系、计量检测体系和标准化体系，加强质量管理，稳定产品质量，提高信用水平。"),
    Measure("C", "出口检验监管中严格审查", "QCO 四(三)", "对于出口失信企业，在出口检验监管中要严格审查。", EXPORTER),
    # (四) 对严重失信企业，实施信息披露与淘汰。
    Measure("D", "纳入黑名单（经复核确认后）", "QCO 四(四)、三(五)",
            "将 D 级企业纳入黑名单；确定为 D 级的企业，必须严格掌握，并对失信事实和程度复核后方可确定。"),
    Measure("D", "依法向社会披露和曝光违法、违规情节", "QCO 四(四)", "依法向社会披露和曝光其违法、违规情节。"),
    Measure("D", "严格禁止不具备资质的企业生产和销售", "QCO 四(四)", "严格禁止不具备资质的企业生产和销售。", LICENCE),
    Measure("D", "情节特别严重的，及时报告当地政府，会同有关部门依法取缔", "QCO 四(四)",
            "对于情节特别严重、造成恶劣社会影响的企业，及时报告当地政府，会同有关部门依法取缔。"),
)

LEAD = ("根据企业质量信用等级，同时参照银行、税务、工商、海关等部门反映的企业信用状况……对守信企业、"
        "基本守信企业以激励与帮扶为主，对失信企业、严重失信企业建立惩戒与淘汰机制。（QCO 四）")


def measures_for(*, grade: str | None, exporter: bool = False, licence_required: bool = False,
                 has_honours: bool = False):
    """The measures of ``grade`` that concern an enterprise with these properties, from the
    editable catalogue (supervision). An ungraded enterprise (N, or none yet) has none."""
    from qcredit.supervision.selectors import measures_for as catalogue_measures_for

    return catalogue_measures_for(grade=grade, exporter=exporter, licence_required=licence_required,
                                  has_honours=has_honours)

"""Forms of the supervision screens: they parse input; the services validate and decide."""

from __future__ import annotations

from django import forms

from qcredit.accounts.models import Unit

from .models import DEFAULT_RATIOS, InspectionPlan, Measure, PlanItem

RATIO_HELP = "0 到 1 之间，例如 0.3 即 30%；每层抽取 ⌈比例 × 该层企业数⌉ 户"


def _ratio_field(label: str, stratum: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_value=1, max_digits=5, decimal_places=4,
                              initial=DEFAULT_RATIOS[stratum], help_text=RATIO_HELP if stratum == "A" else "")


class PlanForm(forms.Form):
    name = forms.CharField(label="计划名称", max_length=200)
    kind = forms.ChoiceField(label="检查方式", choices=InspectionPlan.Kind.choices)
    record_scope = forms.ChoiceField(label="领域", choices=InspectionPlan.RecordScope.choices)
    regions = forms.CharField(label="抽查区域（行政区划代码）", required=False,
                              help_text="如 3701 370102，多个用空格或逗号分隔；留空为本单位全部辖区")
    industries = forms.CharField(label="行业（GB/T 4754 代码）", required=False,
                                 help_text="如 C38 C3431，多个用空格分隔；留空为全部行业")
    keywords = forms.CharField(label="产品/名称关键词", required=False,
                               help_text="企业名称含任一关键词的才列入范围，如 电线 电缆；留空不限")
    ratio_a = _ratio_field("A级企业抽查比例", "A")
    ratio_b = _ratio_field("B级企业抽查比例", "B")
    ratio_c = _ratio_field("C级企业抽查比例", "C")
    ratio_d = _ratio_field("D级企业抽查比例", "D")
    ratio_n = _ratio_field("未定级企业抽查比例", "N")
    inspectors_per_enterprise = forms.IntegerField(label="每户检查人员数", min_value=1, max_value=5, initial=2)
    pool = forms.ChoiceField(label="检查人员库", choices=InspectionPlan.Pool.choices)
    pool_unit = forms.ModelChoiceField(label="检查人员所在单位（选“指定单位”时）", queryset=Unit.objects.none(),
                                       required=False)
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0, max_value=10**12 - 1,
                              help_text="留空由系统随机生成并记录；同一种子、同一抽取依据得到同一计划")
    starts_on = forms.DateField(label="检查开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="检查结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, jurisdiction: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool_unit"].queryset = Unit.objects.filter(active=True, jurisdiction__startswith=jurisdiction)

    @staticmethod
    def initial_from(plan: InspectionPlan) -> dict:
        initial = {name: getattr(plan, name) for name in (
            "name", "kind", "record_scope", "inspectors_per_enterprise", "pool", "pool_unit", "seed", "starts_on",
            "ends_on", "note", "ratio_a", "ratio_b", "ratio_c", "ratio_d", "ratio_n")}
        initial.update(regions=" ".join(plan.regions), industries=" ".join(plan.industries),
                       keywords=" ".join(plan.keywords))
        return initial


class ResultForm(forms.Form):
    result = forms.ChoiceField(label="检查结果", choices=[("", "请选择"), *PlanItem.Result.choices])
    inspected_on = forms.DateField(label="检查日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    own_fault = forms.ChoiceField(label="不合格是否因企业自身原因（监督抽查）", required=False,
                                  choices=[("yes", "是"), ("no", "否（如运输、销售环节原因）")], initial="yes")
    findings = forms.CharField(label="发现的问题（不合格时必填，随结果公示）", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    ref = forms.CharField(label="文号（如抽查通报文号）", required=False, max_length=200)
    reason = forms.CharField(label="更正理由（更正已录入的结果时必填）", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(forms.Form):
    text = forms.CharField(label="措施", max_length=200)
    article = forms.CharField(label="依据条款", max_length=60)
    quote = forms.CharField(label="条文原文", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    concerns = forms.ChoiceField(label="适用企业", choices=Measure.Concerns.choices, required=False)
    position = forms.IntegerField(label="顺序", min_value=0, max_value=999, required=False)
    active = forms.BooleanField(label="有效（取消勾选即停用，保留历史）", required=False, initial=True)
    reason = forms.CharField(label="修改理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConflictForm(forms.Form):
    inspector = forms.CharField(label="检查人员（登录名）", max_length=150)
    uscc = forms.CharField(label="企业统一社会信用代码", max_length=18)
    reason = forms.CharField(label="回避事由", widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="如：近亲属在该企业任职；曾在该企业工作未满三年")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))

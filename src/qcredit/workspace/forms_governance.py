"""Forms of the governance screens: rule-set versions (SPEC §6), the holiday calendar
(SPEC §5 preamble) and the audit trail filters (SPEC §7.3). Input only; the services of
:mod:`qcredit.rulesets`, :mod:`qcredit.workdays` and the audit selectors decide."""

from __future__ import annotations

from django import forms

from qcredit.audit.models import AuditEvent
from qcredit.rules import RuleSet
from qcredit.workdays.files import EXTENSIONS
from qcredit.workdays.schedule import MAX_YEAR, MIN_YEAR

from .forms_redlist import SHORT_TEXTAREA, DateInput, Form

INTEGER_UNITS = {"year", "month", "workday"}
MAX_UPLOAD_BYTES = 1024 * 1024


class RuleSetDraftForm(Form):
    """A successor draft of the newest rule set: one value and one article per parameter; a
    blank value leaves the parameter as it is (SPEC §6: every new value cites its article)."""

    version = forms.CharField(label="版本号", max_length=32, help_text="如 SD-2027.1（地区代号-年份.序号）")
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    title = forms.CharField(label="标题", max_length=200, required=False, help_text="留空则沿用前一版本的标题")
    note = forms.CharField(label="说明", widget=SHORT_TEXTAREA, required=False, max_length=4000)
    reason = forms.CharField(label="拟定理由", widget=SHORT_TEXTAREA, max_length=4000)

    def __init__(self, *args, predecessor: RuleSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.predecessor = predecessor
        self.parameter_rows = []
        for name, p in predecessor.parameters.parameters.items():
            current = p.values[-1][1]
            value_field, article_field = f"value__{name}", f"article__{name}"
            if p.choices:
                self.fields[value_field] = forms.ChoiceField(
                    label=p.label, required=False, choices=[("", "不调整"), *((c, c) for c in p.choices)])
            else:
                self.fields[value_field] = forms.CharField(label=p.label, required=False, max_length=20)
            self.fields[article_field] = forms.CharField(label="新取值的依据条款", required=False, max_length=300)
            self.parameter_rows.append({"name": name, "label": p.label, "current": p.describe(current),
                                        "reference": p.reference, "value": self[value_field],
                                        "article": self[article_field]})

    def main_fields(self):
        return [self[name] for name in ("version", "effective_from", "title", "note", "reason")]

    def overrides(self) -> dict:
        """``{name: {"value", "article"}}`` of the parameters given a new value; a value that
        is not a whole number where one is needed is a form error."""
        out = {}
        for name, p in self.predecessor.parameters.parameters.items():
            raw = str(self.cleaned_data.get(f"value__{name}") or "").strip()
            if not raw:
                continue
            value: object = raw
            if p.unit in INTEGER_UNITS:
                try:
                    value = int(raw)
                except ValueError:
                    self.add_error(f"value__{name}", f"{p.label}应为整数（单位：{p.describe('')}）")
                    continue
            out[name] = {"value": value, "article": self.cleaned_data.get(f"article__{name}", "")}
        return out


class PreviewForm(Form):
    as_of = forms.DateField(label="评价日", required=False, widget=DateInput(),
                            help_text="留空：今天，或生效日期（若晚于今天）")


class ActivateForm(Form):
    reason = forms.CharField(label="启用理由", widget=SHORT_TEXTAREA, max_length=4000)


class HolidayImportForm(Form):
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    file = forms.FileField(label="导入文件", help_text="CSV 或 XLSX（列：日期、类型、名称；每个放假日一行，含假期中的周末），或 JSON")
    source = forms.CharField(label="依据", max_length=200, required=False,
                             help_text="如 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕x号）；"
                                       "JSON 文件中写明的依据可不再填写")
    replace = forms.BooleanField(label="替换已导入的该年度安排", required=False)
    reason = forms.CharField(label="替换原因", widget=SHORT_TEXTAREA, required=False, max_length=2000)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(f"文件类型应为 {'、'.join(EXTENSIONS)}")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 1 MB，不像是一个年度的节假日安排")
        return upload


class HolidayConfirmForm(Form):
    """The second step: the file read in the first one, carried as a signed token."""

    token = forms.CharField(widget=forms.HiddenInput)


class WorkdayCalculatorForm(Form):
    start = forms.DateField(label="起算日（当日不计入）", widget=DateInput())
    n = forms.IntegerField(label="工作日数", min_value=-366, max_value=366, initial=5)


class AuditFilterForm(Form):
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    unit = forms.CharField(label="单位", required=False, max_length=120)
    action = forms.CharField(label="操作", required=False, max_length=80, help_text="如 redlist.nomination")
    object = forms.CharField(label="对象", required=False, max_length=200, help_text="类型、编号或名称")
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput())
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部"), *AuditEvent.Kind.choices])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return cleaned

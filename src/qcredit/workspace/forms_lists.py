"""Forms of the staff screens of the public lists. They only shape input; every rule (role,
jurisdiction, state, required reasons, lengths) is the services' (qcredit.lists.services), whose
refusals the views show as they are."""

from __future__ import annotations

from datetime import date

from django import forms

from qcredit.archive.columns import record_to_bundle
from qcredit.archive.models import Record
from qcredit.lists.services.blacklist import FACTS_MAX
from qcredit.lists.services.objections import ANSWER_MAX
from qcredit.rules.kinds import BOOL, CHOICE_LABELS, DATE, ENUM, KINDS, RATE

YES_NO = [("yes", "同意"), ("no", "不同意")]


def _textarea(rows: int = 4, maxlength: int | None = None) -> forms.Textarea:
    attrs = {"rows": rows}
    if maxlength:
        attrs["maxlength"] = maxlength
    return forms.Textarea(attrs=attrs)


class InspectionOpinionForm(forms.Form):
    """QCO 三(五) "依法需要进行监督检验产品的，还应当由检验单位提出评价意见"."""

    favourable = forms.ChoiceField(label="检验单位意见", choices=YES_NO, widget=forms.RadioSelect)
    opinion = forms.CharField(label="评价意见", widget=_textarea(), max_length=5000)


class EvaluationForm(forms.Form):
    """QCO 三(五) "由省级质检部门依照评价标准组织对计算机生成的A级企业进行评价"."""

    approved = forms.ChoiceField(label="评价结论", choices=[("yes", "通过，予以公示"), ("no", "不通过")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label="评价意见（不通过的须写明理由）", widget=_textarea(), required=False, max_length=5000)


class RecheckConfirmForm(forms.Form):
    """The reviewer confirms the D: the facts (public, 列入原因) and the internal finding."""

    facts = forms.CharField(label="失信事实（将在黑名单上公开）", widget=_textarea(5, FACTS_MAX), max_length=FACTS_MAX)
    finding = forms.CharField(label="复核意见（内部）", widget=_textarea(3, FACTS_MAX), required=False,
                              max_length=FACTS_MAX)


ACTIONS = [("", "不处理"), ("withdraw", "撤回该记录"), ("annotate", "批注（D级不对外曝光的理由）"),
           ("correct", "更正该记录")]


def _initial(record: Record) -> dict:
    return record_to_bundle(record, record.enterprise.uscc)


class RecheckNotConfirmForm(forms.Form):
    """The reviewer does not confirm the D: the finding, and per evidence record whether to
    withdraw, annotate or correct it (SPEC §5.3 "the reviewer corrects or annotates the
    archive"). Correction fields are those of the record's kind (SPEC §3), pre-filled with the
    current version; only changed values are sent to the archive's validator."""

    finding = forms.CharField(label="复核意见（内部，必填）", widget=_textarea(3, FACTS_MAX), max_length=FACTS_MAX)

    def __init__(self, *args, records: list[Record], **kwargs):
        super().__init__(*args, **kwargs)
        self.records = records
        self.groups = []
        for record in records:
            prefix = f"r{record.pk}"
            current = _initial(record)
            self.fields[f"{prefix}-action"] = forms.ChoiceField(label="处理", choices=ACTIONS, required=False)
            self.fields[f"{prefix}-note"] = forms.CharField(label="批注", required=False, max_length=FACTS_MAX,
                                                            widget=_textarea(2, FACTS_MAX))
            names = []
            kind = KINDS[record.kind]
            correctable = [("date", DATE, "日期", ()), ("ref", "str", "文号", ())] + [
                (f.name, f.type, f.label, f.choices) for f in kind.fields]
            for name, ftype, label, choices in correctable:
                field_name = f"{prefix}-f-{name}"
                self.fields[field_name] = _correction_field(ftype, label, choices)
                self.initial.setdefault(field_name, _display_initial(ftype, current.get(name)))
                names.append((name, ftype, field_name))
            self.groups.append({"record": record, "prefix": prefix, "fields": names, "current": current})

    def group_fields(self):
        """(record, action field, note field, correction fields) for the template."""
        for group in self.groups:
            prefix = group["prefix"]
            yield (group["record"], self[f"{prefix}-action"], self[f"{prefix}-note"],
                   [self[field_name] for _, _, field_name in group["fields"]])

    def clean(self):
        cleaned = super().clean()
        self.corrections, self.withdrawals, self.annotations = [], [], []
        for group in self.groups:
            record, prefix = group["record"], group["prefix"]
            action = cleaned.get(f"{prefix}-action") or ""
            if action == "withdraw":
                self.withdrawals.append(record)
            elif action == "annotate":
                note = (cleaned.get(f"{prefix}-note") or "").strip()
                if not note:
                    self.add_error(f"{prefix}-note", "请填写批注")
                self.annotations.append((record, note))
            elif action == "correct":
                changes = {}
                for name, ftype, field_name in group["fields"]:
                    value = _bundle_value(ftype, cleaned.get(field_name))
                    if value != group["current"].get(name, _empty(ftype)):
                        changes[name] = value
                if not changes:
                    self.add_error(f"{prefix}-action", "选择了更正，但没有修改任何内容")
                self.corrections.append((record, changes))
        return cleaned


def _correction_field(ftype: str, label: str, choices) -> forms.Field:
    if ftype == ENUM:
        return forms.ChoiceField(label=label, required=False,
                                 choices=[("", "—")] + [(c, CHOICE_LABELS.get(c, c)) for c in choices])
    if ftype == BOOL:
        return forms.ChoiceField(label=label, required=False, choices=[("true", "是"), ("false", "否")])
    if ftype == RATE:
        return forms.DecimalField(label=f"{label}（0–1）", required=False, min_value=0, max_value=1,
                                  decimal_places=6)
    if ftype == DATE:
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=False, max_length=500)


def _display_initial(ftype: str, value):
    if ftype == BOOL:
        return "true" if value else "false"
    return value if value is not None else ""


def _empty(ftype: str):
    return False if ftype == BOOL else None


def _bundle_value(ftype: str, value):
    """A form value in the interchange format the archive validates (SPEC §3.1)."""
    if ftype == BOOL:
        return value == "true"
    if value in (None, ""):
        return None
    if ftype == RATE:
        return float(value)
    if ftype == DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


class CreditRepairForm(forms.Form):
    reason = forms.CharField(label="信用修复理由", widget=_textarea(3, FACTS_MAX), max_length=FACTS_MAX)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="承办人")

    def __init__(self, *args, staff: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(u.pk): u for u in staff}
        self.fields["assignee"].choices = [(str(u.pk), u.get_full_name() or u.get_username()) for u in staff]

    def clean_assignee(self):
        return self.staff[self.cleaned_data["assignee"]]


class AnswerForm(forms.Form):
    well_founded = forms.ChoiceField(label="处理结果", choices=[("yes", "异议成立"), ("no", "异议不成立")],
                                     widget=forms.RadioSelect)
    answer = forms.CharField(label="答复（异议人凭受理编号可见）", widget=_textarea(5, ANSWER_MAX), max_length=ANSWER_MAX)


class ModerateForm(forms.Form):
    approved = forms.ChoiceField(choices=[("yes", "通过"), ("no", "不通过")])
    reason = forms.CharField(label="不通过的理由", required=False, max_length=1000)


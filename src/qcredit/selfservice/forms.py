"""Forms of the enterprise self-service pages. They shape input only; the services of
qcredit.lists decide (own enterprise, grade, state, lengths, attachment types and sizes)."""

from __future__ import annotations

from django import forms

from qcredit.lists.models import STATEMENT_MAX_LENGTH
from qcredit.lists.services.objections import (
    CONTACT_MAX,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    NAME_MAX,
    REASONS_MAX,
)
from qcredit.lists.services.published_a import REMARKS_MAX


class ApplyForm(forms.Form):
    remarks = forms.CharField(label="申请说明（可不填）", required=False, max_length=REMARKS_MAX,
                              widget=forms.Textarea(attrs={"rows": 3, "maxlength": REMARKS_MAX}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由（可不填）", required=False, max_length=REMARKS_MAX)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ObjectionForm(forms.Form):
    """An objection to one of the enterprise's own public entries (SPEC §5.4)."""

    target = forms.ChoiceField(label="异议对象")
    name = forms.CharField(label="异议人（企业名称或经办人）", max_length=NAME_MAX)
    contact = forms.CharField(label="联系方式（电话或地址，以便答复）", max_length=CONTACT_MAX)
    reasons = forms.CharField(label="异议理由", max_length=REASONS_MAX,
                              widget=forms.Textarea(attrs={"rows": 6, "maxlength": REASONS_MAX}))
    attachments = MultipleFileField(
        label=f"附件（可选，最多 {MAX_ATTACHMENTS} 个 PDF/JPG/PNG，每个不超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB）",
        required=False)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {t.key: t for t in targets}
        self.fields["target"].choices = [(t.key, f"{t.label}：{t.name}（{t.since:%Y-%m-%d} 起）") for t in targets]

    def clean_target(self):
        return self.targets[self.cleaned_data["target"]]


class StatementForm(forms.Form):
    """The enterprise's statement beside one of its public entries (moderated; SPEC §5.4)."""

    target = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label=f"声明（不超过 {STATEMENT_MAX_LENGTH} 字）", max_length=STATEMENT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}))


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label="受理编号", max_length=40)

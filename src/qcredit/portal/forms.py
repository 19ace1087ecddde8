"""Forms of the public portal: the objection (SPEC §5.4) and the receipt lookup. Lengths match
the objection service (qcredit.lists.services.objections); the service checks again."""

from __future__ import annotations

from django import forms

from qcredit.lists.services.objections import CONTACT_MAX, NAME_MAX, REASONS_MAX


class ObjectionForm(forms.Form):
    target = forms.ChoiceField(label="异议对象", widget=forms.RadioSelect,
                               error_messages={"required": "请选择对哪一条公示信息提出异议",
                                               "invalid_choice": "所选条目已不在公开名单中，请刷新页面后重新选择"})
    name = forms.CharField(label="异议人（姓名或单位名称）", max_length=NAME_MAX,
                           error_messages={"required": "请填写异议人姓名或名称"})
    contact = forms.CharField(label="联系方式（电话或电子邮箱，用于答复）", max_length=CONTACT_MAX,
                              error_messages={"required": "请填写联系方式，以便答复"})
    reasons = forms.CharField(label="异议理由", max_length=REASONS_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                              error_messages={"required": "请写明异议理由"})

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (t.key, f"{t.category} · {t.authority} · {t.listed_on.isoformat()} 列入") for t in targets]


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label="受理编号", max_length=40,
                              error_messages={"required": "请输入受理编号"},
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                            "placeholder": "YY-2026-000123-XXXXXXXX"}))

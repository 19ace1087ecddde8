"""Forms of the red-list screens (SPEC §5.1). They only collect input: every rule (eligibility,
who may act, states, deadlines) is checked by the services in :mod:`qcredit.redlist.services`,
whose refusals the views show beside the form."""

from __future__ import annotations

from django import forms

from qcredit.redlist.models import Meeting, RemovalItem

TEXTAREA = forms.Textarea(attrs={"rows": 4})
SHORT_TEXTAREA = forms.Textarea(attrs={"rows": 2})


class Form(forms.Form):
    """Labels without a trailing ASCII colon (the Chinese pages lay labels out above fields)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NominationForm(Form):
    reasons = forms.CharField(label="确定理由", widget=TEXTAREA, max_length=4000,
                              help_text="为什么提报该主体列入红名单（SRL 第十条：合法性审查据此审查）")
    credit_facts = forms.CharField(label="主要信用事实", widget=TEXTAREA, max_length=4000,
                                   help_text="公开时向社会公布的内容（SRL 第十一条），请如实、简明填写")
    justification = forms.CharField(label="其他卓越质量信用表现的说明（第八条(六)）", widget=SHORT_TEXTAREA,
                                    required=False, max_length=4000,
                                    help_text="仅依据第八条(六)提报时必填")


class NominationNewForm(NominationForm):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18)

    field_order = ["uscc", "reasons", "credit_facts", "justification"]


class ReasonForm(Form):
    reason = forms.CharField(label="理由", widget=SHORT_TEXTAREA, max_length=2000)


class LegalReviewForm(Form):
    decision = forms.ChoiceField(label="审查结论", widget=forms.RadioSelect,
                                 choices=[("pass", "通过合法性审查，报领导小组会议研究"),
                                          ("fail", "不通过，退回提报单位")])
    opinion = forms.CharField(label="审查意见", widget=TEXTAREA, required=False, max_length=4000,
                              help_text="不通过的，必须写明审查意见")


class AgendaAddForm(Form):
    meeting = forms.ModelChoiceField(label="列入会议", queryset=Meeting.objects.none(), empty_label=None)

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings


class MeetingForm(Form):
    kind = forms.ChoiceField(label="会议类别", choices=Meeting.Kind.choices)
    date = forms.DateField(label="会议日期", widget=DateInput())
    reason = forms.CharField(label="召开理由", widget=SHORT_TEXTAREA, required=False, max_length=2000,
                             help_text="召开临时会议的，须说明理由")


class MeetingItemForm(Form):
    subject = forms.ChoiceField(label="议题", choices=())

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = list(subjects)


class DecisionForm(Form):
    approved = forms.ChoiceField(label="集体研究决定", widget=forms.RadioSelect,
                                 choices=[("1", "通过"), ("0", "不通过")])
    minutes_ref = forms.CharField(label="会议纪要文号", max_length=200)
    leaders = forms.MultipleChoiceField(label="出席的领导小组成员", widget=forms.CheckboxSelectMultiple, choices=())
    attendees = forms.CharField(label="其他出席人员", required=False, max_length=2000)
    note = forms.CharField(label="决定说明", widget=SHORT_TEXTAREA, required=False, max_length=4000)

    def __init__(self, *args, leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].choices = [(str(u.pk), u.get_full_name() or u.get_username()) for u in leaders]
        # A leader who is not offered (not a member of this list's leading group) is refused by
        # the service with its own message; an empty choice is refused here as the form's rule.
        self.fields["leaders"].error_messages["invalid_choice"] = "所选人员不是本名单领导小组成员"


class ProposalForm(Form):
    revoke = forms.ChoiceField(label="建议", widget=forms.RadioSelect,
                               choices=[("1", "建议撤销（报领导小组会议研究）"), ("0", "建议保留")])
    reasons = forms.CharField(label="建议理由", widget=TEXTAREA, max_length=4000)


class RemovalOpenForm(Form):
    route = forms.ChoiceField(label="删除途径", choices=[
        (RemovalItem.Route.OBJECTION.value, RemovalItem.Route.OBJECTION.label),
        (RemovalItem.Route.BLACKLISTED.value, RemovalItem.Route.BLACKLISTED.label),
    ])
    reason = forms.CharField(label="理由", widget=TEXTAREA, max_length=4000)
    reference = forms.CharField(label="依据编号", required=False, max_length=100,
                                help_text="如 异议回执号、黑名单决定文号")


class CandidateSearchForm(Form):
    q = forms.CharField(label="企业名称或统一社会信用代码", required=False, max_length=100)
    all = forms.BooleanField(label="同时显示不符合条件的企业", required=False)

"""Rule-set versions in the admin (SPEC §6). Versions are never edited here: a new one is
created through ``ruleset_version_create`` (the add form), previewed and activated through
the services (admin actions). Every screen is read-only; an active version is immutable."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, has_role
from qcredit.rules.qco import GRADE_DISPLAY

from . import selectors, services
from .errors import RuleSetVersionError
from .models import RuleSetVersion

GRADE_LABELS = GRADE_DISPLAY


def _may_administer(user) -> bool:
    return has_role(user=user, role=Role.ADMIN, jurisdiction=services.PROVINCE)


class RuleSetVersionCreateForm(forms.ModelForm):
    """One value and one article field per parameter of the newest rule set; a blank value
    leaves the parameter as it is."""

    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = RuleSetVersion
        fields = ["version", "effective_from", "title", "note"]
        help_texts = {"version": "如 SD-2027.1", "title": "留空则沿用前一版本的标题"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        newest = selectors.newest_ruleset()
        self.predecessor = newest
        self.parameter_names = list(newest.parameters.parameters)
        for name, p in newest.parameters.parameters.items():
            current = p.values[-1][1]
            choices = f"（可选：{'、'.join(p.choices)}）" if p.choices else ""
            self.fields[f"value__{name}"] = forms.CharField(
                label=f"{p.label}", required=False,
                help_text=f"{name}：现行取值 {p.describe(current)}{choices}，依据 {p.reference}。留空表示不调整。")
            self.fields[f"article__{name}"] = forms.CharField(label="　新取值的依据条款", required=False,
                                                              max_length=300)

    def overrides(self) -> dict:
        out = {}
        for name in self.parameter_names:
            raw = (self.cleaned_data.get(f"value__{name}") or "").strip()
            if not raw:
                continue
            unit = self.predecessor.parameters[name].unit
            if unit in {"year", "month", "workday"}:
                try:
                    value: object = int(raw)
                except ValueError:
                    self.add_error(f"value__{name}", "应为整数")
                    continue
            else:
                value = raw
            out[name] = {"value": value, "article": self.cleaned_data.get(f"article__{name}", "")}
        return out

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("effective_from"):
            return cleaned
        try:
            services.ruleset_version_validate(version=cleaned.get("version", ""),
                                              effective_from=cleaned["effective_from"], overrides=self.overrides())
        except RuleSetVersionError as exc:
            raise forms.ValidationError(exc.message, code=exc.code.value) from None
        return cleaned


class ActivateForm(forms.Form):
    reason = forms.CharField(label="启用理由", widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "state", "effective_from", "predecessor", "title", "created_by", "activated_at",
                    "activated_by", "rechecked_on")
    list_filter = ("state",)
    search_fields = ("version", "title")
    ordering = ("-effective_from", "-id")
    readonly_fields = ("version", "state", "predecessor", "effective_from", "title", "note", "changes_table",
                       "created_by", "created_at", "creation_reason", "impact_table", "previewed_by",
                       "previewed_at", "activated_by", "activated_at", "activation_reason", "rechecked_on")
    exclude = ("overrides", "impact")
    actions = ("preview_action", "activate_action")

    # -- permissions: viewing for staff with admin rights, writing only through the services --

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(user=request.user, role=Role.ADMIN)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return _may_administer(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return super().get_actions(request) if _may_administer(request.user) else {}

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RuleSetVersionCreateForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            form = self.get_form(request)()
            params = [f for f in form.fields if f.startswith(("value__", "article__"))]
            return [(None, {"fields": ["version", "effective_from", "title", "note", "reason"]}),
                    ("参数调整（SPEC §6：每个新取值须注明依据条款）", {"fields": params})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        created = services.ruleset_version_create(
            actor=request.user, version=form.cleaned_data["version"],
            effective_from=form.cleaned_data["effective_from"], overrides=form.overrides(),
            title=form.cleaned_data.get("title", ""), note=form.cleaned_data.get("note", ""),
            reason=form.cleaned_data["reason"])
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})

    # -- detail ------------------------------------------------------------------------------------

    @admin.display(description="参数调整")
    def changes_table(self, obj):
        rows = format_html_join(
            "", "<tr><td>{}<br><code>{}</code></td><td>{}<br><small>{}</small></td><td>{}<br><small>{}</small></td></tr>",
            ((c.label, c.name, c.describe(c.previous), c.previous_article, c.describe(c.value), c.article)
             for c in selectors.ruleset_version_changes(obj)))
        return format_html("<table><tr><th>参数</th><th>原取值与依据</th><th>新取值与依据</th></tr>{}</table>", rows)

    @admin.display(description="影响评估")
    def impact_table(self, obj):
        impact = obj.impact
        if not impact:
            return "尚未预览"
        grades = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                                  ((GRADE_LABELS[g], c["before"], c["after"]) for g, c in impact["by_grade"].items()))
        changes = format_html_join("", "<li>{} → {}：{} 家</li>",
                                   ((GRADE_LABELS[c["from"]], GRADE_LABELS[c["to"]], c["count"])
                                    for c in impact["changes"])) or "无"
        leaving = format_html_join("", "<li>{} {} {}</li>",
                                   ((s.get("name", s.get("subject", "")), s.get("uscc", ""),
                                     f"（未满足 {'、'.join(s['unmet'])}）" if s.get("unmet") else "")
                                    for s in impact["redlist_leaving"])) or "无"
        return format_html(
            "<p>评价日 {}：现行版本 {} 与新版本 {} 相比，{} 家企业中 {} 家等级变化。</p>"
            "<table><tr><th>等级</th><th>现行</th><th>新版本</th></tr>{}</table>"
            "<p>等级变化：</p><ul>{}</ul><p>不再符合红名单条件的主体：</p><ul>{}</ul>",
            impact["as_of"], impact["current_version"], impact["version"], impact["enterprises"], impact["changed"],
            grades, changes, leaving)

    # -- actions (through the services) --------------------------------------------------------------

    @admin.action(description="预览所选版本的影响（变化的等级、不再符合条件的红名单主体）")
    def preview_action(self, request, queryset):
        for version in queryset:
            try:
                impact = services.ruleset_version_preview_record(actor=request.user, version=version)
            except (RuleSetVersionError, AccessDenied) as exc:
                self.message_user(request, f"{version.version}：{exc.message}", messages.ERROR)
                continue
            self.message_user(request, f"{version.version}：评价日 {impact.as_of}，{impact.enterprises} 家企业中 "
                                       f"{impact.changed} 家等级变化，{len(impact.redlist_leaving)} 个红名单主体不再符合条件")

    @admin.action(description="启用所选版本（需先预览影响）")
    def activate_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个版本启用", messages.ERROR)
            return None
        version = queryset.get()
        form = ActivateForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                services.ruleset_version_activate(actor=request.user, version=version,
                                                  reason=form.cleaned_data["reason"])
            except (RuleSetVersionError, AccessDenied) as exc:
                self.message_user(request, f"{version.version}：{exc.message}", messages.ERROR)
                return None
            self.message_user(request, f"规则版本 {version.version} 已启用")
            return None
        return TemplateResponse(request, "admin/rulesets/activate.html", {
            **self.admin_site.each_context(request), "title": f"启用规则版本 {version.version}",
            "version": version, "form": form, "impact": self.impact_table(version),
            "changes": self.changes_table(version), "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

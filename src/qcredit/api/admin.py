"""Partner API clients in the Django admin (province system administrators). Every save goes
through :mod:`qcredit.api.services` (authorised and audited); a token is shown once, on the page
that answers its issue, and never again. The call log and the batches are read-only (auditors
read the call log too: it is the API's access log, SPEC §1 纪检/审计)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, has_role
from qcredit.archive.admin import ReadOnlyAdmin

from . import services
from .errors import ClientError
from .models import ApiCall, ApiClient, IntakeBatch, Scope


class ApiClientForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(label="权限范围", choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                              help_text="internal-grade 可查询内部等级（机密，每次查询记入审计日志）")

    class Meta:
        model = ApiClient
        fields = ("code", "name", "scope_choices", "jurisdiction", "sources", "may_register_enterprises", "active",
                  "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_choices"].initial = self.instance.scope_list if self.instance.pk else [Scope.PUBLIC]
        if self.instance.pk:
            self.fields["code"].disabled = True  # recorded in the archive as the channel api:<code>

    def clean(self):
        data = super().clean()
        candidate = ApiClient(code=data.get("code") or self.instance.code, name=data.get("name", ""),
                              scopes=" ".join(data.get("scope_choices") or []), jurisdiction=data.get("jurisdiction", ""),
                              sources=data.get("sources", ""))
        try:
            services._check(candidate)
        except ClientError as exc:
            raise forms.ValidationError(exc.message) from None
        data["scopes"] = candidate.scopes
        return data


def _province_admin(request) -> bool:
    return has_role(user=request.user, role=Role.ADMIN, jurisdiction=services.PROVINCE)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("code", "name", "scopes", "jurisdiction", "active", "token_prefix", "token_issued_at")
    list_filter = ("active",)
    search_fields = ("code", "name")
    readonly_fields = ("token",)

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "scope_choices", "jurisdiction", "sources", "may_register_enterprises", "active",
                  "note"]
        return [*fields, "token"] if obj is not None else fields

    @admin.display(description="访问令牌")
    def token(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        issued = obj.token_issued_at.strftime("%Y-%m-%d %H:%M") if obj.token_issued_at else "-"
        link = reverse("admin:api_apiclient_token", args=[obj.pk])
        return format_html("前缀 <code>{}</code>，签发于 {}（令牌只在签发时显示一次） · <a href=\"{}\">重新签发令牌</a>",
                           obj.token_prefix or "-", issued, link)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(user=request.user, role=Role.ADMIN)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return _province_admin(request)

    def has_change_permission(self, request, obj=None):
        return _province_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # its calls and batches refer to it; deactivate it instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                obj.scopes = data["scopes"]
                services.api_client_update(client=obj, actor=request.user, reason="管理后台修改")
            else:
                client, token = services.api_client_create(
                    code=data["code"], name=data["name"], scopes=data["scopes"], jurisdiction=data["jurisdiction"],
                    sources=data["sources"], may_register_enterprises=data["may_register_enterprises"],
                    note=data["note"], actor=request.user, reason="管理后台创建")
                obj.pk, obj.user_id = client.pk, client.user_id
                request._issued_token = (client, token)
        except (AccessDenied, ClientError) as exc:
            raise PermissionDenied(exc.message) from None

    def save_related(self, request, form, formsets, change):
        pass  # no related objects; the model form's m2m step would save nothing

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "_issued_token", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        return self._token_page(request, *issued, created=True)

    def get_urls(self):
        # admin_view: staff login, CSRF and never_cache.
        return [path("<int:client_id>/token/", self.admin_site.admin_view(self.token_view), name="api_apiclient_token"),
                *super().get_urls()]

    def token_view(self, request, client_id: int):
        client = get_object_or_404(ApiClient, pk=client_id)
        if not _province_admin(request):
            raise PermissionDenied
        if request.method == "POST":
            try:
                token = services.api_client_token_issue(client=client, actor=request.user,
                                                        reason=request.POST.get("reason", "")[:200])
            except AccessDenied as exc:
                messages.error(request, exc.message)
                return redirect("admin:api_apiclient_change", client.pk)
            return self._token_page(request, client, token, created=False)
        return TemplateResponse(request, "admin/api/token_confirm.html", {
            **self.admin_site.each_context(request), "title": f"重新签发令牌：{client}", "client": client,
            "opts": self.model._meta})

    def _token_page(self, request, client, token: str, *, created: bool):
        response = TemplateResponse(request, "admin/api/token_issued.html", {
            **self.admin_site.each_context(request), "title": f"访问令牌：{client}", "client": client, "token": token,
            "created": created, "opts": self.model._meta})
        response["Cache-Control"] = "no-store"
        return response


class _LogAdmin(ReadOnlyAdmin):
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(user=request.user, role=(Role.ADMIN, Role.AUDITOR))

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(ApiCall)
class ApiCallAdmin(_LogAdmin):
    list_display = ("occurred_at", "client", "method", "path", "status", "scope", "duration_ms", "client_address")
    list_filter = ("status", "scope", "client")
    search_fields = ("path", "client_address", "token_prefix")
    date_hierarchy = "occurred_at"


@admin.register(IntakeBatch)
class IntakeBatchAdmin(_LogAdmin):
    list_display = ("id", "received_at", "client", "status", "records", "records_created", "records_corrected",
                    "records_unchanged", "regraded")
    list_filter = ("status", "client")

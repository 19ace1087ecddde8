"""The exchange in the Django admin: partners are configured here (province admins; every
save goes through :func:`qcredit.exchange.services.partner_save`, which authorises and
audits); events, messages and delivery attempts are read-only (the outbox screen retries)."""

from django import forms
from django.contrib import admin, messages

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, has_role
from qcredit.archive.admin import ReadOnlyAdmin

from .errors import ExchangeError
from .models import DeliveryAttempt, OutboxMessage, Partner, PublicationEvent
from .services import PROVINCE, partner_save


@admin.register(PublicationEvent)
class PublicationEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "occurred_at", "list_kind", "kind", "entry_key", "idempotency_key")
    list_filter = ("list_kind", "kind")
    search_fields = ("entry_key", "idempotency_key")


class PartnerForm(forms.ModelForm):
    endpoint = forms.URLField(label="接收地址", max_length=500, assume_scheme="https",
                              help_text="以 POST 方式接收 JSON 消息的地址（http 或 https）")
    token = forms.CharField(label="访问令牌", required=False, widget=forms.PasswordInput(render_value=False),
                            help_text="留空则保持原令牌不变；令牌以 Authorization: Bearer 发送。"
                                      "也可不在此保存，改用环境变量 QCREDIT_EXCHANGE_TOKEN_<代号>。")
    clear_token = forms.BooleanField(label="清除已保存的令牌", required=False)

    class Meta:
        model = Partner
        fields = ("code", "name", "endpoint", "token", "enabled", "note")

    def clean_endpoint(self):
        value = self.cleaned_data.get("endpoint", "")
        if value and not value.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("接收地址须为 http:// 或 https:// 开头的完整地址")
        return value

    def clean_token(self):
        # An empty field keeps the stored token (a password field is never pre-filled).
        value = self.cleaned_data.get("token", "")
        if not value and self.instance.pk:
            return self.instance.token
        return value

    def clean(self):
        data = super().clean()
        if data.get("clear_token"):
            data["token"] = ""
        return data


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ("code", "name", "endpoint", "enabled", "has_token", "updated_at")
    list_filter = ("enabled",)
    search_fields = ("code", "name")

    @admin.display(boolean=True, description="已保存令牌")
    def has_token(self, obj):
        return bool(obj.token)

    # Django's is_staff/is_superuser grant no workflow power (docs/decisions.md): system
    # administrators see the partners, the province's change them.

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(user=request.user, role=Role.ADMIN)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return has_role(user=request.user, role=Role.ADMIN, jurisdiction=PROVINCE)

    def has_change_permission(self, request, obj=None):
        return has_role(user=request.user, role=Role.ADMIN, jurisdiction=PROVINCE)

    def has_delete_permission(self, request, obj=None):
        return False  # messages refer to it; disable it instead

    def save_model(self, request, obj, form, change):
        try:
            partner_save(partner=obj, actor=request.user, reason="管理后台修改")
        except (AccessDenied, ExchangeError) as exc:
            messages.error(request, f"未保存：{exc.message}")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("number", "started_at", "duration_ms", "status_code", "outcome", "error", "worker")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AdminRoleReadOnly(ReadOnlyAdmin):
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(user=request.user, role=Role.ADMIN)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AdminRoleReadOnly):
    list_display = ("id", "created_at", "partner", "list_kind", "kind", "name", "state", "attempts",
                    "next_attempt_at")
    list_filter = ("state", "partner", "list_kind", "kind")
    search_fields = ("name", "uscc", "entry_key", "idempotency_key")
    inlines = (DeliveryAttemptInline,)

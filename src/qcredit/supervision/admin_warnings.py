"""Admin of preferential policies (扶优政策, QCO 四(一)(三)): divisions and admins register the
policies an enterprise enjoys; every save goes through the audited service; the state changes
only by a review decision (撤销/暂停, :func:`qcredit.supervision.warnings.honour_review_decide`).
Warning letters and review items are not in the admin: they are internal (SPEC §7.1) and read
in the workspace, where every read is an access event."""

from __future__ import annotations

from django.contrib import admin, messages

from qcredit.accounts.services import AccessDenied, has_role

from .models_warnings import PreferentialPolicy
from .warnings import POLICY_ROLES, WarningError, preferential_policy_save


@admin.register(PreferentialPolicy)
class PreferentialPolicyAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "kind", "name", "granted_by", "granted_on", "valid_to", "state")
    list_filter = ("kind", "state")
    search_fields = ("enterprise__name", "enterprise__uscc", "name", "ref")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("state", "state_changed_on", "created_at")
    fields = ("enterprise", "kind", "name", "granted_by", "granted_on", "valid_to", "ref", "note", *readonly_fields)

    # Django's is_staff/is_superuser grant no workflow power (docs/decisions.md): the service decides.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or has_role(user=request.user, role=POLICY_ROLES)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return has_role(user=request.user, role=POLICY_ROLES)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return has_role(user=request.user, role=POLICY_ROLES)
        return has_role(user=request.user, role=POLICY_ROLES, region=obj.enterprise.region)

    def has_delete_permission(self, request, obj=None):
        return False  # reviews refer to it; a revoked policy stays as history

    def save_model(self, request, obj, form, change):
        try:
            preferential_policy_save(policy=obj, actor=request.user, reason="管理后台")
        except (AccessDenied, WarningError) as exc:
            messages.error(request, f"未保存：{exc.message}")

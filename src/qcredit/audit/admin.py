"""The audit trail in the admin: read-only for everyone (SPEC §7.3 "nobody edits it")."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("seq", "occurred_at", "kind", "actor_name", "unit_name", "action", "object_type", "object_id",
                    "client_address")
    list_filter = ("kind", "action", "object_type")
    search_fields = ("actor_name", "object_id", "object_repr", "action")
    ordering = ("-seq",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin screens for configuration (units, roles, holiday calendar …): every save and
    delete is one transaction with its audit event, before and after."""

    audit_action_prefix = ""

    def _snapshot(self, obj):
        from django.forms.models import model_to_dict

        return {k: (str(v) if not isinstance(v, int | str | bool | type(None)) else v)
                for k, v in model_to_dict(obj).items()} if obj is not None and obj.pk else None

    def _prefix(self, obj) -> str:
        return self.audit_action_prefix or f"{obj._meta.app_label}.{obj._meta.model_name}"

    def save_model(self, request, obj, form, change):
        from django.db import transaction

        from .services import audit_write

        before = self._snapshot(type(obj).objects.filter(pk=obj.pk).first()) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_write(actor=request.user, action=f"{self._prefix(obj)}.{'change' if change else 'create'}",
                        obj=obj, before=before, after=self._snapshot(obj), reason="管理后台")

    def delete_model(self, request, obj):
        from django.db import transaction

        from .services import audit_write

        with transaction.atomic():
            before = self._snapshot(obj)
            audit_write(actor=request.user, action=f"{self._prefix(obj)}.delete", obj=obj, before=before,
                        reason="管理后台")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

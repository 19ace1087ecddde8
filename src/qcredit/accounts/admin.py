from django.contrib import admin

from qcredit.audit.admin import AuditedModelAdmin

from .models import EnterpriseAccount, Membership, Notification, Unit


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "jurisdiction", "parent", "active")
    list_filter = ("active",)
    search_fields = ("name", "code", "jurisdiction")


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "unit", "role", "granted_at")
    list_filter = ("role", "unit")
    search_fields = ("user__username", "unit__name")


@admin.register(EnterpriseAccount)
class EnterpriseAccountAdmin(AuditedModelAdmin):
    list_display = ("user", "enterprise")
    search_fields = ("user__username", "enterprise__name", "enterprise__uscc")
    raw_id_fields = ("enterprise",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "subject", "created_at", "read_at")
    list_filter = ("read_at",)

"""Login throttle rows in the admin: an administrator sees who is locked and may lift a lock
early by deleting its row (an audited deletion)."""

from django.contrib import admin

from qcredit.audit.admin import AuditedModelAdmin

from .models import LoginThrottle


@admin.register(LoginThrottle)
class LoginThrottleAdmin(AuditedModelAdmin):
    list_display = ("scope", "username", "address", "locked_until", "updated_at")
    list_filter = ("scope",)
    search_fields = ("username", "address")
    readonly_fields = ("scope", "username", "address", "failures", "locked_until", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

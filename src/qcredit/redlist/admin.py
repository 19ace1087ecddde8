"""The red list in the Django admin (a technical tool for system administrators). Lists are
configuration (owner unit and name), saved with their audit event; everything else changes
only through the services (qcredit.redlist.services), so it is read-only here."""

from django.contrib import admin

from qcredit.audit.admin import AuditedModelAdmin

from .models import AgendaItem, Entry, Meeting, Nomination, RedList, RemovalItem, RevocationReview


@admin.register(RedList)
class RedListAdmin(AuditedModelAdmin):
    list_display = ("name", "owner", "jurisdiction", "created_at")
    search_fields = ("name", "owner__name", "owner__jurisdiction")
    audit_action_prefix = "redlist.list"

    @admin.display(description="管辖区域")
    def jurisdiction(self, obj):
        return obj.jurisdiction

    def get_readonly_fields(self, request, obj=None):
        # A list's owner (and so its jurisdiction) never changes once it exists.
        return ("owner",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "redlist", "unit", "state", "eligible", "evaluated_on", "submitted_at")
    list_filter = ("state", "redlist", "eligible")
    search_fields = ("enterprise__name", "enterprise__uscc")


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ("kind", "nomination", "revocation_review", "removal_item", "state", "minutes_ref", "decided_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("redlist", "kind", "date", "scheduled_by")
    list_filter = ("redlist", "kind")
    inlines = [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "kind", "state", "minutes_ref", "decided_by", "decided_at")
    list_filter = ("kind", "state")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("name", "uscc", "redlist", "state", "published_on", "valid_until", "exited_on")
    list_filter = ("state", "redlist")
    search_fields = ("name", "uscc")


@admin.register(RevocationReview)
class RevocationReviewAdmin(ReadOnlyAdmin):
    list_display = ("entry", "unit", "state", "arose_on", "due_on", "overdue_flagged_at", "revoke_proposed")
    list_filter = ("state",)


@admin.register(RemovalItem)
class RemovalItemAdmin(ReadOnlyAdmin):
    list_display = ("entry", "route", "reference", "state", "opened_at", "closed_on")
    list_filter = ("route", "state")

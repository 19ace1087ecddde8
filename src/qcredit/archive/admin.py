"""Django admin for the archive. Records are append-only (SPEC §3): the admin shows them,
never edits or deletes them; corrections and withdrawals go through archive.services."""

from django.contrib import admin

from .models import Enterprise, Record

admin.site.site_header = "企业质量信用监管系统 管理后台"
admin.site.site_title = "企业质量信用监管系统"
admin.site.index_title = "管理"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordInline(admin.TabularInline):
    model = Record
    fields = ("date", "kind", "record_id", "source", "ref", "version", "withdrawn", "superseded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-date",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    """Read-only: registering and changing enterprises goes through archive.services, which
    regrade (and, from the governance issue on, audit) in the same transaction."""

    list_display = ("uscc", "name", "region", "industry", "status", "licence_required", "exporter")
    list_filter = ("status", "licence_required", "mandatory_testing", "exporter")
    search_fields = ("uscc", "name")
    readonly_fields = ("uscc", "created_at", "updated_at")
    inlines = (RecordInline,)
    list_per_page = 50


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ("record_id", "enterprise", "kind", "date", "source", "version", "withdrawn", "superseded_at")
    list_filter = ("kind", "withdrawn", "recorded_via")
    search_fields = ("record_id", "enterprise__uscc", "enterprise__name", "ref")
    list_select_related = ("enterprise",)
    date_hierarchy = "date"
    list_per_page = 50

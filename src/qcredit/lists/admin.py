"""The public lists in the Django admin: read-only. Every change goes through the services
(qcredit.lists.services), which check role and jurisdiction and write the audit trail."""

from django.contrib import admin

from .models import (
    AApplication,
    BlacklistEntry,
    Objection,
    ObjectionAttachment,
    PublishedA,
    Recheck,
    Statement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AApplication)
class AApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "state", "applied_on", "inspection_required", "inspection_favourable",
                    "closed_on")
    list_filter = ("state", "inspection_required")
    search_fields = ("enterprise__name", "enterprise__uscc")
    raw_id_fields = ("enterprise", "evaluation")


@admin.register(PublishedA)
class PublishedAAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "uscc", "region", "state", "published_on", "valid_until", "exited_on", "exit_kind")
    list_filter = ("state", "exit_kind")
    search_fields = ("name", "uscc")


@admin.register(Recheck)
class RecheckAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "cause", "state", "outcome", "opened_on", "closed_on", "reviewer")
    list_filter = ("state", "cause", "outcome")
    search_fields = ("enterprise__name", "enterprise__uscc")
    raw_id_fields = ("enterprise", "grade_change", "evaluation", "objection")


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "uscc", "region", "state", "listed_on", "exposure_until", "exited_on")
    list_filter = ("state",)
    search_fields = ("name", "uscc")


class ObjectionAttachmentInline(admin.TabularInline):
    model = ObjectionAttachment
    fields = ("original_name", "content_type", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("receipt", "target_kind", "target_id", "state", "outcome", "lodged_on", "due_on",
                    "overdue_flagged_at", "assignee")
    list_filter = ("state", "outcome", "target_kind")
    search_fields = ("receipt", "enterprise__name", "enterprise__uscc")
    inlines = [ObjectionAttachmentInline]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "target_kind", "target_id", "state", "submitted_at", "moderated_at")
    list_filter = ("state", "target_kind")
    search_fields = ("enterprise__name", "text")

from django.contrib import admin

from .models import PublicationEvent


@admin.register(PublicationEvent)
class PublicationEventAdmin(admin.ModelAdmin):
    list_display = ("id", "occurred_at", "list_kind", "kind", "entry_key", "idempotency_key")
    list_filter = ("list_kind", "kind")
    search_fields = ("entry_key", "idempotency_key")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

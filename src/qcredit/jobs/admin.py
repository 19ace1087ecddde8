"""Job records in the admin, read-only: they are written by the jobs only."""

from django.contrib import admin

from qcredit.archive.admin import ReadOnlyAdmin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "job", "name", "ok", "started_at", "finished_at", "channel", "error_code")
    list_filter = ("job", "ok", "name")
    search_fields = ("name", "error")
    date_hierarchy = "day"

"""Read-only admin for the grading tables: they are written by grading.services only."""

from django.contrib import admin

from qcredit.archive.admin import ReadOnlyAdmin

from .models import Evaluation, GradeChange, GradeState, GradingRun


@admin.register(GradingRun)
class GradingRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "as_of", "ruleset", "cause", "enterprises", "snapshots", "changes", "started_at",
                    "finished_at")
    list_filter = ("kind", "ruleset")


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "as_of", "ruleset", "grade", "computed_at")
    list_filter = ("grade", "ruleset")
    search_fields = ("enterprise__uscc", "enterprise__name")
    list_select_related = ("enterprise",)
    raw_id_fields = ("enterprise", "run")


@admin.register(GradeState)
class GradeStateAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "grade", "as_of", "since", "ruleset")
    list_filter = ("grade",)
    search_fields = ("enterprise__uscc", "enterprise__name")
    list_select_related = ("enterprise",)


@admin.register(GradeChange)
class GradeChangeAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "from_grade", "to_grade", "as_of", "occurred_at")
    list_filter = ("to_grade", "from_grade")
    search_fields = ("enterprise__uscc", "enterprise__name")
    list_select_related = ("enterprise",)

"""Workspace routes: governance (included by workspace/urls.py into the workspace namespace):
rule-set versions, the holiday calendar, the audit trail."""

from django.urls import path

from . import views_governance as v

urlpatterns: list = [
    path("rulesets/", v.rulesets, name="rulesets"),
    path("rulesets/new/", v.ruleset_new, name="ruleset-new"),
    path("rulesets/<str:version>/", v.ruleset, name="ruleset"),
    path("rulesets/<str:version>/preview/", v.ruleset_preview, name="ruleset-preview"),
    path("rulesets/<str:version>/activate/", v.ruleset_activate, name="ruleset-activate"),
    path("holidays/", v.holidays, name="holidays"),
    path("holidays/import/", v.holidays_import, name="holidays-import"),
    path("holidays/<int:year>/", v.holiday_year, name="holiday-year"),
    path("holidays/<int:year>/csv/", v.holiday_year_csv, name="holiday-year-csv"),
    path("audit/", v.audit_log, name="audit-log"),
    path("audit/access/", v.access_log, name="access-log"),
    path("audit/verify/", v.audit_verify, name="audit-verify"),
    path("audit/<int:seq>/", v.audit_event, name="audit-event"),
]

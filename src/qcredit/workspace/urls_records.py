"""Workspace routes: records (included by workspace/urls.py into the workspace namespace):
record entry, correction and withdrawal, and imports with a dry run (views_records.py)."""

from django.urls import path

from . import views_records as views

urlpatterns: list = [
    path("imports/", views.imports, name="imports"),
    path("imports/templates/<str:kind>.<str:fmt>", views.import_template, name="import-template"),
    path("imports/upload/", views.import_upload, name="import-upload"),
    path("imports/<str:token>/", views.import_preview, name="import-preview"),
    path("imports/<str:token>/errors.csv", views.import_errors, name="import-errors"),
    path("imports/<str:token>/confirm/", views.import_confirm, name="import-confirm"),
    path("enterprises/<str:uscc>/records/", views.record_list, name="record-list"),
    path("enterprises/<str:uscc>/records/add/", views.record_add, name="record-add"),
    path("enterprises/<str:uscc>/records/<int:pk>/correct/", views.record_correct, name="record-correct"),
    path("enterprises/<str:uscc>/records/<int:pk>/withdraw/", views.record_withdraw, name="record-withdraw"),
]

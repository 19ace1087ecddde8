"""Report pages (SPEC §9; issue 5 item 6), mounted at /workspace/reports/ (namespace reports)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("grades/", views.grades, name="grades"),
    path("movements/", views.movements, name="movements"),
    path("lists/", views.lists, name="lists"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("download/<slug:key>.<str:fmt>", views.download, name="download"),
]

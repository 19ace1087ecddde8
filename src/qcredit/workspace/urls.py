"""Workspace routes. Each area keeps its own module; all names live in the `workspace` namespace."""

from django.urls import include, path

from . import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/", views.search, name="search"),
    path("enterprises/<str:uscc>/", views.enterprise, name="enterprise"),
    path("", include("qcredit.workspace.urls_records")),
    path("", include("qcredit.workspace.urls_redlist")),
    path("", include("qcredit.workspace.urls_lists")),
    path("", include("qcredit.workspace.urls_governance")),
]

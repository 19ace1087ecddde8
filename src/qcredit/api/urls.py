"""/api/: the partner API v1, its OpenAPI schema and the documentation page (docs/api.md)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views, views_docs

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views_docs.docs, name="docs"),
    path("v1/enterprises/<str:uscc>/", views.EnterpriseView.as_view(), name="enterprise"),
    path("v1/enterprises/<str:uscc>/grade/", views.EnterpriseGradeView.as_view(), name="enterprise-grade"),
    path("v1/redlist/", views.RedlistView.as_view(), name="redlist"),
    path("v1/published-a/", views.PublishedAView.as_view(), name="published-a"),
    path("v1/blacklist/", views.BlacklistView.as_view(), name="blacklist"),
    path("v1/intake/batches/", views.IntakeBatchesView.as_view(), name="intake-batches"),
    path("v1/intake/batches/<str:batch_id>/", views.IntakeBatchView.as_view(), name="intake-batch"),
    re_path(r"^v1/(?P<rest>.*)$", views.unknown),
]

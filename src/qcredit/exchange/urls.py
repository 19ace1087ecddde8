"""Staff screens of the partner exchange, mounted at /workspace/exchange/ (namespace exchange)."""

from django.urls import path

from . import views, views_exports

app_name = "exchange"
urlpatterns: list = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/", views.message, name="message"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("outbox/retry-failed/", views.retry_failed, name="retry-failed"),
    # exports (issue 5 item 2; views_exports.py, docs/exports.md)
    path("exports/", views_exports.index, name="exports"),
    path("exports/download/", views_exports.download, name="exports-download"),
]

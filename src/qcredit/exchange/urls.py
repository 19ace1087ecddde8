"""Staff screens of the partner exchange, mounted at /workspace/exchange/ (namespace exchange)."""

from django.urls import path

from . import views

app_name = "exchange"
urlpatterns: list = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/", views.message, name="message"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
    path("outbox/retry-failed/", views.retry_failed, name="retry-failed"),
]

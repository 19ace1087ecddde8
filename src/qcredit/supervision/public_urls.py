"""Public pages of inspection plans and results (双随机、一公开): no grade, ever (SPEC §7.1, §9)."""

from django.urls import path  # noqa: F401

app_name = "inspections"
urlpatterns: list = []

"""Public pages of inspection plans and results (双随机、一公开): no grade, ever (SPEC §7.1, §9)."""

from django.urls import path

from . import public_views

app_name = "inspections"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("<int:pk>/", public_views.plan, name="plan"),
]

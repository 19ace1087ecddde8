"""Staff screens of supervision by grade at /workspace/supervision/ (SPEC §9)."""

from django.urls import include, path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("measures/", views.measures, name="measures"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/add/<str:grade>/", views.measure_add, name="measure-add"),
    path("plans/", views.plans, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/items/<int:item_pk>/result/", views.plan_result, name="plan-result"),
    path("conflicts/", views.conflicts, name="conflicts"),
    # Early warning (risk queue, yellow-card letters, honour/policy reviews): urls_warnings.py.
    path("", include("qcredit.supervision.urls_warnings")),
]

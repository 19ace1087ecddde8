"""Enterprise self-service routes (namespace ``selfservice``, mounted at /self-service/)."""

from django.urls import path

from . import views

app_name = "selfservice"
urlpatterns = [
    path("", views.home, name="home"),
    path("a-applications/", views.a_applications, name="a-applications"),
    path("a-applications/<int:pk>/cancel/", views.a_application_cancel, name="a-application-cancel"),
    path("published-a/<int:pk>/withdraw/", views.published_a_withdraw, name="published-a-withdraw"),
    path("objections/", views.objections, name="objections"),
    path("statements/", views.statements, name="statements"),
]

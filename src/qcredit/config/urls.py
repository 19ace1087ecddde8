from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qcredit.web import views as web_views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/landing/", web_views.landing, name="landing"),
    path("admin/", admin.site.urls),
    path("workspace/", include("qcredit.workspace.urls")),
    path("self-service/", include("qcredit.selfservice.urls")),
    # The public portal owns the site root.
    path("", include("qcredit.portal.urls")),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/workspace/", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="workspace/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("workspace/", include("qcredit.workspace.urls")),
]

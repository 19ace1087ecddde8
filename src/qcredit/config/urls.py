from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qcredit.web import views as web_views
from qcredit.web import views_auth  # security: throttled login, own password change

urlpatterns = [
    path("accounts/login/", views_auth.LoginView.as_view(), name="login"),
    path("accounts/password/", views_auth.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", views_auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/landing/", web_views.landing, name="landing"),
    path("admin/", admin.site.urls),
    path("workspace/", include("qcredit.workspace.urls")),
    # Partner exchange screens (outbox, deliveries, exports) for staff.
    path("workspace/exchange/", include("qcredit.exchange.urls")),
    path("workspace/supervision/", include("qcredit.supervision.urls")),
    path("workspace/reports/", include("qcredit.reports.urls")),
    # The partner API (DRF) with its OpenAPI schema and documentation page.
    path("api/", include("qcredit.api.urls")),
    # Public inspection plans and results (双随机、一公开).
    path("inspections/", include("qcredit.supervision.public_urls")),
    path("self-service/", include("qcredit.selfservice.urls")),
    # The public portal owns the site root.
    path("", include("qcredit.portal.urls")),
]

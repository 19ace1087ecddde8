from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qcredit.web"
    label = "web"
    verbose_name = "网页公共层"

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .auth import AdminLoginForm, on_logged_in, on_login_failed

        # Login throttling on every login path (qcredit/web/throttle.py), the admin's included.
        user_login_failed.connect(on_login_failed, dispatch_uid="qcredit.web.login_failed")
        user_logged_in.connect(on_logged_in, dispatch_uid="qcredit.web.logged_in")
        admin.site.login_form = AdminLoginForm

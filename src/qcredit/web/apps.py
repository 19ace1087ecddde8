from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qcredit.web"
    label = "web"
    verbose_name = "网页公共层"

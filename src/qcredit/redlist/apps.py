from django.apps import AppConfig


class RedlistConfig(AppConfig):
    name = "qcredit.redlist"
    label = "redlist"
    verbose_name = "红名单"

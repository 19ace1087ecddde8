from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "qcredit.selfservice"
    label = "selfservice"
    verbose_name = "企业服务"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "qcredit.api"
    label = "api"
    verbose_name = "合作部门接口"

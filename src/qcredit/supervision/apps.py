from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "qcredit.supervision"
    label = "supervision"
    verbose_name = "分级分类监管"

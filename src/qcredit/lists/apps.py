from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "qcredit.lists"
    label = "lists"
    verbose_name = "A级公示、黑名单与异议"

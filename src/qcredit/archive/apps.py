from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "qcredit.archive"
    label = "archive"
    verbose_name = "企业质量档案"

from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "qcredit.grading"
    label = "grading"
    verbose_name = "质量信用等级评定"

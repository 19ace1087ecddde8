from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "qcredit.jobs"
    label = "jobs"
    verbose_name = "定时任务"

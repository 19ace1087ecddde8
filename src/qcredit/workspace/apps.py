from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "qcredit.workspace"
    label = "workspace"
    verbose_name = "工作台"

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "qcredit.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from .purge import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="qcredit.audit.sqlite_function")

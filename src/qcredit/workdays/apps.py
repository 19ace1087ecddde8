from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkdaysConfig(AppConfig):
    name = "qcredit.workdays"
    label = "workdays"
    verbose_name = "工作日历（法定节假日）"

    def ready(self) -> None:
        from .seed import restore_after_flush

        # Migration 0002 seeds every new database; this puts the seed back after a flush
        # (which empties tables and then emits post_migrate), see seed.py.
        post_migrate.connect(restore_after_flush, sender=self, dispatch_uid="workdays.restore_after_flush")

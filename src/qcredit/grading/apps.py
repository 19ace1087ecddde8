from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "qcredit.grading"
    label = "grading"
    verbose_name = "质量信用等级评定"

    def ready(self) -> None:
        from qcredit.archive.signals import archive_changed

        from . import receivers

        # SPEC §4.3: a new, corrected or withdrawn record regrades its enterprise at once,
        # in the transaction of the change.
        archive_changed.connect(receivers.regrade_on_archive_change, dispatch_uid="grading.regrade_on_archive_change")

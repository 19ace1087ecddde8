from django.apps import AppConfig


class RedlistConfig(AppConfig):
    name = "qcredit.redlist"
    label = "redlist"
    verbose_name = "红名单"

    def ready(self) -> None:
        from qcredit.grading.signals import results_changed

        from . import receivers

        # SPEC §4.3 / SRL 第十三条: a listed subject whose result changed may have a new violation.
        results_changed.connect(receivers.open_revocation_reviews, dispatch_uid="redlist.open_revocation_reviews")

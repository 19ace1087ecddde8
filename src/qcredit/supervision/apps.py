from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "qcredit.supervision"
    label = "supervision"
    verbose_name = "分级分类监管"

    def ready(self) -> None:
        from qcredit.config.seeds import restore_after_flush
        from qcredit.grading.signals import grades_changed

        restore_after_flush(self, migration="0001_initial", function="seed_measures", model="Measure")

        from . import receivers

        grades_changed.connect(receivers.honour_reviews_on_grades_changed,
                               dispatch_uid="supervision.honour_reviews_react")

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "qcredit.supervision"
    label = "supervision"
    verbose_name = "分级分类监管"

    def ready(self) -> None:
        from qcredit.grading.signals import grades_changed

        from . import receivers

        grades_changed.connect(receivers.honour_reviews_on_grades_changed,
                               dispatch_uid="supervision.honour_reviews_react")

from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "qcredit.lists"
    label = "lists"
    verbose_name = "A级公示、黑名单与异议"

    def ready(self) -> None:
        from qcredit.grading.signals import grades_changed

        from . import receivers

        # SPEC §4.3: a grade change drives the workflows — told on commit of the grading run;
        # every reaction is also a daily reconcile function (qcredit.jobs).
        grades_changed.connect(receivers.lists_on_grades_changed, dispatch_uid="lists.on_grades_changed")

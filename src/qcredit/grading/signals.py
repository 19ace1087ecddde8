"""Grade changes as events (SPEC §4.3). Sent on commit with the run whose GradeChange rows
the receivers read set-based: ``grades_changed.connect(receiver)``; ``receiver(sender, run)``."""

from django.dispatch import Signal

grades_changed = Signal()

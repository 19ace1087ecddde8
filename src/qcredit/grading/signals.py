"""Grade changes as events (SPEC §4.3). Sent on commit with the run whose GradeChange rows
the receivers read set-based: ``grades_changed.connect(receiver)``; ``receiver(sender, run)``."""

from django.dispatch import Signal

grades_changed = Signal()

results_changed = Signal()
"""Sent on commit when a run stored new snapshots (``Evaluation`` rows with ``run=run``): a
result changed — the grade, or only a criterion or its evidence (a red-list subject's new
adverse record need not change its grade). ``receiver(sender, run)``."""

"""Archive events. ``archive_changed`` is sent *inside* the transaction that changed the
archive, so that a receiver's writes (the incremental regrade, SPEC §4.3) commit or roll
back with the change itself: ``receiver(sender, enterprise_ids, cause, actor)``."""

from django.dispatch import Signal

archive_changed = Signal()

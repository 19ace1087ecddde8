"""Data that migrations seed (the partner systems, the catalogue of measures), put back after
``flush``.

``flush`` empties every table and then emits ``post_migrate``; transactional tests flush between
tests, and an operator may flush a database too. Seeds written by a data migration would then
be gone for good, since the migration is recorded as applied. Each seeding app connects
:func:`restore_after_flush` with its migration: when that migration is applied and the table is
empty, the migration's own seed function runs again (on the current models, which the seed
functions only touch through ``apps.get_model``). The calendar of qcredit.workdays does the same
in its own module.
"""

from __future__ import annotations

import importlib
from functools import partial

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate


def _restore(sender, *, app_label: str, migration: str, function: str, model: str,
             using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    if (app_label, migration) not in MigrationRecorder(connections[using]).applied_migrations():
        return
    if global_apps.get_model(app_label, model).objects.using(using).exists():
        return
    module = importlib.import_module(f"qcredit.{app_label}.migrations.{migration}")
    getattr(module, function)(global_apps, None)  # the seed functions use no schema editor


def restore_after_flush(app_config, *, migration: str, function: str, model: str) -> None:
    """Connect the restore of ``migration``'s seed ``function`` (which fills ``model``)."""
    post_migrate.connect(partial(_restore, app_label=app_config.label, migration=migration, function=function,
                                 model=model),
                         sender=app_config, weak=False, dispatch_uid=f"{app_config.label}.{migration}.restore")

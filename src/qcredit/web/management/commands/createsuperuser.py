"""``createsuperuser`` with the password policy on every path.

Django checks AUTH_PASSWORD_VALIDATORS when it asks for the password interactively (and then
offers the operator at the console an explicit "bypass?" question), but not for
``--noinput`` with ``DJANGO_SUPERUSER_PASSWORD``. Here the non-interactive password is checked
too and a weak one is refused (exit 1, the reasons in Chinese). This app is listed before
django.contrib.auth in INSTALLED_APPS so that this command is the one that runs.
"""

from __future__ import annotations

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password is not None:
            field = self.UserModel.USERNAME_FIELD
            username = options.get(field) or os.environ.get(f"DJANGO_SUPERUSER_{field.upper()}") or ""
            try:
                validate_password(password, self.UserModel(**{field: username}))
            except ValidationError as error:
                raise CommandError("密码不符合密码策略：" + "；".join(error.messages)) from error
        return super().handle(*args, **options)

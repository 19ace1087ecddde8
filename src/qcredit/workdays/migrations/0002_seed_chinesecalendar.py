"""Seed the official calendar of 2004–2026 from the ``chinesecalendar`` package (SPEC §5
preamble), so that every new database can count working days at once. Why a migration rather
than a post_migrate command: see ``qcredit.workdays.seed``.

Reversing removes the seeded years (those whose source is the package) and keeps the years an
administrator loaded.
"""

from django.db import migrations


def seed_forwards(apps, schema_editor):
    from qcredit.workdays.seed import seed

    seed(holiday_year_model=apps.get_model("workdays", "HolidayYear"),
         calendar_day_model=apps.get_model("workdays", "CalendarDay"),
         using=schema_editor.connection.alias)


def seed_backwards(apps, schema_editor):
    holiday_year = apps.get_model("workdays", "HolidayYear")
    holiday_year.objects.using(schema_editor.connection.alias).filter(
        source__startswith="chinesecalendar ", loaded_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_forwards, seed_backwards),
    ]

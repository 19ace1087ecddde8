"""The official working-day calendar (SPEC §5 preamble): the State Council's 法定节假日 and
调休 make-up workdays, year by year, and the working-day arithmetic every deadline uses.

- :mod:`.calendar` — ``is_workday``, ``add_workdays``, ``workdays_between`` (the one
  working-day function of the system);
- :mod:`.services` — ``holiday_year_load``, the one way a year's schedule is written;
- :mod:`.schedule` — what makes a year's schedule valid (pure Python);
- :mod:`.files` — reading a schedule from CSV, XLSX or JSON;
- :mod:`.seed` — 2004–2026 from the ``chinesecalendar`` package (migration 0002).
"""

"""Shared data of the calendar tests. No cache is reset between tests: a year loaded in one
test's rolled-back transaction must be gone for the next test by itself (calendar.py)."""

from __future__ import annotations

import pytest

# A test schedule for 2027 — not the State Council's (tests must not depend on a real 2027
# notice): 元旦 Fri 1 – Sun 3 January, 春节 Sat 6 – Fri 12 February, make-up workday Sat 13 February.
CSV_2027 = """日期,类型,名称
2027-01-01,法定节假日,元旦
2027-01-02,法定节假日,元旦
2027-01-03,法定节假日,元旦
2027-02-06,法定节假日,春节
2027-02-07,法定节假日,春节
2027-02-08,法定节假日,春节
2027-02-09,法定节假日,春节
2027-02-10,法定节假日,春节
2027-02-11,法定节假日,春节
2027-02-12,法定节假日,春节
2027-02-13,调休上班,春节
"""
SOURCE_2027 = "测试用 2027 年安排（非国务院通知）"


@pytest.fixture
def csv_2027(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    return path

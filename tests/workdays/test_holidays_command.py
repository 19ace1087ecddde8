"""``qcredit manage holidays``: list, show, export and load a year's schedule."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qcredit.workdays.calendar import add_workdays
from qcredit.workdays.models import CalendarDay, HolidayYear

from .conftest import SOURCE_2027

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("holidays", *args, stdout=out)
    return out.getvalue()


def test_list_shows_the_loaded_years_and_counts():
    output = _run("list")
    assert "已导入 23 个年度（2004–2026）" in output
    assert "2026        33         6" in output
    assert "chinesecalendar 1.11.0" in output


def test_show_lists_a_year():
    output = _run("show", "--year", "2026")
    assert "2026 年：法定节假日 33 天，调休上班日 6 天" in output
    assert "2026-02-14 周六  调休上班日  春节" in output


def test_load_2027_from_a_csv(csv_2027):
    output = _run("load", "--year", "2027", "--file", str(csv_2027), "--source", SOURCE_2027)
    assert output.strip() == f"已导入 2027 年法定节假日安排：法定节假日 10 天，调休上班日 1 天（依据：{SOURCE_2027}）"
    assert HolidayYear.objects.get(year=2027).loaded_by is None
    assert add_workdays(date(2026, 12, 25), 5) == date(2027, 1, 4)


def test_a_bad_file_is_refused_with_its_rows(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("日期,类型,名称\n2027-01-01,法定节假日,元旦\n2027-01-04,调休上班,元旦\n", encoding="utf-8")
    before = CalendarDay.objects.count()
    with pytest.raises(CommandError) as caught:
        _run("load", "--year", "2027", "--file", str(path))
    assert "第 3 行：调休上班日应为周六或周日，2027-01-04 是周一" in str(caught.value)
    assert CalendarDay.objects.count() == before


def test_replacing_needs_a_reason(tmp_path):
    path = tmp_path / "2026.csv"
    _run("export", "--year", "2026", "--out", str(path))
    with pytest.raises(CommandError, match=r"已于 .* 导入"):
        _run("load", "--year", "2026", "--file", str(path))
    with pytest.raises(CommandError, match="必须说明原因"):
        _run("load", "--year", "2026", "--file", str(path), "--replace")
    output = _run("load", "--year", "2026", "--file", str(path), "--replace", "--reason", "核对后重新导入",
                  "--source", "国务院办公厅关于2026年部分节假日安排的通知")
    assert output.startswith("已替换 2026 年法定节假日安排：法定节假日 33 天，调休上班日 6 天")


def test_a_missing_file():
    with pytest.raises(CommandError, match="无法读取文件"):
        _run("load", "--year", "2027", "--file", "/nonexistent/2027.csv")

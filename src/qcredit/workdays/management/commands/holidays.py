"""``qcredit manage holidays …``: the official holiday calendar (SPEC §5 preamble).

    holidays list                                   loaded years and their counts
    holidays show --year 2026                       a year's holidays and make-up workdays
    holidays export --year 2026 [--out F.csv]       a year as the CSV that ``load`` reads
    holidays load --year 2027 --file F.csv [--source "国办发明电〔2026〕x号"]
                  [--replace --reason "…"]          load (or replace) a year from CSV/XLSX/JSON

Loads are done by the system (the operator who runs the command); errors list every problem
and exit with status 1, nothing written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qcredit.workdays.errors import WorkdayError
from qcredit.workdays.files import schedule_file_read, schedule_file_write
from qcredit.workdays.models import HolidayYear
from qcredit.workdays.schedule import KIND_LABELS, WEEKDAY_LABELS, summary
from qcredit.workdays.selectors import holiday_year_days, holiday_year_list
from qcredit.workdays.services import holiday_year_load


class Command(BaseCommand):
    help = "法定节假日安排：查看已导入的年度、导入或替换某年度的安排"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        sub.add_parser("list", help="列出已导入的年度及天数")
        p = sub.add_parser("show", help="列出某年度的法定节假日和调休上班日")
        p.add_argument("--year", type=int, required=True)
        p = sub.add_parser("export", help="导出某年度安排为 CSV（可修改后用 load --replace 重新导入）")
        p.add_argument("--year", type=int, required=True)
        p.add_argument("--out", help="输出文件；缺省输出到标准输出")
        p = sub.add_parser("load", help="从 CSV/XLSX/JSON 文件导入某年度安排（列：日期、类型、名称）")
        p.add_argument("--year", type=int, required=True, help="年度，如 2027")
        p.add_argument("--file", required=True, help="导入文件 .csv、.xlsx 或 .json")
        p.add_argument("--source", default="", help="依据，如 国务院办公厅通知的名称和文号")
        p.add_argument("--replace", action="store_true", help="替换已导入的年度安排（须同时说明 --reason）")
        p.add_argument("--reason", default="", help="替换原因")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _list(self, **options) -> None:
        years = list(holiday_year_list())
        if not years:
            self.stdout.write("尚未导入任何年度的法定节假日安排")
            return
        self.stdout.write(f"已导入 {len(years)} 个年度（{years[-1].year}–{years[0].year}）：")
        self.stdout.write("年度  法定节假日  调休上班日  导入时间          导入人  依据")
        for y in years:
            who = y.loaded_by.get_username() if y.loaded_by else "系统"
            self.stdout.write(f"{y.year}  {y.holiday_count:>8}  {y.workday_count:>8}  "
                              f"{timezone.localtime(y.loaded_at):%Y-%m-%d %H:%M}  {who}  {y.source}")
        missing = sorted(set(range(years[-1].year, years[0].year + 1)) - {y.year for y in years})
        if missing:
            self.stdout.write(f"注意：中间缺少年度 {'、'.join(map(str, missing))}")

    def _show(self, *, year: int, **options) -> None:
        days = holiday_year_days(year=year)
        if not days:
            raise CommandError(f"{year} 年的法定节假日安排尚未导入")
        self.stdout.write(f"{year} 年：{summary(days)}")
        for day, kind, name in days:
            self.stdout.write(f"{day.isoformat()} {WEEKDAY_LABELS[day.weekday()]}  {KIND_LABELS[kind]}  {name}")

    def _export(self, *, year: int, out: str | None, **options) -> None:
        days = holiday_year_days(year=year)
        if not days:
            raise CommandError(f"{year} 年的法定节假日安排尚未导入")
        content = schedule_file_write(days=days)
        if out:
            Path(out).write_bytes(content)
            self.stdout.write(f"已导出 {year} 年安排到 {out}：{summary(days)}")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")

    def _load(self, *, year: int, file: str, source: str, replace: bool, reason: str, **options) -> None:
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}") from None
        existed = HolidayYear.objects.filter(year=year).exists()
        try:
            schedule = schedule_file_read(content=content, filename=path.name, year=year)
            holiday_year = holiday_year_load(
                year=year, days=schedule.days, source=source or schedule.source or f"导入文件 {path.name}",
                actor=None, replace=replace, reason=reason)
        except WorkdayError as exc:
            raise CommandError(str(exc)) from None
        verb = "替换" if existed else "导入"
        self.stdout.write(f"已{verb} {year} 年法定节假日安排：{summary(schedule.days)}（依据：{holiday_year.source}）")

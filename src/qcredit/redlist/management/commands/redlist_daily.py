"""``qcredit manage redlist_daily [--today YYYY-MM-DD]``: the red list's daily jobs by hand
(expiry, revocation reviews missed on commit, overdue flags). The scheduler runs the same
functions through ``qcredit jobs run-daily``."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from qcredit.audit.context import channel
from qcredit.redlist.services import redlist_daily
from qcredit.workdays.errors import WorkdayError


class Command(BaseCommand):
    help = "红名单每日任务：公开期满转入备查库、补建撤销研究、逾期建议提示"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="按哪一天执行（YYYY-MM-DD，默认今天）")

    def handle(self, *args, today=None, **options):
        with channel("cli"):
            try:
                result = redlist_daily(today=today)
            except WorkdayError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"红名单每日任务（{result['today']}）：期满转入备查库 {result['expired']} 个，"
                          f"新建撤销研究 {result['reviews_opened']} 件，逾期未提出建议提示 {result['overdue_flagged']} 件")

"""``qcredit manage redlist_status``: each red list at a glance for operators (counts only; no
subject's internal data is printed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from qcredit.redlist.models import Entry, Nomination, RedList, RemovalItem, RevocationReview
from qcredit.redlist.selectors import public_entries


class Command(BaseCommand):
    help = "各红名单的办理情况统计"

    def handle(self, *args, **options):
        lists = list(RedList.objects.select_related("owner"))
        if not lists:
            self.stdout.write("尚未建立红名单")
            return
        for redlist in lists:
            nominations = dict(redlist.nominations.values_list("state").annotate(n=Count("id")))
            entries = dict(redlist.entries.values_list("state").annotate(n=Count("id")))
            reviews = RevocationReview.objects.filter(entry__redlist=redlist, state__in=RevocationReview.OPEN_STATES)
            removals = RemovalItem.objects.filter(entry__redlist=redlist, state=RemovalItem.State.OPEN).count()
            self.stdout.write(f"{redlist}（{redlist.owner}，管辖区域 {redlist.jurisdiction}）")
            self.stdout.write("  提报：" + "，".join(f"{label} {nominations.get(state, 0)}"
                                                 for state, label in Nomination.State.choices))
            self.stdout.write("  主体：" + "，".join(f"{label} {entries.get(state, 0)}"
                                                 for state, label in Entry.State.choices)
                              + f"；当前公开 {len(public_entries(redlist=redlist))}")
            self.stdout.write(f"  待办：撤销研究 {reviews.count()} 件（其中逾期 "
                              f"{reviews.filter(overdue_flagged_at__isnull=False).count()} 件），删除事项 {removals} 件")

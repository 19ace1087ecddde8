"""``qcredit exchange …`` — the outbox from the command line (an operator's tool: it acts as
the system, audited through the channel ``cli``).

    qcredit exchange deliver [--limit N]           deliver what is due now (cron, without Redis)
    qcredit exchange outbox [--state S] [--partner CODE] [--limit N]
    qcredit exchange show ID                       one message and its delivery log
    qcredit exchange retry ID … | --all-failed [--partner CODE] [--reason TEXT]
    qcredit exchange partners                      partners and their counts
    qcredit exchange enqueue CODE [--since YYYY-MM-DD]   queue past events for a partner

``add_arguments`` builds the parser without Django; ``run`` is called after Django is set up.
"""

from __future__ import annotations

import argparse
import sys

STATES = ("pending", "retrying", "blocked", "delivered", "failed")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="exchange_command", required=True)
    p = sub.add_parser("deliver", help="立即发送到期的推送消息（无需 Redis，可由 cron 每分钟运行）；有消息失败时退出码为 1")
    p.add_argument("--limit", type=int, help="最多发送的次数")
    p = sub.add_parser("outbox", help="推送发件箱：消息及其状态")
    p.add_argument("--state", choices=STATES, help="按状态筛选")
    p.add_argument("--partner", help="合作系统代号")
    p.add_argument("--limit", type=int, default=50)
    p = sub.add_parser("show", help="一条消息及其发送记录")
    p.add_argument("id", type=int)
    p = sub.add_parser("retry", help="重新发送失败的消息（同一幂等键）")
    p.add_argument("ids", type=int, nargs="*", metavar="ID")
    p.add_argument("--all-failed", action="store_true", help="全部发送失败的消息")
    p.add_argument("--partner", help="与 --all-failed 一起使用：只重试该合作系统的消息")
    p.add_argument("--reason", default="", help="说明（记入审计日志）")
    sub.add_parser("partners", help="合作系统及其消息数")
    p = sub.add_parser("enqueue", help="为合作系统补发此前的公开/撤下事件（如新启用的合作系统）")
    p.add_argument("partner", help="合作系统代号")
    p.add_argument("--since", help="只补发此日期（含）以后的事件 YYYY-MM-DD")


class InvalidArgument(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.problems = [(path, reason)]


def run(args, *, print_table) -> int:
    """Dispatch; ``print_table(header, rows)`` is the CLI's table printer. Invalid input
    raises an exception with ``problems`` [(path, reason)] (exit 2 in the CLI)."""
    command = {"deliver": _deliver, "outbox": _outbox, "show": _show, "retry": _retry, "partners": _partners,
               "enqueue": _enqueue}[args.exchange_command]
    return command(args, print_table)


def _time(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _partner(code: str):
    from .models import Partner

    partner = Partner.objects.filter(code=code).first()
    if partner is None:
        known = "、".join(Partner.objects.values_list("code", flat=True)) or "（无）"
        raise InvalidArgument("--partner" if code else "partner", f"没有代号为 {code} 的合作系统；已有：{known}")
    return partner


def _deliver(args, print_table) -> int:
    from .delivery import deliver_due

    report = deliver_due(limit=args.limit)
    print(f"送达 {report.delivered}，稍后重试 {report.retried}，失败 {report.failed}"
          + (f"，中断 {report.interrupted}" if report.interrupted else "")
          + (f"；因暂时性错误本轮暂停：{'、'.join(report.paused_partners)}" if report.paused_partners else "")
          + f"（用时 {report.seconds:.1f} 秒）")
    if report.failed:
        print(f"{report.failed} 条消息发送失败，需要人工处理：qcredit exchange outbox --state failed", file=sys.stderr)
        return 1
    return 0


def _outbox(args, print_table) -> int:
    from django.utils import timezone

    from . import selectors

    found = selectors.outbox_messages(scope=None, state=args.state or "",
                                      partner=_partner(args.partner).code if args.partner else "")
    now = timezone.now()
    rows = []
    for m in found[: args.limit]:
        _, label = selectors.view_state(m, now)
        when = m.delivered_at if m.state == "delivered" else (m.next_attempt_at if m.state == "pending" else None)
        rows.append((m.pk, _time(m.created_at), m.partner.code, m.get_list_kind_display(), m.get_kind_display(),
                     m.name or m.entry_key, label, m.attempts, _time(when), (m.last_error or "-")[:60]))
    print_table(("编号", "生成时间", "合作系统", "名单", "事件", "主体", "状态", "次数", "下次发送/送达", "最近错误"), rows)
    total = found.count()
    if total > len(rows):
        print(f"（共 {total} 条，显示最新 {len(rows)} 条；--limit 可调整）")
    return 0


def _show(args, print_table) -> int:
    import json

    from . import selectors

    m = selectors.outbox_message_get(scope=None, pk=args.id)
    if m is None:
        raise InvalidArgument("ID", f"没有编号为 {args.id} 的推送消息")
    _, label = selectors.view_state(m)
    print(f"消息 #{m.pk}：{m.partner.name}（{m.partner.code}） {m.get_list_kind_display()} {m.get_kind_display()} "
          f"{m.name} {m.uscc}")
    print(f"状态：{label}；累计发送 {m.attempts} 次；幂等键 {m.idempotency_key}")
    if m.last_error:
        print(f"最近错误：{m.last_error}")
    print_table(("次序", "开始时间", "用时(毫秒)", "响应码", "结果", "说明"),
                [(a.number, _time(a.started_at), a.duration_ms, a.status_code or "-", a.get_outcome_display(),
                  a.error or "-") for a in reversed(selectors.message_attempts(m))])
    print(json.dumps(m.payload, ensure_ascii=False, indent=1))
    return 0


def _retry(args, print_table) -> int:
    from .errors import ExchangeError, ExchangeErrorCode
    from .services import outbox_message_retry, outbox_retry_failed

    if args.all_failed == bool(args.ids):
        raise InvalidArgument("ID", "请给出消息编号，或使用 --all-failed（二者选一）")
    if args.partner and not args.all_failed:
        raise InvalidArgument("--partner", "--partner 只与 --all-failed 一起使用")
    if args.all_failed:
        ids = outbox_retry_failed(actor=None, partner=_partner(args.partner) if args.partner else None,
                                  reason=args.reason)
        print(f"{len(ids)} 条失败消息已重新排队" + (f"：{'、'.join(f'#{i}' for i in ids)}" if ids else ""))
        return 0
    status = 0
    for message_id in args.ids:
        try:
            outbox_message_retry(message=message_id, actor=None, reason=args.reason)
        except ExchangeError as exc:
            if exc.code is ExchangeErrorCode.NOT_FOUND:
                raise InvalidArgument("ID", exc.message) from None
            print(f"#{message_id}: {exc.message}", file=sys.stderr)
            status = 1
        else:
            print(f"#{message_id} 已重新排队")
    return status


def _partners(args, print_table) -> int:
    from .partners import partner_token
    from .selectors import partner_summaries

    print_table(("代号", "名称", "启用", "令牌", "接收地址", "待发送", "等待重试", "已送达", "失败"),
                [(s.partner.code, s.partner.name, "是" if s.partner.enabled else "否",
                  "已设置" if partner_token(s.partner) else "未设置", s.partner.endpoint, s.pending, s.retrying,
                  s.delivered, s.failed) for s in partner_summaries(scope=None)])
    return 0


def _enqueue(args, print_table) -> int:
    from datetime import datetime, time

    from django.utils import timezone

    from .services import outbox_enqueue

    partner = _partner(args.partner)
    since = None
    if args.since:
        try:
            since = timezone.make_aware(datetime.combine(datetime.strptime(args.since, "%Y-%m-%d").date(), time()))
        except ValueError:
            raise InvalidArgument("--since", f"日期应为 YYYY-MM-DD：{args.since}") from None
    count = outbox_enqueue(partner=partner, since=since)
    print(f"已为 {partner.name} 补发 {count} 条消息" + ("" if partner.enabled else "（该合作系统未启用，启用后才发送）"))
    return 0

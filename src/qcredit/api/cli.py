"""``qcredit api …`` — partner API clients from the command line (an operator's tool: it acts as
the system, audited through the channel ``cli``; the admin is the everyday place).

    qcredit api clients                                   clients, scopes, calls today
    qcredit api create CODE --name NAME --scope S [--scope S …] [--jurisdiction 37]
                       [--source SOURCE …] [--may-register-enterprises] [--reason TEXT]
    qcredit api token CODE [--reason TEXT]                a new token (the old one stops at once)
    qcredit api disable CODE [--reason TEXT]
    qcredit api calls [--client CODE] [--status N] [--limit N]

A token is printed once, on stdout, and never again. ``add_arguments`` builds the parser
without Django; ``run`` is called after Django is set up.
"""

from __future__ import annotations

import argparse

SCOPES = ("public", "internal-grade", "intake")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="api_command", required=True)
    sub.add_parser("clients", help="接口客户端、权限范围和今日调用次数")
    p = sub.add_parser("create", help="创建接口客户端并签发令牌（令牌只显示这一次）")
    p.add_argument("code", help="代号（小写字母、数字和连字符）")
    p.add_argument("--name", required=True, help="名称，如 信用中国（山东）")
    p.add_argument("--scope", action="append", choices=SCOPES, required=True, help="权限范围（可重复）")
    p.add_argument("--jurisdiction", default="37", help="授权区域（行政区划代码前缀），默认 37")
    p.add_argument("--source", action="append", default=[], help="可报送的记录单位（可重复；intake 必填）")
    p.add_argument("--may-register-enterprises", action="store_true", help="可登记和更新企业信息")
    p.add_argument("--reason", default="", help="说明（记入审计日志）")
    p = sub.add_parser("token", help="重新签发令牌（旧令牌立即失效；新令牌只显示这一次）")
    p.add_argument("code")
    p.add_argument("--reason", default="", help="说明（记入审计日志）")
    p = sub.add_parser("disable", help="停用接口客户端（令牌立即失效）")
    p.add_argument("code")
    p.add_argument("--reason", default="", help="说明（记入审计日志）")
    p = sub.add_parser("calls", help="接口调用记录（最新在前）")
    p.add_argument("--client", help="客户端代号")
    p.add_argument("--status", type=int, help="状态码")
    p.add_argument("--limit", type=int, default=50)


class InvalidArgument(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.problems = [(path, reason)]


def run(args, *, print_table) -> int:
    """Dispatch; invalid input raises an exception with ``problems`` [(path, reason)]. The CLI
    has set the audit channel ``cli``."""
    command = {"clients": _clients, "create": _create, "token": _token, "disable": _disable,
               "calls": _calls}[args.api_command]
    return command(args, print_table)


def _client(code: str):
    from .models import ApiClient

    client = ApiClient.objects.filter(code=code).first()
    if client is None:
        raise InvalidArgument("code", f"没有代号为“{code}”的接口客户端")
    return client


def _clients(args, print_table) -> int:
    from datetime import datetime, time

    from django.db.models import Count, Q
    from django.utils import timezone

    from .models import ApiClient

    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    rows = [(c.code, c.name, c.scopes, c.jurisdiction, "启用" if c.active else "停用", c.token_prefix or "-",
             str(c.today)) for c in ApiClient.objects.annotate(today=Count("calls", filter=Q(
                 calls__occurred_at__gte=midnight))).order_by("code")]
    print_table(("代号", "名称", "权限范围", "授权区域", "状态", "令牌前缀", "今日调用"), rows)
    return 0


def _create(args, print_table) -> int:
    from .errors import ClientError
    from .services import api_client_create

    try:
        client, token = api_client_create(code=args.code, name=args.name, scopes=args.scope,
                                          jurisdiction=args.jurisdiction, sources=args.source,
                                          may_register_enterprises=args.may_register_enterprises, actor=None,
                                          reason=args.reason)
    except ClientError as exc:
        raise InvalidArgument(exc.code.value, exc.message) from None
    print(f"已创建接口客户端 {client}，权限范围：{client.scopes}，授权区域：{client.jurisdiction}")
    print(f"访问令牌（只显示这一次）：{token}")
    return 0


def _token(args, print_table) -> int:
    from .services import api_client_token_issue

    client = _client(args.code)
    token = api_client_token_issue(client=client, actor=None, reason=args.reason)
    print(f"已为 {client} 重新签发令牌，旧令牌已失效。")
    print(f"访问令牌（只显示这一次）：{token}")
    return 0


def _disable(args, print_table) -> int:
    from .services import api_client_update

    client = _client(args.code)
    client.active = False
    api_client_update(client=client, actor=None, reason=args.reason)
    print(f"已停用 {client}，其令牌立即失效。")
    return 0


def _calls(args, print_table) -> int:
    from django.utils import timezone

    from .models import ApiCall

    calls = ApiCall.objects.select_related("client").order_by("-occurred_at", "-id")
    if args.client:
        calls = calls.filter(client=_client(args.client))
    if args.status:
        calls = calls.filter(status=args.status)
    rows = [(timezone.localtime(c.occurred_at).strftime("%Y-%m-%d %H:%M:%S"), c.client.code if c.client else "-",
             c.method, c.path + (f"?{c.query}" if c.query else ""), str(c.status), f"{c.duration_ms} ms",
             c.client_address) for c in calls[:max(1, args.limit)]]
    print_table(("时间", "客户端", "方法", "请求", "状态", "耗时", "来源地址"), rows)
    return 0

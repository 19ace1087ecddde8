"""``qcredit plans …`` — inspection plans from the command line (an operator's tool: it acts as
the system, audited through the channel ``cli``).

    qcredit plans list [--state S]      plans and their counts
    qcredit plans draw PLAN_ID          draw a draft plan with its recorded seed
    qcredit plans verify PLAN_ID        draw again from the recorded basis and seed: same plan?

``add_arguments`` builds the parser without Django; ``run`` is called after Django is set up.
"""

from __future__ import annotations

import argparse

STATES = ("draft", "drawn", "published", "results_recorded", "closed", "cancelled")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="plans_command", required=True)
    p = sub.add_parser("list", help="双随机抽查计划及其抽取、录入情况")
    p.add_argument("--state", choices=STATES, help="按状态筛选")
    p = sub.add_parser("draw", help="按记录的随机种子抽取一个草稿计划（以“系统”身份，记入审计日志）")
    p.add_argument("plan_id", type=int, metavar="PLAN_ID")
    p = sub.add_parser("verify", help="按记录的抽取依据和随机种子重新抽取，核对与已抽取的计划是否完全相同；不同则退出码为 1")
    p.add_argument("plan_id", type=int, metavar="PLAN_ID")


class InvalidArgument(Exception):
    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.problems = [(path, reason)]


def run(args, *, print_table) -> int:
    command = {"list": _list, "draw": _draw, "verify": _verify}[args.plans_command]
    return command(args, print_table)


def _plan(plan_id: int):
    from .models import InspectionPlan

    plan = InspectionPlan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        raise InvalidArgument("PLAN_ID", f"没有编号为 {plan_id} 的抽查计划")
    return plan


def _list(args, print_table) -> int:
    from django.db.models import Count, Q

    from .models import InspectionPlan

    plans = InspectionPlan.objects.select_related("unit").annotate(
        drawn=Count("items"), results=Count("items", filter=~Q(items__result=""))).order_by("-created_at", "-id")
    if args.state:
        plans = plans.filter(state=args.state)
    print_table(["编号", "计划", "组织单位", "状态", "随机种子", "抽取", "已录入结果"],
                [[p.pk, p.name, p.unit.name, p.get_state_display(), p.seed, p.drawn, p.results] for p in plans])
    return 0


def _draw(args, print_table) -> int:
    from qcredit.audit.context import channel

    from . import services
    from .errors import SupervisionError

    plan = _plan(args.plan_id)
    try:
        with channel("cli"):
            plan = services.plan_draw(plan=plan, actor=None)
    except SupervisionError as exc:
        raise InvalidArgument("PLAN_ID", exc.message) from None
    drawn = services.stored_draw(plan)
    print(f"抽查计划 {plan.pk}“{plan.name}”已按随机种子 {plan.seed} 抽取 {len(drawn.items)} 户企业"
          f"（无人可派 {len(drawn.unassigned)} 户，人员不足 {len(drawn.short)} 户）；抽取依据摘要 {plan.basis_digest}")
    return 0


def _verify(args, print_table) -> int:
    from . import services

    plan = _plan(args.plan_id)
    if plan.drawn_at is None:
        raise InvalidArgument("PLAN_ID", f"抽查计划 {plan.pk} 尚未抽取")
    if services.plan_reproduces(plan):
        print(f"一致：按记录的抽取依据（摘要 {plan.basis_digest}）和随机种子 {plan.seed} 重新抽取，结果与计划 {plan.pk} 完全相同")
        return 0
    print(f"不一致：计划 {plan.pk} 的抽取结果或抽取依据已被改动")
    return 1

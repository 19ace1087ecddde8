"""``qcredit demo`` / ``make demo``: a working system on the embedded SQLite database with a
realistic Shandong demo archive, graded, with demo logins, and every workflow in a realistic
state (red list, A publication, re-checks and black list, objections, statements, a rule-set
draft, inspection plans, warnings, partner API clients, the outbox), built by replaying some
fifteen months of daily work through the services (:mod:`qcredit.demo_workflows`)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from qcredit.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts

# Demo logins: printed by `make demo` and listed in the README. Never used outside the demo.
DEMO_SUPERUSER = ("admin", "qcredit-demo-admin")  # Django 管理后台 /admin/ (technical superuser)


def run_demo(*, enterprises: int = 2000, serve: bool = True, addr: str = "127.0.0.1:8000", reset: bool = False,
             today: date | None = None) -> int:
    from qcredit.archive.models import Enterprise
    from qcredit.demo_workflows import build_demo, workflow_summary, workflows_seeded
    from qcredit.grading import services
    from qcredit.grading.models import GradeState

    if reset:
        if connection.vendor != "sqlite":
            print("--reset 只用于内置 SQLite 演示库", file=sys.stderr)
            return 2
        connection.close()
        Path(settings.DATABASES["default"]["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)

    today = today or services.today()
    enterprise_logins: list[str] = []
    if Enterprise.objects.exists():
        print(f"演示库已存在（{Enterprise.objects.count()} 家企业），按今天 {today} 重新评定……")
        services.regrade_all(as_of=today, cause="演示库启动")
        if workflows_seeded():
            print("流程演示数据已存在，未重复生成。")
        else:
            print("该库没有流程演示数据（由旧版本建立或另行导入）；如需演示各项流程，请运行 qcredit demo --reset 重建。")
        accounts = ensure_demo_accounts(password=DEMO_PASSWORD, enterprise=_own_enterprise())
        enterprise_logins = sorted(get_user_model().objects.filter(username__startswith="qy-")
                                   .values_list("username", flat=True))
    else:
        build = build_demo(enterprises=enterprises, today=today)
        accounts = build.accounts
        enterprise_logins = build.enterprise_logins
        for note in build.notes:
            print(f"  未能生成：{note}")
        for text, times in build.logs.items():
            print(f"  系统日志（回放中 {times} 次）：{text}")
        if build.assumed_years:
            years = "、".join(str(y) for y in sorted(build.assumed_years))
            print(f"  注：{years} 年的法定节假日安排尚未导入，演示步骤在这些年份按周一至周五安排；"
                  "系统计算的期限仍以官方日历为准，缺少年份时报错。")
        print(f"用时 {build.seconds:.1f} 秒")

    counts = {g: 0 for g in "ABCDN"}
    for grade in GradeState.objects.values_list("grade", flat=True):
        counts[grade] += 1
    print("等级分布：" + "，".join(f"{g} {n}" for g, n in counts.items()))
    for line in workflow_summary():
        print(f"  {line}")

    User = get_user_model()
    username, password = DEMO_SUPERUSER
    admin, _created = User.objects.get_or_create(username=username)
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()

    print(f"\n演示账号（仅用于演示；除 {username} 外密码均为 {DEMO_PASSWORD}）：")
    print(f"  {username:18s} 密码 {password}  系统超级用户（Django 管理后台 /admin/）")
    for name, unit, role in accounts:
        print(f"  {name:18s} {role}（{unit}）")
    if enterprise_logins:
        print(f"  另有 {len(enterprise_logins)} 个企业账号（qy-统一社会信用代码小写，如 {enterprise_logins[0]}），"
              "是演示流程中提出A级公示申请、提交企业声明或收到黄牌警告书的企业")
    _print_partner_access(addr)
    if serve:
        print(f"\n访问 http://{addr}/ （Ctrl+C 停止）")
        call_command("runserver", addr, "--noreload", "--insecure")
    return 0


def _print_partner_access(addr: str) -> None:
    """The demo's partner API clients with their (demo-only, fixed) tokens and a curl line each."""
    from qcredit.accounts.models import EnterpriseAccount
    from qcredit.demo_supervision import demo_api_clients

    clients = demo_api_clients()
    if not clients:
        return
    account = EnterpriseAccount.objects.filter(user__username="enterprise").select_related("enterprise").first()
    uscc = account.enterprise.uscc if account else "统一社会信用代码"
    examples = {"public": "api/v1/redlist/", "internal-grade": f"api/v1/enterprises/{uscc}/grade/",
                "intake": "api/v1/intake/batches/"}
    print(f"\n合作部门接口（说明 http://{addr}/api/docs/；以下令牌固定，仅用于演示库）：")
    for client, token in clients:
        print(f"  {client.name}（{client.code}，权限 {' '.join(client.scope_list)}）")
        if token is None:
            print(f"    令牌已重新签发，演示令牌失效（qcredit api token {client.code} 可再签发）")
            continue
        path = next((examples[s] for s in client.scope_list if s in examples), "api/v1/redlist/")
        print(f'    curl -H "Authorization: Bearer {token}" http://{addr}/{path}')


def _own_enterprise():
    """The enterprise of the ``enterprise`` login: the one it already has, else a Lixia district
    (历下区) enterprise graded A, so that it can apply for A publication in the demo."""
    from qcredit.accounts.models import EnterpriseAccount
    from qcredit.archive.models import Enterprise

    account = EnterpriseAccount.objects.filter(user__username="enterprise").select_related("enterprise").first()
    if account is not None:
        return account.enterprise
    return (Enterprise.objects.filter(region="370102", grade_state__grade="A").order_by("uscc").first()
            or Enterprise.objects.filter(region__startswith="3701", grade_state__grade="A").order_by("uscc").first()
            or Enterprise.objects.filter(region__startswith="3701").order_by("uscc").first())

"""``qcredit demo`` / ``make demo``: a working system on the embedded SQLite database with a
realistic Shandong demo archive, graded, with demo logins."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from qcredit.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts

# Demo logins: printed by `make demo` and listed in the README. Never used outside the demo.
DEMO_SUPERUSER = ("admin", "qcredit-demo-admin")  # Django 管理后台 /admin/ (technical superuser)


def run_demo(*, enterprises: int = 2000, serve: bool = True, addr: str = "127.0.0.1:8000", reset: bool = False) -> int:
    from qcredit.archive.bundle import validate_bundle
    from qcredit.archive.demo import generate_bundle
    from qcredit.archive.imports import import_bundle
    from qcredit.archive.models import Enterprise
    from qcredit.grading import services
    from qcredit.grading.models import GradeState

    if reset:
        if connection.vendor != "sqlite":
            print("--reset 只用于内置 SQLite 演示库", file=sys.stderr)
            return 2
        connection.close()
        Path(settings.DATABASES["default"]["NAME"]).unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)

    today = services.today()
    if Enterprise.objects.exists():
        print(f"演示库已存在（{Enterprise.objects.count()} 家企业），按今天 {today} 重新评定……")
        services.regrade_all(as_of=today, cause="演示库启动")
    else:
        started = time.perf_counter()
        print(f"生成 {enterprises} 家山东省企业的演示质量档案（评价日 {today}）……")
        bundle = validate_bundle(generate_bundle(enterprises=enterprises, as_of=today))
        report = import_bundle(bundle, via="demo", regrade=False)
        print(report.summary() if hasattr(report, "summary") else report)
        services.regrade_all(as_of=today, cause="演示库建立")
        print(f"用时 {time.perf_counter() - started:.1f} 秒")

    counts = {g: 0 for g in "ABCDN"}
    for grade in GradeState.objects.values_list("grade", flat=True):
        counts[grade] += 1
    print("等级分布：" + "，".join(f"{g} {n}" for g, n in counts.items()))

    User = get_user_model()
    username, password = DEMO_SUPERUSER
    admin, _created = User.objects.get_or_create(username=username)
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    # The enterprise account belongs to a graded A enterprise of Lixia district (历下区), so that
    # it can apply for A publication in the demo.
    own = (Enterprise.objects.filter(region="370102", grade_state__grade="A").order_by("uscc").first()
           or Enterprise.objects.filter(region__startswith="3701").order_by("uscc").first())
    accounts = ensure_demo_accounts(password=DEMO_PASSWORD, enterprise=own)

    print(f"\n演示账号（仅用于演示；除 {username} 外密码均为 {DEMO_PASSWORD}）：")
    print(f"  {username:18s} 密码 {password}  系统超级用户（Django 管理后台 /admin/）")
    for name, unit, role in accounts:
        print(f"  {name:18s} {role}（{unit}）")
    if serve:
        print(f"\n访问 http://{addr}/ （Ctrl+C 停止）")
        call_command("runserver", addr, "--noreload", "--insecure")
    return 0

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

# Demo logins: printed by `make demo` and listed in the README. Never used outside the demo.
DEMO_USERS = (
    # username, password, is_superuser, 说明
    ("admin", "qcredit-demo-admin", True, "系统管理员（Django 管理后台 /admin/）"),
    ("staff", "qcredit-demo-staff", False, "省局工作人员（工作台 /workspace/）"),
)


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
    for username, password, superuser, _ in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()

    print("\n演示账号（仅用于演示）：")
    for username, password, _, role in DEMO_USERS:
        print(f"  {username:8s} 密码 {password:22s} {role}")
    if serve:
        print(f"\n访问 http://{addr}/ （Ctrl+C 停止）")
        call_command("runserver", addr, "--noreload", "--insecure")
    return 0

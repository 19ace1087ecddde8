"""The ``qcredit`` command (SPEC §8). The contract is stable: tests and integrations rely on it.

``grade`` and ``redlist-check`` work offline over a bundle and write nothing; the others
work on the configured database (DATABASE_URL, SQLite by default).
Exit codes: 0 success, 2 invalid input (one ``path: reason`` line per problem on stderr,
nothing written), 1 any other failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

EXIT_INVALID = 2


class InvalidInput(Exception):
    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {r}" for p, r in problems))
        self.problems = problems


def _as_of(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    from qcredit.rules.dates import parse_date

    try:
        return parse_date(value)
    except ValueError:
        raise InvalidInput([(option, f"不是有效的日期（YYYY-MM-DD）：{value}")]) from None


def _load_bundle(path: str):
    """Read and validate a bundle file; raises InvalidInput with every problem."""
    from qcredit.archive.bundle import BundleError, parse_bundle_text, validate_bundle

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput([(path, f"无法读取文件：{exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise InvalidInput([(path, "文件不是 UTF-8 编码的文本")]) from None
    try:
        return validate_bundle(parse_bundle_text(text))
    except BundleError as exc:
        raise InvalidInput([(p.path, p.reason) for p in exc.problems]) from None


def _offline_evaluations(args):
    from qcredit.rules import RuleSetError, evaluate, ruleset_for
    from qcredit.rules.evaluate import EnterpriseData, RecordData

    as_of = _as_of(args.as_of)
    bundle = _load_bundle(args.bundle)
    try:
        ruleset = ruleset_for(as_of)
    except RuleSetError as exc:
        raise InvalidInput([("--as-of", str(exc))]) from None
    records: dict[str, list] = {}
    for item in bundle.records:
        records.setdefault(item["uscc"], []).append(RecordData.from_bundle(item))
    evaluations = [
        evaluate(EnterpriseData.from_bundle(e), records.get(e["uscc"], ()), as_of, ruleset)
        for e in bundle.enterprises
    ]
    names = {e["uscc"]: e["name"] for e in bundle.enterprises}
    return as_of, ruleset, evaluations, names


def cmd_grade(args) -> int:
    as_of, ruleset, evaluations, names = _offline_evaluations(args)
    if args.format == "json":
        _print_json({"as_of": as_of.isoformat(), "ruleset": ruleset.version,
                     "results": [ev.grade_json() for ev in evaluations]})
    else:
        rows = [(ev.uscc, names[ev.uscc], ev.grade, " ".join(ev.adverse) or "-", " ".join(ev.unmet) or "-")
                for ev in evaluations]
        _print_table(("统一社会信用代码", "名称", "等级", "不良指标", "未达标指标"), rows)
        print(f"评价日 {as_of.isoformat()}，规则版本 {ruleset.version}，共 {len(rows)} 家")
    return 0


def cmd_redlist_check(args) -> int:
    as_of, ruleset, evaluations, names = _offline_evaluations(args)
    if args.format == "json":
        _print_json({"as_of": as_of.isoformat(), "ruleset": ruleset.version,
                     "results": [ev.redlist_json() for ev in evaluations]})
    else:
        rows = [(ev.uscc, names[ev.uscc], "可列入" if ev.redlist.eligible else "不可列入",
                 " ".join(ev.redlist.qualifying) or "-", " ".join(ev.redlist.unmet) or "-") for ev in evaluations]
        _print_table(("统一社会信用代码", "名称", "红名单资格", "符合第八条", "未满足"), rows)
    return 0


def _print_json(doc) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _print_table(header, rows) -> None:
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    widths = [max([width(h)] + [width(str(r[i])) for r in rows]) for i, h in enumerate(header)]
    for row in (header, *rows):
        print("  ".join(str(c) + " " * (w - width(str(c))) for c, w in zip(row, widths, strict=True)).rstrip())


# --- database commands -----------------------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcredit.config.settings")
    import django

    django.setup()
    from qcredit.audit.context import _client_address

    _client_address.set("cli")  # the audit trail's channel for everything this command does


class SchemaNotReady(Exception):
    pass


def _ensure_schema() -> None:
    """The embedded SQLite database is created and migrated on first use (zero set-up); a
    server database is migrated by its operator (``qcredit manage migrate``), never implicitly."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
    else:
        raise SchemaNotReady("数据库结构不是最新的：请先运行 qcredit manage migrate")


def cmd_import(args) -> int:
    _django()
    from qcredit.archive.bundle import BundleError, validate_bundle
    from qcredit.archive.imports import import_bundle, rows_to_bundle

    path = args.file
    try:
        if Path(path).suffix.lower() in {".csv", ".xlsx"}:
            if not Path(path).is_file():
                raise InvalidInput([(path, "文件不存在")])
            doc = rows_to_bundle(path)
        else:
            doc = _read_bundle_document(path)
        _ensure_schema()
        validated = validate_bundle(doc, known_usccs=_archive_usccs)
        report = import_bundle(validated, dry_run=args.dry_run, via="cli")
    except BundleError as exc:
        raise InvalidInput([(p.path, p.reason) for p in exc.problems]) from None
    print(report.summary())
    return 0


def _archive_usccs(usccs: set[str]) -> set[str]:
    from qcredit.archive.models import Enterprise

    found: set[str] = set()
    ordered = sorted(usccs)
    for start in range(0, len(ordered), 500):
        found.update(Enterprise.objects.filter(uscc__in=ordered[start:start + 500]).values_list("uscc", flat=True))
    return found


def _read_bundle_document(path: str):
    from qcredit.archive.bundle import parse_bundle_text

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput([(path, f"无法读取文件：{exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise InvalidInput([(path, "文件不是 UTF-8 编码的文本")]) from None
    return parse_bundle_text(text)


def cmd_template(args) -> int:
    _django()
    from qcredit.archive.imports import write_template
    from qcredit.rules.kinds import KINDS

    write_template(args.out)
    print(f"已生成导入模板 {args.out}（企业表和 {len(KINDS)} 类记录表）")
    return 0


def _enterprises_named(values: list[str]):
    """The enterprises of ``--uscc`` values; every invalid or unknown code is a problem."""
    from qcredit.archive.models import Enterprise
    from qcredit.rules.uscc import USCCError, normalize_uscc

    problems, usccs = [], []
    for value in values:
        try:
            usccs.append(normalize_uscc(value))
        except USCCError as exc:
            problems.append(("--uscc", f"{value}：{exc.message}"))
    if problems:
        raise InvalidInput(problems)
    enterprises = Enterprise.objects.filter(uscc__in=usccs)
    missing = set(usccs) - set(enterprises.values_list("uscc", flat=True))
    if missing:
        raise InvalidInput([("--uscc", f"档案中没有统一社会信用代码为 {u} 的企业") for u in sorted(missing)])
    return enterprises


def cmd_export(args) -> int:
    _django()
    from qcredit.archive.imports import export_bundle, iter_export, write_bundle

    _ensure_schema()
    enterprises = _enterprises_named(args.uscc) if args.uscc else None
    from qcredit.audit.services import audit_access

    # The archive is internal data (SPEC §7.1): an export is an access event.
    audit_access(actor=None, action="archive.export",
                 obj=("archive.export", args.out or "-", f"导出档案包 {args.out or '（标准输出）'}"),
                 detail={"uscc": sorted(e.uscc for e in enterprises) if enterprises is not None else "all"})
    if args.out:
        n_enterprises, n_records = write_bundle(args.out, iter_export(enterprises))
        print(f"已导出 {n_enterprises} 家企业、{n_records} 条记录到 {args.out}")
    else:
        _print_json(export_bundle(enterprises=enterprises))
    return 0


def cmd_regrade(args) -> int:
    _django()
    import time

    from qcredit.grading import services
    from qcredit.rules import RuleSetError

    as_of = _as_of(args.as_of)
    try:
        services.ruleset_on(as_of or services.today())
    except RuleSetError as exc:
        raise InvalidInput([("--as-of", str(exc))]) from None
    _ensure_schema()
    started = time.perf_counter()
    if args.uscc:
        ids = list(_enterprises_named(args.uscc).values_list("id", flat=True))
        run = services.regrade_enterprises(enterprise_ids=ids, as_of=as_of, cause="命令行重评")
    else:
        run = services.regrade_all(as_of=as_of, cause="命令行全量重评")
    elapsed = time.perf_counter() - started
    print(f"评价日 {run.as_of.isoformat()}，规则版本 {run.ruleset}：评价 {run.enterprises} 家，"
          f"等级变化 {run.changes} 家，用时 {elapsed:.2f} 秒")
    return 0


def cmd_demo(args) -> int:
    _django()
    from qcredit.demo_setup import run_demo

    return run_demo(enterprises=args.enterprises, serve=not args.no_serve, addr=args.addr, reset=args.reset)


def cmd_audit_verify(args) -> int:
    _django()
    from qcredit.audit.selectors import audit_chain_verify

    _ensure_schema()
    expected = None
    if args.expect_head:
        seq, _, digest = args.expect_head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise InvalidInput([("--expect-head", "应为“序号:哈希”，如 1234:9f86d0…（64 位十六进制）")])
        expected = (int(seq), digest.lower())
    count, head, broken = audit_chain_verify()
    if broken is not None:
        print(f"审计链断裂（已核对 {count} 个事件）：{broken}", file=sys.stderr)
        return 1
    if expected is not None:
        from qcredit.audit.models import AuditEvent

        anchor = AuditEvent.objects.filter(seq=expected[0]).values_list("hash", flat=True).first()
        if anchor != expected[1]:
            print(f"审计链与留存的锚点不符：事件 #{expected[0]} "
                  f"{'不存在（链尾被截断）' if anchor is None else '的哈希不同（链被重写）'}", file=sys.stderr)
            return 1
    print(f"审计链完整：{count} 个事件，链尾 {count}:{head}")
    return 0


# --- jobs and rule-set versions ----------------------------------------------------------------------


def _counts_text(counts: dict) -> str:
    return "，".join(f"{k}={v}" for k, v in counts.items())


def cmd_jobs_run_daily(args) -> int:
    """The daily run without Celery (cron on the embedded default): exit 1 if any step failed."""
    _django()
    from qcredit.jobs.services import run_daily

    day = _as_of(args.date, "--date")
    _ensure_schema()
    return _job_report(run_daily(today=day), "每日任务")


def cmd_jobs_reminders(args) -> int:
    """The deadline reminders without Celery (nothing on a day that is not a working day)."""
    _django()
    from qcredit.jobs.services import run_reminders

    day = _as_of(args.date, "--date")
    _ensure_schema()
    return _job_report(run_reminders(today=day), "期限提醒")


def _job_report(report, title: str) -> int:
    for run in report.runs:
        mark = "成功" if run.ok else "失败"
        detail = _counts_text(run.counts) if run.ok else run.error
        print(f"[{mark}] {run.name}  {run.label}  {detail}".rstrip())
    if not report.ok:
        for run in report.failed:
            print(f"{run.name}: {run.error}", file=sys.stderr)
        print(f"{report.day.isoformat()} {title}：{len(report.failed)} 个步骤失败（其余步骤已执行）", file=sys.stderr)
        return 1
    print(f"{report.day.isoformat()} {title}：{len(report.runs)} 个步骤全部完成")
    return 0


def cmd_jobs_list(args) -> int:
    _django()
    from django.utils import timezone

    from qcredit.jobs.selectors import job_runs_recent

    _ensure_schema()
    rows = []
    for run in job_runs_recent(limit=args.limit, job=args.job):
        state = "进行中" if run.ok is None else ("成功" if run.ok else "失败")
        started = timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M:%S")
        seconds = f"{(run.finished_at - run.started_at).total_seconds():.1f}" if run.finished_at else "-"
        rows.append((run.day.isoformat(), run.job, run.name, state, started, seconds, run.channel,
                     run.error if run.ok is False else _counts_text(run.counts) or "-"))
    _print_table(("执行日", "任务", "步骤", "状态", "开始时间", "用时(秒)", "触发", "结果"), rows)
    return 0


def _ruleset_error(exc) -> int:
    from qcredit.rulesets.errors import RuleSetVersionErrorCode

    if exc.code in {RuleSetVersionErrorCode.NOT_FOUND, RuleSetVersionErrorCode.AS_OF_BEFORE_EFFECTIVE}:
        raise InvalidInput([("VERSION" if exc.code is RuleSetVersionErrorCode.NOT_FOUND else "--as-of",
                             exc.message)]) from None
    print(exc.message, file=sys.stderr)
    return 1


def cmd_rulesets_list(args) -> int:
    _django()
    from qcredit.rules import SHIPPED
    from qcredit.rulesets.selectors import ruleset_version_list

    _ensure_schema()
    rows = [(r.version, "程序内置", r.effective_from.isoformat(), "-", r.title) for r in SHIPPED]
    rows += [(v.version, v.get_state_display(), v.effective_from.isoformat(), v.predecessor, v.title)
             for v in reversed(ruleset_version_list())]
    _print_table(("版本", "状态", "生效日期", "前一版本", "标题"), rows)
    return 0


def cmd_rulesets_show(args) -> int:
    _django()
    from qcredit.rulesets.errors import RuleSetVersionError
    from qcredit.rulesets.selectors import ruleset_version_changes, ruleset_version_get

    _ensure_schema()
    try:
        v = ruleset_version_get(version=args.version)
    except RuleSetVersionError as exc:
        return _ruleset_error(exc)
    print(f"版本 {v.version}（{v.get_state_display()}）：{v.title}")
    print(f"生效日期 {v.effective_from.isoformat()}，前一版本 {v.predecessor}")
    if v.note:
        print(f"说明：{v.note}")
    print(f"创建：{v.created_by or '系统'} {v.created_at:%Y-%m-%d %H:%M}，理由：{v.creation_reason}")
    if v.activated_at:
        print(f"启用：{v.activated_by or '系统'} {v.activated_at:%Y-%m-%d %H:%M}，理由：{v.activation_reason}")
    _print_table(("参数", "名称", "原取值", "原依据", "新取值", "新依据"),
                 [(c.name, c.label, c.describe(c.previous), c.previous_article, c.describe(c.value), c.article)
                  for c in ruleset_version_changes(v)])
    if v.impact:
        print(f"影响评估（评价日 {v.impact['as_of']}）：{v.impact['enterprises']} 家企业中 {v.impact['changed']} 家等级变化，"
              f"{len(v.impact['redlist_leaving'])} 个红名单主体不再符合条件")
    return 0


def _print_impact(impact) -> None:
    print(f"评价日 {impact.as_of.isoformat()}：现行版本 {impact.current_version} → 新版本 {impact.version}，"
          f"{impact.enterprises} 家企业中 {impact.changed} 家等级变化")
    _print_table(("等级", "现行", "新版本"), [(g, b, a) for g, (b, a) in impact.by_grade.items()])
    if impact.changes:
        _print_table(("原等级", "新等级", "企业数"), [(a, b, n) for (a, b), n in impact.changes.items()])
    print(f"不再符合红名单条件的主体：{len(impact.redlist_leaving)} 个")
    for subject in impact.redlist_leaving:
        print("  " + " ".join(str(subject.get(k, "")) for k in ("uscc", "name") if subject.get(k)) or str(subject))


def cmd_rulesets_preview(args) -> int:
    """Preview the impact and, for a version not yet active, record it (draft → previewed) as
    the system: the command is an operator's tool (audited as 系统 through the channel cli)."""
    _django()
    from qcredit.rulesets.errors import RuleSetVersionError
    from qcredit.rulesets.models import RuleSetVersion
    from qcredit.rulesets.selectors import ruleset_version_get
    from qcredit.rulesets.services import ruleset_version_preview, ruleset_version_preview_record

    as_of = _as_of(args.as_of)
    _ensure_schema()
    try:
        v = ruleset_version_get(version=args.version)
        if v.state == RuleSetVersion.State.ACTIVE:
            impact = ruleset_version_preview(version=v, as_of=as_of)
        else:
            impact = ruleset_version_preview_record(actor=None, version=v, as_of=as_of)
    except RuleSetVersionError as exc:
        return _ruleset_error(exc)
    _print_impact(impact)
    return 0


def cmd_rulesets_activate(args) -> int:
    """Activate a previewed version as the system (actor None, channel cli): an operator's tool."""
    _django()
    from qcredit.rulesets.errors import RuleSetVersionError
    from qcredit.rulesets.services import ruleset_version_activate

    _ensure_schema()
    try:
        v = ruleset_version_activate(actor=None, version=args.version, reason=args.reason)
    except RuleSetVersionError as exc:
        return _ruleset_error(exc)
    print(f"规则版本 {v.version} 已启用（自 {v.effective_from.isoformat()} 起施行）"
          + (f"，已于 {v.rechecked_on.isoformat()} 重新评定并复查红名单" if v.rechecked_on else
             "；生效日到来时由每日任务重新评定并复查红名单"))
    return 0


# --- exchange: the partner outbox (issue 5; qcredit/exchange/cli.py) --------------------------------


def cmd_exchange(args) -> int:
    _django()
    from qcredit.exchange import cli as exchange_cli

    _ensure_schema()
    try:
        return exchange_cli.run(args, print_table=_print_table)
    except exchange_cli.InvalidArgument as exc:
        raise InvalidInput(exc.problems) from None


# --- partner exports and reports (issue 5 items 2 and 6; exchange/cli_exports.py, reports/cli.py) -----


def cmd_partner_export(args) -> int:
    _django()
    from qcredit.exchange import cli_exports

    _ensure_schema()
    try:
        return cli_exports.run(args)
    except cli_exports.InvalidArgument as exc:
        raise InvalidInput(exc.problems) from None


def cmd_reports(args) -> int:
    _django()
    from qcredit.reports import cli as reports_cli

    _ensure_schema()
    try:
        return reports_cli.run(args, print_table=_print_table)
    except reports_cli.InvalidArgument as exc:
        raise InvalidInput(exc.problems) from None


# --- inspection plans (issue 5 item 5; qcredit/supervision/cli.py) ----------------------------------


def cmd_plans(args) -> int:
    _django()
    from qcredit.supervision import cli as plans_cli

    _ensure_schema()
    try:
        return plans_cli.run(args, print_table=_print_table)
    except plans_cli.InvalidArgument as exc:
        raise InvalidInput(exc.problems) from None


# --- api: partner API clients (issue 5 item 3; qcredit/api/cli.py) ------------------------------------


def cmd_api(args) -> int:
    _django()
    from qcredit.api import cli as api_cli

    _ensure_schema()
    try:
        return api_cli.run(args, print_table=_print_table)
    except api_cli.InvalidArgument as exc:
        raise InvalidInput(exc.problems) from None


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qcredit manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qcredit", description="企业质量信用监管系统")
    sub = parser.add_subparsers(dest="command", required=True)

    for name, func, helptext in (("grade", cmd_grade, "离线评定质量信用等级（不写入任何数据）"),
                                 ("redlist-check", cmd_redlist_check, "离线检查红名单资格（不写入任何数据）")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("bundle", help="qcredit-archive/1 档案包（JSON 或 JSON Lines）")
        p.add_argument("--as-of", required=True, help="评价日 YYYY-MM-DD")
        p.add_argument("--format", choices=("json", "table"), default="json")
        p.set_defaults(func=func)

    p = sub.add_parser("import", help="导入档案包或按类别的 CSV/XLSX")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="导出档案包")
    p.add_argument("--out", help="输出文件（.json 或 .jsonl）；缺省输出到标准输出")
    p.add_argument("--uscc", nargs="*", help="只导出这些企业")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("template", help="生成 XLSX 导入模板")
    p.add_argument("out", help="输出文件 .xlsx")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("regrade", help="重新评定（缺省为全部企业、今天）")
    p.add_argument("--as-of")
    p.add_argument("--uscc", nargs="*", help="只重评这些企业")
    p.set_defaults(func=cmd_regrade)

    p = sub.add_parser("demo", help="建立演示库并启动服务")
    p.add_argument("--enterprises", type=int, default=2000)
    p.add_argument("--no-serve", action="store_true", help="只建库，不启动服务")
    p.add_argument("--addr", default="127.0.0.1:8000")
    p.add_argument("--reset", action="store_true", help="删除已有的演示库后重建")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("audit", help="审计日志")
    audit = p.add_subparsers(dest="audit_command", required=True)
    p = audit.add_parser("verify", help="核对审计日志哈希链，指出第一个断裂处")
    p.add_argument("--expect-head", help="此前留存的链尾“序号:哈希”，用于发现链尾被截断或整体重写")
    p.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("jobs", help="定时任务（无需 Redis 即可手动或由 cron 运行）")
    jobs = p.add_subparsers(dest="jobs_command", required=True)
    p = jobs.add_parser("run-daily", help="执行每日任务：全量重评、到期、期限与补办检查；任一步骤失败则退出码为 1")
    p.add_argument("--date", help="执行日 YYYY-MM-DD（缺省为今天）")
    p.set_defaults(func=cmd_jobs_run_daily)
    p = jobs.add_parser("reminders", help="执行期限提醒（仅在工作日执行；任一步骤失败则退出码为 1）")
    p.add_argument("--date", help="执行日 YYYY-MM-DD（缺省为今天）")
    p.set_defaults(func=cmd_jobs_reminders)
    p = jobs.add_parser("list", help="最近的任务执行记录")
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--job", choices=("daily", "reminders"))
    p.set_defaults(func=cmd_jobs_list)

    p = sub.add_parser("rulesets", help="规则版本（运维工具：以“系统”身份操作，经由 cli 渠道记入审计日志）")
    rulesets = p.add_subparsers(dest="rulesets_command", required=True)
    p = rulesets.add_parser("list", help="全部规则版本")
    p.set_defaults(func=cmd_rulesets_list)
    p = rulesets.add_parser("show", help="一个版本的参数调整与影响评估")
    p.add_argument("version")
    p.set_defaults(func=cmd_rulesets_show)
    p = rulesets.add_parser("preview", help="预览并记录启用一个版本的影响（等级变化、不再符合条件的红名单主体）")
    p.add_argument("version")
    p.add_argument("--as-of", help="评价日 YYYY-MM-DD（缺省为今天或生效日期中较晚者）")
    p.set_defaults(func=cmd_rulesets_preview)
    p = rulesets.add_parser("activate", help="启用一个已预览的版本")
    p.add_argument("version")
    p.add_argument("--reason", required=True, help="启用理由（记入审计日志）")
    p.set_defaults(func=cmd_rulesets_activate)

    # exchange: the partner outbox (issue 5); its subcommands are built in qcredit/exchange/cli.py
    from qcredit.exchange.cli import add_arguments as exchange_arguments

    p = sub.add_parser("exchange", help="向合作系统推送的发件箱：发送、查看、重试（运维工具：以“系统”身份操作）")
    exchange_arguments(p)
    p.set_defaults(func=cmd_exchange)

    # partner exports and reports (issue 5 items 2 and 6)
    from qcredit.exchange.cli_exports import add_arguments as partner_export_arguments
    from qcredit.reports.cli import add_arguments as reports_arguments

    p = sub.add_parser("partner-export", help="按合作系统字段导出红名单、A级公示、黑名单、行政处罚（双公示）：CSV、XLSX、JSON")
    partner_export_arguments(p)
    p.set_defaults(func=cmd_partner_export)
    p = sub.add_parser("reports", help="统计报表：等级分布与变动、名单统计、期限督办（qcredit reports list 列出全部）")
    reports_arguments(p)
    p.set_defaults(func=cmd_reports)

    # inspection plans (issue 5 item 5); its subcommands are built in qcredit/supervision/cli.py
    from qcredit.supervision.cli import add_arguments as plans_arguments

    p = sub.add_parser("plans", help="双随机抽查计划：列出、按记录的随机种子抽取、复核抽取结果（运维工具：以“系统”身份操作）")
    plans_arguments(p)
    p.set_defaults(func=cmd_plans)

    # api: partner API clients (issue 5 item 3); its subcommands are built in qcredit/api/cli.py
    from qcredit.api.cli import add_arguments as api_arguments

    p = sub.add_parser("api", help="合作部门接口客户端：创建、签发令牌、停用、调用记录（运维工具：以“系统”身份操作）")
    api_arguments(p)
    p.set_defaults(func=cmd_api)

    p = sub.add_parser("manage", help="Django 管理命令（migrate、createsuperuser 等）")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InvalidInput as exc:
        for path, reason in exc.problems:
            print(f"{path}: {reason}", file=sys.stderr)
        return EXIT_INVALID
    except SchemaNotReady as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - `qcredit grade … | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())

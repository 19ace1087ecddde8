"""Governance screens of the workspace: rule-set versions (SPEC §6), the official holiday
calendar and a working-day calculator (SPEC §5 preamble), the audit trail and access log for
auditors (SPEC §7.3, SRL 第十七条).

Writes go through :mod:`qcredit.rulesets.services` and :func:`qcredit.workdays.services.
holiday_year_load`; their refusals are shown beside the form. Reading the audit trail is
itself an access event.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qcredit.accounts.models import Role
from qcredit.accounts.services import AccessDenied, has_role, sees_internal
from qcredit.audit.models import AuditEvent
from qcredit.audit.selectors import audit_chain_verify
from qcredit.audit.services import audit_access
from qcredit.grading.services import ruleset_on, today
from qcredit.rules import SHIPPED
from qcredit.rulesets import selectors as ruleset_selectors
from qcredit.rulesets import services as ruleset_services
from qcredit.rulesets.errors import RuleSetVersionError
from qcredit.rulesets.models import RuleSetVersion
from qcredit.workdays.calendar import add_workdays, is_workday
from qcredit.workdays.errors import WorkdayError
from qcredit.workdays.files import schedule_file_read, schedule_file_write
from qcredit.workdays.schedule import KIND_LABELS, WEEKDAY_LABELS, summary
from qcredit.workdays.selectors import holiday_year_days, holiday_year_list
from qcredit.workdays.services import PROVINCE as CALENDAR_JURISDICTION
from qcredit.workdays.services import holiday_year_load

from . import forms_governance as forms
from . import selectors_governance as sel
from .staff_access import auditor_required, member_required, refused

PROVINCE = ruleset_services.PROVINCE
IMPORT_SALT = "qcredit.workspace.holiday-import"
IMPORT_MAX_AGE = 60 * 60  # a preview is confirmed within the hour


def _status(exc: Exception) -> int:
    return 403 if isinstance(exc, AccessDenied) else 200


def _may_administer_rulesets(user) -> bool:
    return has_role(user=user, role=Role.ADMIN, jurisdiction=PROVINCE)


# --- rule sets (SPEC §6) ------------------------------------------------------------------------


@member_required
def rulesets(request):
    day = today()
    return render(request, "workspace/governance/rulesets.html", {
        "rows": sel.ruleset_versions(today=day), "today": day, "in_force": ruleset_on(day),
        "may_admin": _may_administer_rulesets(request.user), "newest": ruleset_selectors.newest_ruleset(),
    })


@member_required
def ruleset_new(request):
    if not _may_administer_rulesets(request.user):
        return refused(request, "只有省级系统管理员可以拟定规则版本（规则适用于全省，SPEC §6）。")
    newest = ruleset_selectors.newest_ruleset()
    error, status = "", 200
    form = forms.RuleSetDraftForm(request.POST or None, predecessor=newest)
    if request.method == "POST" and form.is_valid():
        overrides = form.overrides()
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = ruleset_services.ruleset_version_create(
                    actor=request.user, version=data["version"], effective_from=data["effective_from"],
                    overrides=overrides, title=data["title"], note=data["note"], reason=data["reason"])
            except (RuleSetVersionError, AccessDenied) as exc:
                error, status = exc.message, _status(exc)
            else:
                messages.success(request, f"已拟定规则版本 {created.version}（草稿）。启用前请先预览其影响。")
                return redirect("workspace:ruleset", created.version)
    return render(request, "workspace/governance/ruleset_new.html",
                  {"form": form, "newest": newest, "error": error}, status=status)


def _ruleset_context(request, name: str) -> dict:
    shipped = {r.version: r for r in SHIPPED}
    stored = RuleSetVersion.objects.select_related("created_by", "previewed_by", "activated_by").filter(
        version=name).first()
    if name in shipped:
        ruleset, stale = shipped[name], ""
    elif stored is not None:
        ruleset, stale = sel.ruleset_of_row(stored)
    else:
        raise Http404(f"没有版本号为 {name} 的规则版本")
    changes = ruleset_selectors.ruleset_version_changes(stored) if stored else []
    context = {
        "name": name, "ruleset": ruleset, "stored": stored, "stale": stale,
        "changes": [{"name": c.name, "label": c.label, "previous": c.describe(c.previous), "value": c.describe(c.value),
                     "article": c.article, "previous_article": c.previous_article} for c in changes],
        "parameters": sel.ruleset_parameters(ruleset, {c.name for c in changes}) if ruleset else [],
        "in_force": ruleset_on(today()).version == name,
        "may_admin": _may_administer_rulesets(request.user),
        "preview_form": forms.PreviewForm(),
    }
    impact = stored.impact if stored else None
    if impact:
        shown, hidden = sel.leaving_subjects(impact, visible=lambda region: sees_internal(request.user, region))
        context.update(impact=impact, bars=sel.grade_bars(impact["by_grade"]), leaving=shown, leaving_hidden=hidden,
                       grade_labels=sel.GRADE_LABELS,
                       changes_list=[{**c, "from_label": sel.GRADE_LABELS.get(c["from"], c["from"]),
                                      "to_label": sel.GRADE_LABELS.get(c["to"], c["to"])}
                                     for c in impact.get("changes", [])])
        if shown:
            # Which listed subjects would stop qualifying, and why: internal eligibility (SPEC §7.1).
            audit_access(actor=request.user, action="workspace.rulesets.impact.view", obj=stored,
                         detail={"subjects": [s.get("uscc") for s in shown]})
    if stored is not None and stored.state == RuleSetVersion.State.ACTIVE:
        result = sel.activation_result(stored)
        result["removal_items"] = [i for i in result["removal_items"]
                                   if sees_internal(request.user, i.entry.region)]
        context["activation"] = result
    return context


@member_required
def ruleset(request, version: str):
    return render(request, "workspace/governance/ruleset.html", _ruleset_context(request, version))


@require_POST
@member_required
def ruleset_preview(request, version: str):
    form = forms.PreviewForm(request.POST)
    error, status = "", 200
    if form.is_valid():
        try:
            impact = ruleset_services.ruleset_version_preview_record(actor=request.user, version=version,
                                                                    as_of=form.cleaned_data["as_of"])
        except (RuleSetVersionError, AccessDenied) as exc:
            error, status = exc.message, _status(exc)
        else:
            messages.success(request, f"已预览 {version} 的影响：评价日 {impact.as_of.isoformat()}，{impact.enterprises} 家企业中 "
                                      f"{impact.changed} 家等级变化，{len(impact.redlist_leaving)} 个红名单主体不再符合条件。")
            return redirect("workspace:ruleset", version)
    else:
        error = "评价日格式不对"
    context = _ruleset_context(request, version)
    context.update(error=f"未能预览：{error}", preview_form=form)
    return render(request, "workspace/governance/ruleset.html", context, status=status)


@member_required
def ruleset_activate(request, version: str):
    context = _ruleset_context(request, version)
    stored = context["stored"]
    if stored is None:
        return refused(request, f"{version} 是内置版本，无需启用。", status=400)
    if not context["may_admin"]:
        return refused(request, "只有省级系统管理员可以启用规则版本（SPEC §6）。")
    form = forms.ActivateForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            ruleset_services.ruleset_version_activate(actor=request.user, version=stored,
                                                      reason=form.cleaned_data["reason"])
        except (RuleSetVersionError, AccessDenied) as exc:
            error, status = f"未能启用：{exc.message}", _status(exc)
        else:
            messages.success(request, f"规则版本 {version} 已启用。")
            return redirect("workspace:ruleset", version)
    context.update(form=form, error=error)
    return render(request, "workspace/governance/ruleset_activate.html", context, status=status)


# --- holiday calendar (SPEC §5 preamble) -------------------------------------------------------------


def _may_load_holidays(user) -> bool:
    # The State Council's calendar is one for every unit: the provincial admin loads it
    # (workdays.services decides; this only hides the screen from others).
    return user.is_superuser or has_role(user=user, role=Role.ADMIN, jurisdiction=CALENDAR_JURISDICTION)


@member_required
def holidays(request):
    form = forms.WorkdayCalculatorForm(request.GET if "start" in request.GET else None,
                                       initial={"start": today(), "n": 5})
    result = None
    if form.is_bound and form.is_valid():
        start, n = form.cleaned_data["start"], form.cleaned_data["n"]
        try:
            end = add_workdays(start, n)
            result = {"start": start, "n": n, "end": end, "weekday": WEEKDAY_LABELS[end.weekday()],
                      "start_workday": is_workday(start), "days": sel.calendar_days_between(start, end)}
        except WorkdayError as exc:
            form.add_error(None, exc.message)
    return render(request, "workspace/governance/holidays.html", {
        "years": holiday_year_list(), "form": form, "result": result, "may_load": _may_load_holidays(request.user),
    })


@member_required
def holiday_year(request, year: int):
    days = holiday_year_days(year=year)
    loaded = holiday_year_list().filter(year=year).first()
    if loaded is None:
        raise Http404(f"{year} 年的安排尚未导入")
    return render(request, "workspace/governance/holiday_year.html", {
        "year": loaded, "days": [{"date": d.date, "weekday": WEEKDAY_LABELS[d.date.weekday()],
                                  "kind": KIND_LABELS[d.kind], "name": d.name, "holiday": d.kind == "holiday"}
                                 for d in days],
    })


@member_required
def holiday_year_csv(request, year: int):
    days = holiday_year_days(year=year)
    if not days:
        raise Http404(f"{year} 年的安排尚未导入")
    response = HttpResponse(schedule_file_write(days=days), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="holidays-{year}.csv"'
    return response


def _token(data: dict) -> str:
    return signing.dumps(data, salt=IMPORT_SALT, compress=True)


@member_required
def holidays_import(request):
    """Two steps: read the file and show what it holds (or every problem, by row); then load it
    with the service. Nothing is written before the second step."""
    if not _may_load_holidays(request.user):
        return refused(request, "只有省级系统管理员可以导入年度节假日安排。")
    form = forms.HolidayImportForm()
    preview, problems, error, token, status = None, [], "", "", 200
    if request.method == "POST" and request.POST.get("step") == "load":
        try:
            data = signing.loads(request.POST.get("token", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        except signing.BadSignature:
            error = "预览已过期或无效，请重新选择文件"
        else:
            try:
                content = base64.b64decode(data["content"])
                schedule = schedule_file_read(content=content, filename=data["filename"], year=data["year"])
                loaded = holiday_year_load(year=data["year"], days=schedule.days,
                                           source=data["source"] or schedule.source or f"导入文件 {data['filename']}",
                                           actor=request.user, replace=data["replace"], reason=data["reason"])
            except (WorkdayError, AccessDenied) as exc:
                error, problems, status = exc.message, getattr(exc, "problems", []), _status(exc)
            else:
                messages.success(request, f"已导入 {loaded.year} 年节假日安排：{summary(schedule.days)}")
                return redirect("workspace:holiday-year", loaded.year)
    elif request.method == "POST":
        form = forms.HolidayImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            content = data["file"].read()
            try:
                schedule = schedule_file_read(content=content, filename=data["file"].name, year=data["year"])
            except WorkdayError as exc:
                error, problems = exc.message, exc.problems
            else:
                already = holiday_year_list().filter(year=data["year"]).first()
                preview = {
                    "year": data["year"], "filename": data["file"].name, "summary": summary(schedule.days),
                    "source": data["source"] or schedule.source, "replace": data["replace"],
                    "reason": data["reason"], "already": already,
                    "days": [{"date": d.date, "weekday": WEEKDAY_LABELS[d.date.weekday()],
                              "kind": KIND_LABELS[d.kind], "name": d.name, "holiday": d.kind == "holiday"}
                             for d in sorted(schedule.days)],
                }
                token = _token({"year": data["year"], "filename": data["file"].name,
                                "content": base64.b64encode(content).decode(), "source": data["source"],
                                "replace": data["replace"], "reason": data["reason"]})
    return render(request, "workspace/governance/holidays_import.html", {
        "form": form, "preview": preview, "problems": problems, "error": error, "token": token,
    }, status=status)


# --- audit trail (SPEC §7.3) -------------------------------------------------------------------------


def _filtered(request, *, access_only: bool):
    form = forms.AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    if access_only:
        filters["kind"] = AuditEvent.Kind.ACCESS
    events = sel.audit_trail(scopes=request.audit_scopes, actor=filters.get("actor", ""),
                             unit=filters.get("unit", ""), action=filters.get("action", ""),
                             obj=filters.get("object", ""), date_from=filters.get("date_from"),
                             date_to=filters.get("date_to"), kind=filters.get("kind", ""))
    query = request.GET.copy()
    query.pop("page", None)
    return form, filters, events, query.urlencode()


def _audit_list(request, *, access_only: bool):
    form, filters, events, query = _filtered(request, access_only=access_only)
    # Reading the trail is itself an access event (SPEC §7.3), with what was asked; written
    # before the page is read, so the page counts and shows the same events (this one first).
    audit_access(actor=request.user, membership=request.auditor,
                 action="audit.access_log.view" if access_only else "audit.trail.view",
                 detail={k: str(v) for k, v in filters.items()} | {"page": request.GET.get("page", "1")})
    page = Paginator(events.select_related("unit"), 50).get_page(request.GET.get("page"))
    return render(request, "workspace/governance/audit_log.html", {
        "form": form, "page": page, "query": query, "access_only": access_only,
        "scopes": request.audit_scopes,
    })


@auditor_required
def audit_log(request):
    return _audit_list(request, access_only=False)


@auditor_required
def access_log(request):
    return _audit_list(request, access_only=True)


@auditor_required
def audit_event(request, seq: int):
    event = sel.audit_trail(scopes=request.audit_scopes).filter(seq=seq).select_related("unit").first()
    if event is None:
        raise Http404("没有这条审计事件，或不在您的查阅范围内")
    audit_access(actor=request.user, membership=request.auditor, action="audit.event.view",
                 obj=("audit.auditevent", event.seq, f"#{event.seq} {event.action}"))
    return render(request, "workspace/governance/audit_event.html", {
        "e": event, "before": sel.pretty_json(event.before), "after": sel.pretty_json(event.after),
        "keys": sel.changed_keys(event.before, event.after),
    })


@auditor_required
def audit_verify(request):
    started = timezone.now()
    count, head, broken = audit_chain_verify()
    elapsed = (timezone.now() - started).total_seconds()
    audit_access(actor=request.user, membership=request.auditor, action="audit.chain.verify",
                 detail={"events": count, "head": head, "broken": str(broken) if broken else None})
    return render(request, "workspace/governance/audit_verify.html", {
        "count": count, "head": head, "broken": broken, "elapsed": elapsed, "checked_at": timezone.localtime(started),
    })

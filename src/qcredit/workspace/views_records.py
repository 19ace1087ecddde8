"""Staff pages of the quality archive (SPEC §3, §7.2): entering, correcting and withdrawing
records one at a time, and importing them from Excel, CSV or a bundle with a dry run first.

Every write goes through the archive services (``record_add``, ``record_correct``,
``record_withdraw``, ``import_bundle``), which check the role and the jurisdiction, write the
audit event and regrade the enterprise in the same transaction (SPEC §4.3). The pages only
hide what a person may not do; the services decide. Pages that show record content (the
evidence of a grade) write an access event (SPEC §7.1).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from qcredit.accounts.models import Role, covers
from qcredit.accounts.services import AccessDenied, authorize, has_role
from qcredit.archive import services
from qcredit.archive.bundle import BundleError
from qcredit.archive.columns import record_to_bundle
from qcredit.archive.imports import import_bundle
from qcredit.archive.models import Enterprise, Record
from qcredit.archive.services import ArchiveError
from qcredit.audit.services import audit_access
from qcredit.grading.models import GradeState
from qcredit.rules.kinds import KINDS
from qcredit.rules.uscc import USCCError, normalize_uscc

from . import tabular, uploads
from .forms_records import (
    EnterprisePickForm,
    UploadForm,
    WithdrawForm,
    initial_from_bundle,
    record_form_class,
)
from .selectors import GRADE_LABELS, record_view
from .views import staff_required

WRITERS = (Role.DIVISION, Role.REVIEWER)  # who may correct or withdraw (archive.services)
PROBLEMS_SHOWN = 200


def _enterprise(request, uscc: str) -> Enterprise:
    """The enterprise if it is in the person's jurisdictions; otherwise it does not exist for
    them (SPEC §7.1 "other staff: no")."""
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        raise Http404("没有这家企业") from None
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None or not any(covers(j, enterprise.region) for j in request.jurisdictions):
        raise Http404("档案中没有这家企业，或不在您的管辖范围内")
    return enterprise


def _refused(request, message: str, *, enterprise: Enterprise | None = None):
    return render(request, "workspace/records/refused.html", {"message": message, "e": enterprise}, status=403)


def _grade(enterprise: Enterprise) -> str | None:
    return GradeState.objects.filter(enterprise=enterprise).values_list("grade", flat=True).first()


def _saved_message(request, what: str, enterprise: Enterprise, before: str | None) -> None:
    after = _grade(enterprise)
    if after != before:
        change = (f"企业已重新评定，等级由“{GRADE_LABELS.get(before or 'N')}”变为“{GRADE_LABELS.get(after or 'N')}”"
                  if before else f"企业已评定为“{GRADE_LABELS.get(after or 'N')}”")
    else:
        change = f"企业已重新评定，等级仍为“{GRADE_LABELS.get(after or 'N')}”"
    messages.success(request, f"{what}。{change}。")


def _problems_to_form(form, exc: BundleError) -> None:
    for problem in exc.problems:
        name = problem.path.rsplit(".", 1)[-1]
        form.add_error(name if name in form.fields else None, problem.reason)


def _suggested_id() -> str:
    return f"W{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


# --- one record at a time ---------------------------------------------------------------------------


@staff_required
def record_list(request, uscc: str):
    """The enterprise's current records with their correction and withdrawal actions."""
    enterprise = _enterprise(request, uscc)
    records = list(Record.objects.current().filter(enterprise=enterprise).select_related("recorded_by")
                   .order_by("-date", "kind", "source", "record_id"))
    audit_access(actor=request.user, action="workspace.records.view", obj=enterprise,
                 detail={"records": len(records)})
    return render(request, "workspace/records/list.html", {
        "e": enterprise, "views": [record_view(r, r.version > 1) for r in records],
        "can_add": has_role(user=request.user, role=Role.DIVISION, region=enterprise.region),
        "can_correct": has_role(user=request.user, role=WRITERS, region=enterprise.region),
        "kinds": [(code, kind.label) for code, kind in KINDS.items()],
    })


@staff_required
def record_add(request, uscc: str):
    enterprise = _enterprise(request, uscc)
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        return render(request, "workspace/records/pick_kind.html", {
            "e": enterprise, "kinds": [(code, k.label) for code, k in KINDS.items()], "unknown": kind})
    try:
        membership = authorize(user=request.user, role=Role.DIVISION, region=enterprise.region)
    except AccessDenied as exc:
        return _refused(request, f"不能为这家企业录入档案记录：{exc.message}", enterprise=enterprise)
    form_class = record_form_class(kind)
    if request.method == "POST":
        form = form_class(request.POST, uscc=enterprise.uscc)
        if form.is_valid():
            before = _grade(enterprise)
            try:
                record = services.record_add(enterprise=enterprise, data=form.record_data(), actor=request.user)
            except BundleError as exc:
                _problems_to_form(form, exc)
            except ArchiveError as exc:
                form.add_error(None, exc.message)
            except AccessDenied as exc:
                return _refused(request, f"不能为这家企业录入档案记录：{exc.message}", enterprise=enterprise)
            else:
                _saved_message(request, f"已录入“{KINDS[kind].label}”记录 {record.source}/{record.record_id}",
                               enterprise, before)
                return redirect(reverse("workspace:enterprise", args=[enterprise.uscc]) + f"#record-{record.pk}")
    else:
        form = form_class(uscc=enterprise.uscc, initial={
            "id": _suggested_id(), "source": membership.unit.name, "date": timezone.localdate(),
            **{f.name: f.default for f in KINDS[kind].fields if f.default is not None}})
    return render(request, "workspace/records/form.html", {
        "e": enterprise, "form": form, "kind": KINDS[kind], "title": f"录入{KINDS[kind].label}记录"})


def _current_record(request, enterprise: Enterprise, pk: int, action: str):
    """The record version ``pk`` of this enterprise, or a redirect to its current version
    (only the current version can be corrected or withdrawn)."""
    record = Record.objects.filter(pk=pk, enterprise=enterprise).first()
    if record is None:
        raise Http404("这家企业的档案中没有这条记录")
    if record.is_current:
        return record, None
    current = Record.objects.filter(source=record.source, record_id=record.record_id,
                                    superseded_at__isnull=True).first()
    if current is None or current.withdrawn:
        messages.warning(request, f"记录 {record.source}/{record.record_id} 已撤回，不能再更正或撤回")
        return None, redirect("workspace:record-list", enterprise.uscc)
    messages.info(request, f"第{record.version}版已被替代，下面是记录的现行版本（第{current.version}版）")
    return None, redirect(f"workspace:record-{action}", enterprise.uscc, current.pk)


@staff_required
def record_correct(request, uscc: str, pk: int):
    enterprise = _enterprise(request, uscc)
    record, elsewhere = _current_record(request, enterprise, pk, "correct")
    if elsewhere:
        return elsewhere
    if not has_role(user=request.user, role=WRITERS, region=enterprise.region):
        return _refused(request, "更正档案记录需要本辖区“提报处室/直属单位”或“复核人员”角色", enterprise=enterprise)
    item = record_to_bundle(record, enterprise.uscc)
    form_class = record_form_class(record.kind, correction=True)
    fixed = {"id": record.record_id, "source": record.source}
    if request.method == "POST":
        form = form_class(request.POST, uscc=enterprise.uscc, fixed=fixed)
        if form.is_valid():
            before = _grade(enterprise)
            try:
                new = services.record_correct(record=record, data=form.record_data(),
                                              reason=form.cleaned_data["reason"], actor=request.user)
            except BundleError as exc:
                _problems_to_form(form, exc)
            except ArchiveError as exc:
                form.add_error(None, exc.message)
            except AccessDenied as exc:
                return _refused(request, f"不能更正这条记录：{exc.message}", enterprise=enterprise)
            else:
                _saved_message(request, f"已更正记录 {new.source}/{new.record_id}（第{new.version}版）", enterprise, before)
                return redirect(reverse("workspace:enterprise", args=[enterprise.uscc]) + f"#record-{new.pk}")
    else:
        audit_access(actor=request.user, action="workspace.record.view", obj=record, detail={"for": "correct"})
        form = form_class(uscc=enterprise.uscc, fixed=fixed, initial=initial_from_bundle(item, record.kind))
    return render(request, "workspace/records/form.html", {
        "e": enterprise, "form": form, "kind": KINDS[record.kind], "record": record, "correction": True,
        "title": f"更正{KINDS[record.kind].label}记录"})


@staff_required
def record_withdraw(request, uscc: str, pk: int):
    enterprise = _enterprise(request, uscc)
    record, elsewhere = _current_record(request, enterprise, pk, "withdraw")
    if elsewhere:
        return elsewhere
    if not has_role(user=request.user, role=WRITERS, region=enterprise.region):
        return _refused(request, "撤回档案记录需要本辖区“提报处室/直属单位”或“复核人员”角色", enterprise=enterprise)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            before = _grade(enterprise)
            try:
                services.record_withdraw(record=record, reason=form.cleaned_data["reason"], actor=request.user)
            except ArchiveError as exc:
                form.add_error(None, exc.message)
            except AccessDenied as exc:
                return _refused(request, f"不能撤回这条记录：{exc.message}", enterprise=enterprise)
            else:
                _saved_message(request, f"已撤回记录 {record.source}/{record.record_id}", enterprise, before)
                return redirect("workspace:record-list", enterprise.uscc)
    else:
        audit_access(actor=request.user, action="workspace.record.view", obj=record, detail={"for": "withdraw"})
        form = WithdrawForm()
    return render(request, "workspace/records/withdraw.html", {
        "e": enterprise, "form": form, "view": record_view(record), "record": record})


# --- import -----------------------------------------------------------------------------------------


def _templates() -> list[tuple[str, str]]:
    return [(code, tabular.kind_label(code)) for code in tabular.TEMPLATE_KINDS]


@staff_required
def imports(request):
    """Entry and import: pick an enterprise and a kind for one record, or download a
    template and upload a file."""
    pick = EnterprisePickForm(request.GET or None, auto_id="pick_%s")
    if request.GET and pick.is_valid():
        try:
            uscc = normalize_uscc(pick.cleaned_data["uscc"])
        except USCCError as exc:
            pick.add_error("uscc", f"统一社会信用代码无效：{exc.message}")
        else:
            enterprise = Enterprise.objects.filter(uscc=uscc).first()
            if enterprise is None or not any(covers(j, enterprise.region) for j in request.jurisdictions):
                pick.add_error("uscc", "档案中没有这家企业，或不在您的管辖范围内")
            else:
                return redirect(reverse("workspace:record-add", args=[uscc]) + f"?kind={pick.cleaned_data['kind']}")
    return render(request, "workspace/records/imports.html", {
        "pick": pick, "upload": UploadForm(auto_id="upload_%s"), "templates": _templates(),
        "jurisdictions": tabular.division_jurisdictions(request.user),
        "max_mb": uploads.MAX_UPLOAD_BYTES // 1024 // 1024, "max_rows": tabular.MAX_ROWS,
        "ttl_hours": uploads.UPLOAD_TTL_SECONDS // 3600,
    })


@staff_required
def import_template(request, kind: str, fmt: str):
    if kind not in tabular.TEMPLATE_KINDS or fmt not in ("xlsx", "csv"):
        raise Http404("没有这种导入模板")
    if fmt == "xlsx":
        body = tabular.template_xlsx(kind)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = tabular.template_csv(kind), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="qcredit-template-{kind}.{fmt}"'
    return response


class _UploadLimit(FileUploadHandler):
    """Stops reading an upload beyond the size limit, before anything is stored (the rest
    of the request is read and discarded)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > uploads.MAX_UPLOAD_BYTES + 64 * 1024  # the form fields' share
        if self.too_large:
            self.request.upload_too_large = content_length

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > uploads.MAX_UPLOAD_BYTES:
            self.request.upload_too_large = start + len(raw_data)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt  # the check runs in _import_upload, once the size limit is in place
def import_upload(request):
    request.upload_handlers.insert(0, _UploadLimit(request))
    return _import_upload(request)


@csrf_protect
@require_POST
@staff_required
def _import_upload(request):
    files = request.FILES  # parses the body, under the size limit
    too_large = getattr(request, "upload_too_large", None)
    if too_large:
        messages.error(request, uploads.too_large_message(too_large))
        return redirect("workspace:imports")
    if not tabular.division_jurisdictions(request.user):
        return _refused(request, "导入档案记录需要“提报处室/直属单位”角色")
    form = UploadForm(request.POST, files)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
        return redirect("workspace:imports")
    try:
        staged = uploads.stage_upload(user=request.user, uploaded=form.cleaned_data["file"],
                                      kind=form.cleaned_data["kind"])
    except uploads.UploadError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:imports")
    return redirect("workspace:import-preview", staged.token)


def _staged(request, token: str):
    try:
        return uploads.staged_upload(token=token, user=request.user), None
    except uploads.UploadError as exc:
        return None, render(request, "workspace/records/refused.html",
                            {"message": exc.message, "title": "上传文件不可用"}, status=404)


def _moment(epoch: float):
    return timezone.localtime(datetime.fromtimestamp(epoch, tz=UTC))


@staff_required
def import_preview(request, token: str):
    """The dry run: what the file holds, what importing it would do, and every problem —
    nothing is written."""
    staged, missing = _staged(request, token)
    if missing:
        return missing
    result = tabular.preview(staged.path, user=request.user)
    audit_access(actor=request.user, action="workspace.import.preview",
                 obj=("workspace.import", staged.token, staged.filename),
                 detail={"rows": result.total, "problems": len(result.problems)})
    return render(request, "workspace/records/preview.html", {
        "staged": staged, "p": result, "problems": result.problems[:PROBLEMS_SHOWN],
        "uploaded_at": _moment(staged.created), "expires_at": _moment(staged.expires),
        "kind_label": tabular.kind_label(staged.kind) if staged.kind else "",
    })


@staff_required
def import_errors(request, token: str):
    """The per-row error report of an upload, as CSV."""
    staged, missing = _staged(request, token)
    if missing:
        return missing
    result = tabular.preview(staged.path, user=request.user)
    response = HttpResponse(tabular.error_report_csv(result.problems), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="qcredit-import-errors.csv"'
    return response


@require_POST
@staff_required
def import_confirm(request, token: str):
    """Import the stored file, all or nothing, through the archive's import (the same as
    ``qcredit import``), which regrades the enterprises it touches."""
    staged, missing = _staged(request, token)
    if missing:
        return missing
    try:
        claimed = uploads.claim(staged)
    except uploads.UploadError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:imports")
    result = tabular.preview(claimed.path, user=request.user, with_report=False)
    if not result.ok:
        uploads.release(claimed)
        messages.error(request, f"文件有 {len(result.problems)} 个问题，未导入任何数据")
        return redirect("workspace:import-preview", token)
    try:
        report = import_bundle(result.bundle, actor=request.user, via="web")
    except (BundleError, AccessDenied) as exc:
        uploads.release(claimed)
        reason = exc.message if isinstance(exc, AccessDenied) else "；".join(str(p) for p in exc.problems[:5])
        messages.error(request, f"导入未完成，未写入任何数据：{reason}")
        return redirect("workspace:import-preview", token)
    uploads.discard(claimed)
    return render(request, "workspace/records/imported.html", {
        "staged": staged, "report": report, "p": result,
        "withdrawn_kept": report.records_withdrawn_kept[:100]})

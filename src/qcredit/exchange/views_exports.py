"""The export page (``exchange:exports``, /workspace/exchange/exports/): the public lists and the
双公示 penalty records in the partner field sets of SPEC §7.2, as CSV, XLSX or JSON.

Office, admin and division staff (``exports.EXPORT_ROLES``), within the jurisdictions of those
roles. The download is a POST (it writes an audit event; a link or a prefetch must not);
everything is checked and audited by :func:`qcredit.exchange.exports.export_open`, the same
function the CLI calls."""

from __future__ import annotations

import tempfile
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from qcredit.accounts.services import AccessDenied
from qcredit.rules.codes import region_name

from . import exports
from .exports import DATASETS, FORMATS, PENALTY_MAPPING, ExportError


def _refused(request, message: str, status: int = 403):
    return render(request, "exchange/exports/refused.html", {"message": message}, status=status)


def exporter_required(view):
    """Staff holding an export role; the view gets ``request.export_regions``."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        regions = exports.export_regions(request.user)
        if not regions:
            return _refused(request, "数据导出由领导小组办公室、系统管理员和提报处室/直属单位办理，当前账号没有这些角色。")
        request.export_regions = regions
        return view(request, *args, **kwargs)

    return wrapped


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(label="数据", choices=[(k, d.label) for k, d in DATASETS.items()])
    region = forms.ChoiceField(label="行政区划", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                input_formats=["%Y-%m-%d"], error_messages={"invalid": "日期应为 YYYY-MM-DD"})
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              input_formats=["%Y-%m-%d"], error_messages={"invalid": "日期应为 YYYY-MM-DD"})
    format = forms.ChoiceField(label="格式", choices=list(FORMATS.items()), initial="csv", widget=forms.RadioSelect)

    def __init__(self, *args, regions: list[str], **kwargs):
        from qcredit.reports.forms import area_choices

        super().__init__(*args, **kwargs)
        self.fields["region"].choices = area_choices(regions, everything="全部（本人可导出的管辖范围）")


def _page(request, form, *, status: int = 200, error: str = ""):
    return render(request, "exchange/exports/index.html", {
        "form": form, "datasets": DATASETS.values(), "mapping": PENALTY_MAPPING.items(),
        "list_fields": exports.LIST_FIELDS, "regions": [(r, region_name(r)) for r in request.export_regions],
        "error": error,
        "section": "exports", "may_export": True,
    }, status=status)


@exporter_required
def index(request):
    return _page(request, ExportForm(regions=request.export_regions))


_FORM_FIELD = {"dataset": "dataset", "format": "format", "region": "region", "from": "date_from", "to": "date_to"}


@require_POST
@exporter_required
def download(request):
    form = ExportForm(request.POST, regions=request.export_regions)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        export = exports.export_open(actor=request.user, dataset=data["dataset"], fmt=data["format"],
                                     region=data["region"], date_from=data["date_from"], date_to=data["date_to"])
    except ExportError as exc:
        for path, reason in exc.problems:
            form.add_error(_FORM_FIELD.get(path), reason)
        return _page(request, form, status=400)
    except AccessDenied as exc:
        return _refused(request, f"未能导出：{exc.message}")
    if export.fmt == "xlsx":
        out = tempfile.TemporaryFile()
        exports.export_write(export, out)
        out.seek(0)
        response = FileResponse(out, content_type=exports.CONTENT_TYPES["xlsx"])
    else:
        response = StreamingHttpResponse(exports.export_chunks(export), content_type=exports.CONTENT_TYPES[export.fmt])
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Export-Rows"] = str(export.count)
    return response

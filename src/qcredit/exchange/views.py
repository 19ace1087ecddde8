"""The outbox screen (SPEC §7.2): what was pushed to which partner system, what is waiting and
why, each message's delivery log, and "retry now" for what failed. Office and admin staff
(SPEC §1: the office publishes, the admin runs the system); a province unit sees every
message, a city or county unit those of its own enterprises. Retries go through
:mod:`qcredit.exchange.services`, which authorise and audit."""

from __future__ import annotations

import json
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qcredit.accounts.services import AccessDenied, has_role

from . import selectors
from .errors import ExchangeError
from .models import OutboxMessage, Partner, PublicationEvent
from .services import (
    OPERATOR_ROLES,
    may_operate,
    operator_scope,
    outbox_message_retry,
    outbox_retry_failed,
    retryable,
)


def refused(request, message: str, *, status: int = 403, title: str = "不能办理"):
    return render(request, "exchange/refused.html", {"message": message, "title": title}, status=status)


def operator_required(view):
    """Office or admin staff only; the view gets ``request.outbox_scope``."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_role(user=request.user, role=OPERATOR_ROLES):
            return refused(request, "推送发件箱由领导小组办公室和系统管理员查看和处理，当前账号没有这两种角色。")
        request.outbox_scope = operator_scope(request.user)
        return view(request, *args, **kwargs)

    return wrapped


class FilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False,
                              choices=[("", "全部"), *selectors.VIEW_STATES.items()])
    partner = forms.ChoiceField(label="合作系统", required=False)
    list_kind = forms.ChoiceField(label="名单", required=False,
                                  choices=[("", "全部"), *PublicationEvent.ListKind.choices])
    kind = forms.ChoiceField(label="事件", required=False, choices=[("", "全部"), *PublicationEvent.Kind.choices])
    q = forms.CharField(label="主体名称/统一社会信用代码/条目", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "全部"), *Partner.objects.values_list("code", "name")]


@operator_required
def outbox(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.outbox_messages(scope=request.outbox_scope, state=filters.get("state", ""),
                                      partner=filters.get("partner", ""), list_kind=filters.get("list_kind", ""),
                                      kind=filters.get("kind", ""), text=filters.get("q", ""))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(m, *selectors.view_state(m, now)) for m in page]
    query = urlencode({k: v for k, v in filters.items() if v})
    summaries = selectors.partner_summaries(scope=request.outbox_scope)
    return render(request, "exchange/outbox.html", {
        "form": form, "page": page, "rows": rows, "query": query, "summaries": summaries,
        "province": request.outbox_scope is None, "any_failed": any(s.failed for s in summaries),
    })


@operator_required
def message(request, pk: int):
    found = selectors.outbox_message_get(scope=request.outbox_scope, pk=pk)
    if found is None:
        raise Http404("没有这条推送消息，或不在您的管辖范围内")
    code, label = selectors.view_state(found)
    return render(request, "exchange/message.html", {
        "m": found, "state_code": code, "state_label": label,
        "attempts": selectors.message_attempts(found),
        "predecessor": selectors.message_predecessor(found) if found.state == OutboxMessage.State.PENDING else None,
        "history": selectors.message_history(found),
        "payload": json.dumps(found.payload, ensure_ascii=False, indent=2),
        "can_retry": retryable(found) and may_operate(actor=request.user, region=found.region),
    })


@require_POST
@operator_required
def retry(request, pk: int):
    found = selectors.outbox_message_get(scope=request.outbox_scope, pk=pk)
    if found is None:
        raise Http404("没有这条推送消息，或不在您的管辖范围内")
    try:
        outbox_message_retry(message=found, actor=request.user, reason=request.POST.get("reason", "")[:500])
    except AccessDenied as exc:
        return refused(request, exc.message)
    except ExchangeError as exc:
        flash.error(request, f"未重试：{exc.message}")
    else:
        flash.success(request, f"消息 #{found.pk} 已重新排队，将在一分钟内由发送进程送出。")
    return redirect("exchange:message", pk=found.pk)


@require_POST
@operator_required
def retry_failed(request):
    partner = Partner.objects.filter(code=request.POST.get("partner", "")).first()
    try:
        ids = outbox_retry_failed(actor=request.user, partner=partner, reason=request.POST.get("reason", "")[:500])
    except AccessDenied as exc:
        return refused(request, exc.message)
    if ids:
        flash.success(request, f"{len(ids)} 条发送失败的消息已重新排队，将在一分钟内由发送进程送出。")
    else:
        flash.info(request, "没有发送失败的消息。")
    return redirect("exchange:outbox")

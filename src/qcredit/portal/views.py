"""The public portal (SPEC §1 社会公众, §5.4, §7.1, §7.2): anonymous, read-only except the
objection form, and cacheable.

Every page reads through :mod:`qcredit.portal.selectors` (the apps' public selectors and the
public registration fields) and renders only portal templates. The objection is lodged
through :func:`qcredit.lists.services.objection_lodge`, which checks that the entry is public,
computes the due date on the official calendar and writes the audit event.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from pathlib import Path

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_cookie

from qcredit.accounts.services import AccessDenied
from qcredit.lists import selectors as lists_public
from qcredit.lists.errors import ListsError
from qcredit.lists.services import objection_lodge
from qcredit.rules.uscc import USCCError, normalize_uscc
from qcredit.workdays.errors import WorkdayError

from . import opendata, selectors, taxonomy
from .forms import ObjectionForm, ReceiptForm
from .notices import NoticeFontMissing, notice_pdf

PAGE_SIZE = 20
PUBLIC_MAX_AGE = 300  # seconds: lists change a few times a day at most
LATEST_ON_HOME = 10
FEED_SIZE = 50
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json; charset=utf-8"}
LIST_PAGE_NAMES = {"redlist": "portal:redlist", "a-list": "portal:a-list", "blacklist": "portal:blacklist"}
LIST_INTROS = {
    "redlist": "经提报单位提报、政策法规处合法性审查、领导小组集体研究决定，列入山东省质量信用“红名单”的企业"
               "（《山东省质量信用“红名单”管理办法》第四、十一、十二条），公示期一年。",
    "a-list": "经企业自愿申请、省级质量技术监督部门评价，公示的质量信用A级（守信）企业"
              "（《关于加强企业质量信用监管工作的意见》三(五)、四(一)），有效期一年，不搞终身制。",
    "blacklist": "质量信用等级为D级（严重失信）、经复核确认事实和程度后列入黑名单并依法披露曝光的企业"
                 "（《关于加强企业质量信用监管工作的意见》三(五)、四(四)）。",
}


def public_page(view):
    """Anonymous, identical for every visitor: cacheable by shared caches; ``Vary: Cookie``
    keeps a signed-in visitor's page (messages in the shell) out of them."""
    return require_safe(vary_on_cookie(cache_control(public=True, max_age=PUBLIC_MAX_AGE)(view)))


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _with_labels(rows):
    return [{"row": r, "region": taxonomy.region_label(r.region), "industry": taxonomy.industry_label(r.industry)}
            for r in rows]


@public_page
def home(request):
    rows = selectors.all_listings()
    counts = {slug: 0 for slug in selectors.LISTS}
    for row in rows:
        counts[row.list] += 1
    lists = [{"slug": slug, "name": name, "count": counts[slug], "url": reverse(LIST_PAGE_NAMES[slug])}
             for slug, (name, _) in selectors.LISTS.items()]
    return render(request, "portal/home.html", {"lists": lists, "latest": _with_labels(rows[:LATEST_ON_HOME])})


@public_page
def search(request):
    query = (request.GET.get("q") or "").strip()[:100]
    page = _page(request, selectors.enterprise_search_public(query=query))
    listed = selectors.listed_usccs() if page.object_list else {}
    results = [{"enterprise": e, "region": taxonomy.region_label(e.region), "lists": listed.get(e.uscc, [])}
               for e in selectors.enterprises_from_rows(page.object_list)]
    return render(request, "portal/search.html", {
        "query": query, "page": page, "results": results, "too_short": 0 < len(query) < selectors.SEARCH_MIN_LENGTH,
        "base_query": _query_without_page(request)})


def _list_page(request, list_slug: str):
    name, _ = selectors.LISTS[list_slug]
    rows = selectors.listings(list_slug=list_slug)
    region = request.GET.get("region", "")
    industry = request.GET.get("industry", "")
    period = request.GET.get("period", "")
    cities = dict(taxonomy.CITIES)
    region = region if region in cities else ""
    industry = industry if industry in taxonomy.INDUSTRY_FILTERS else ""
    periods = selectors.period_choices(rows)
    period = period if period in dict(periods) else ""
    filtered = selectors.filter_listings(rows, region=region, industry=industry, period=period)
    page = _page(request, filtered)
    page.object_list = _with_labels(selectors.with_statements(page.object_list))
    downloads = [{"format": f, "url": reverse("portal:open-data-file", args=[list_slug, f])} for f in FORMATS]
    return render(request, "portal/list.html", {
        "list_slug": list_slug, "list_name": name, "intro": LIST_INTROS[list_slug], "page": page,
        "total": len(rows), "filtered": len(filtered), "region": region, "industry": industry, "period": period,
        "cities": taxonomy.CITIES, "sections": taxonomy.SECTIONS, "manufacturing": taxonomy.MANUFACTURING,
        "periods": periods, "base_query": _query_without_page(request), "downloads": downloads,
        "has_validity": list_slug != "blacklist"})


@public_page
def redlist(request):
    return _list_page(request, "redlist")


@public_page
def a_list(request):
    return _list_page(request, "a-list")


@public_page
def blacklist(request):
    return _list_page(request, "blacklist")


@public_page
def enterprise(request, uscc: str):
    """The public page of an enterprise: its public registration data and its public entries
    with its approved statements. An enterprise on no public list gets the same page whatever
    its internal grade (SPEC §7.1): nothing here depends on anything but public data."""
    found = selectors.enterprise_public(uscc=uscc)
    if found is not None and found.uscc != uscc:  # a valid code in lower case: one address per page
        return redirect("portal:enterprise", uscc=found.uscc, permanent=True)
    if found is None:
        return render(request, "portal/enterprise_missing.html", {"uscc": uscc}, status=404)
    entries = selectors.with_statements(selectors.all_listings(uscc=found.uscc))
    return render(request, "portal/enterprise.html", {
        "enterprise": found, "region": taxonomy.region_label(found.region),
        "industry": taxonomy.industry_label(found.industry), "entries": entries})


def _objection_targets(uscc: str):
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        return None, []
    found = selectors.enterprise_public(uscc=uscc)
    if found is None:
        return None, []
    return found, lists_public.objection_targets_public(uscc=found.uscc)


@never_cache
@require_http_methods(["GET", "POST"])
def objection(request):
    """The public objection form (SPEC §5.4): first the enterprise (by USCC), then which of its
    public entries, who objects, how to reach them, why, and attachments. Success shows the
    receipt number once; it is not put in a URL."""
    uscc = (request.POST.get("uscc") if request.method == "POST" else request.GET.get("uscc")) or ""
    uscc = uscc.strip().upper()[:18]
    found, targets = _objection_targets(uscc) if uscc else (None, [])
    context = {"uscc": uscc, "enterprise": found, "targets": targets, "error": ""}
    if uscc and found is None:
        context["error"] = "未找到该统一社会信用代码对应的企业，请核对后重新输入（18位）。"
    if request.method == "POST" and found is not None and targets:
        form = ObjectionForm(request.POST, targets=targets)
        if form.is_valid():
            kind, _, target_id = form.cleaned_data["target"].partition(":")
            try:
                lodged = objection_lodge(
                    target_kind=kind, target_id=int(target_id), name=form.cleaned_data["name"],
                    contact=form.cleaned_data["contact"], reasons=form.cleaned_data["reasons"],
                    attachments=request.FILES.getlist("attachments"), actor=request.user)
            except (ListsError, AccessDenied, WorkdayError) as error:
                context["error"] = f"异议未能受理：{error.message}"
            else:
                status = lists_public.objection_status_public(lodged.receipt)
                return render(request, "portal/objection_lodged.html", {"status": status})
        context["form"] = form
    elif found is not None and targets:
        preselect = request.GET.get("list", "")
        kind = selectors.LISTS.get(preselect, (None, None))[1]
        initial = next((t.key for t in targets if t.target_kind == kind), targets[0].key if len(targets) == 1 else None)
        context["form"] = ObjectionForm(targets=targets, initial={"target": initial} if initial else None)
    return render(request, "portal/objection.html", context, status=400 if context["error"] else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def objection_track(request):
    """The objector follows the status with the receipt number (POST, so that the receipt stays
    out of URLs and server logs). Unknown and mistyped receipts get the same answer."""
    status = None
    searched = False
    if request.method == "POST":
        form = ReceiptForm(request.POST)
        if form.is_valid():
            searched = True
            status = lists_public.objection_status_public(form.cleaned_data["receipt"])
    else:
        form = ReceiptForm()
    return render(request, "portal/objection_track.html", {"form": form, "status": status, "searched": searched})


@public_page
def open_data(request):
    datasets = [{"slug": slug, "name": name,
                 "files": [{"format": f, "url": reverse("portal:open-data-file", args=[slug, f])} for f in FORMATS]}
                for slug, (name, _) in selectors.LISTS.items()]
    return render(request, "portal/open_data.html", {"datasets": datasets, "fields": selectors.OPEN_DATA_FIELDS})


@public_page
def open_data_file(request, list_slug: str, fmt: str):
    if list_slug not in selectors.LISTS or fmt not in FORMATS:
        raise Http404
    name, _ = selectors.LISTS[list_slug]
    rows = selectors.open_data_rows(list_slug=list_slug)
    today = timezone.localdate()
    fields = selectors.OPEN_DATA_FIELDS
    if fmt == "csv":
        body = opendata.to_csv(fields=fields, rows=rows)
    elif fmt == "xlsx":
        body = opendata.to_xlsx(fields=fields, rows=rows, title=name)
    else:
        body = opendata.to_json(fields=fields, rows=rows, dataset=list_slug, category=name, generated_on=today)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="qcredit-{list_slug}-{today.isoformat()}.{fmt}"'
    return response


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _updated(on: date) -> datetime:
    return timezone.make_aware(datetime.combine(on, time.min))


@public_page
def feed(request):
    """Atom feed of list changes: every entry listed (red list, published A, black list), newest
    first. Entries that left a list simply drop out: what left is never public again (SPEC §7.1)."""
    rows = selectors.all_listings()[:FEED_SIZE]
    atom = Atom1Feed(title="山东省企业质量信用信息公示 · 名单变动", link=request.build_absolute_uri(reverse("portal:home")),
                     description="质量信用红名单、A级（守信）企业公示和失信黑名单的新列入条目",
                     language="zh-Hans", feed_url=request.build_absolute_uri(reverse("portal:feed")),
                     feed_guid=request.build_absolute_uri(reverse("portal:feed")))
    host = request.get_host().split(":")[0]
    for row in rows:
        link = request.build_absolute_uri(reverse("portal:enterprise", args=[row.uscc]))
        validity = f"，有效期至{row.valid_until.isoformat()}" if row.valid_until else ""
        atom.add_item(
            title=f"{row.list_name}：{row.name}", link=link,
            description=f"{row.name}（统一社会信用代码 {row.uscc}）于{row.listed_on.isoformat()}列入{row.category}"
                        f"{validity}。认定部门：{row.authority}。列入原因：{row.reason}",
            unique_id=f"tag:{host},{row.listed_on.isoformat()}:{row.list}/{row.uscc}/{_short_hash(row.list_name)}",
            updateddate=_updated(row.listed_on), pubdate=_updated(row.listed_on), categories=[row.category])
    return HttpResponse(atom.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


NOTICE_KINDS = {"redlist": "质量信用红名单公告", "blacklist": "失信黑名单曝光公告"}


@public_page
def notices(request):
    groups = [{"kind": kind, "title": title,
               "days": [{"on": on, "count": n, "url": reverse("portal:notice", args=[kind, on.isoformat()])}
                        for on, n in selectors.notice_dates(list_slug=kind)]}
              for kind, title in NOTICE_KINDS.items()]
    return render(request, "portal/notices.html", {"groups": groups})


@public_page
def notice(request, kind: str, on: str):
    if kind not in NOTICE_KINDS:
        raise Http404
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise Http404 from None
    sections = selectors.notice_sections(list_slug=kind, on=day)
    if not sections:
        raise Http404
    try:
        pdf = notice_pdf(title=NOTICE_KINDS[kind], kind=kind, on=day, sections=sections)
    except NoticeFontMissing:
        return HttpResponse("公告文件暂时无法生成（服务器缺少中文字体），请稍后再试。", status=503,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="qcredit-{kind}-notice-{day.isoformat()}.pdf"'
    return response


@public_page
def sitemap(request):
    """The portal's pages, each listed enterprise's page, the downloads and notices. Enterprises
    on no list are not listed here (their pages are reached by search)."""
    def absolute(name, *args):
        return request.build_absolute_uri(reverse(name, args=args))

    urls = [absolute(n) for n in ("portal:home", "portal:redlist", "portal:a-list", "portal:blacklist",
                                  "portal:objection", "portal:objection-track", "portal:open-data",
                                  "portal:notices", "portal:feed")]
    urls += [absolute("portal:open-data-file", slug, f) for slug in selectors.LISTS for f in FORMATS]
    urls += [absolute("portal:notice", kind, on.isoformat()) for kind in NOTICE_KINDS
             for on, _ in selectors.notice_dates(list_slug=kind)]
    urls += [absolute("portal:enterprise", uscc) for uscc in sorted(selectors.listed_usccs())]
    return render(request, "portal/sitemap.xml", {"urls": urls}, content_type="application/xml; charset=utf-8")


FAVICON = Path(__file__).resolve().parent / "static" / "portal" / "favicon.ico"


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico on every site; the portal owns the root."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


@public_page
def robots(request):
    lines = ["User-agent: *", "Disallow: /workspace/", "Disallow: /self-service/", "Disallow: /accounts/",
             "Disallow: /admin/", "Allow: /",
             f"Sitemap: {request.build_absolute_uri(reverse('portal:sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

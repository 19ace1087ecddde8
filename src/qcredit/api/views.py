"""The partner API, version 1 (docs/api.md). Thin views: each names the scope it needs, reads
through :mod:`qcredit.api.selectors` or writes through :mod:`qcredit.api.services`, and every call
— refused ones included — leaves a row in the call log."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from qcredit.audit.context import request_address
from qcredit.rules.uscc import USCCError, normalize_uscc

from . import selectors, services
from .errors import ApiError, ApiErrorCode
from .models import IntakeBatch, Scope
from .permissions import HasScope
from .serializers_intake import (
    BundleSerializer,
    ErrorSerializer,
    IntakeBatchSerializer,
    IntakeRejectedSerializer,
)
from .serializers_internal import GradeSerializer
from .serializers_public import (
    DryRunQuerySerializer,
    ListQuerySerializer,
    PageQuerySerializer,
    PublicEnterpriseSerializer,
    PublicEntrySerializer,
)
from .throttling import ClientScopeThrottle


def intake_max_bytes() -> int:
    return int(getattr(settings, "QCREDIT_API_INTAKE_MAX_BYTES", 10 * 1024 * 1024))


def intake_max_items() -> int:
    return int(getattr(settings, "QCREDIT_API_INTAKE_MAX_ITEMS", 5000))


def _errors(*codes: int, **described) -> dict:
    texts = {400: "请求参数有误", 401: "未提供访问令牌，或令牌无效、已更换、客户端已停用",
             403: "客户端没有所需的权限范围，或企业不在其授权区域内", 404: "没有这个资源",
             409: "与同时进行的报送冲突，请重试", 413: "批次过大", 415: "请求内容类型不是 application/json 或 application/x-ndjson", 429: "调用过于频繁（响应头 Retry-After 给出等待秒数）"}
    return {code: OpenApiResponse(ErrorSerializer, description=described.get(f"e{code}", texts[code])) for code in codes}


class PartnerView(APIView):
    """Base of every partner endpoint: token, scope, rate limit, call log."""

    required_scope: str = Scope.PUBLIC
    permission_classes = [HasScope]
    throttle_classes = [ClientScopeThrottle]

    def dispatch(self, request, *args, **kwargs):
        started_at, started = timezone.now(), time.monotonic()
        status_code = 500
        try:
            response = super().dispatch(request, *args, **kwargs)
            status_code = response.status_code
            return response
        finally:
            drf_request = getattr(self, "request", request)
            client = getattr(drf_request, "_auth", None)
            services.api_call_log(
                client=client if getattr(client, "pk", None) else None,
                token_prefix=getattr(request, "api_token_prefix", ""), method=request.method,
                path=request.path, query=request.META.get("QUERY_STRING", ""), scope=self.required_scope,
                status=status_code, started_at=started_at, duration_ms=int((time.monotonic() - started) * 1000),
                client_address=request_address(request))


def _query(request, serializer_class=None) -> dict:
    """The query parameters, strictly: only known ones (a misspelt filter must not silently
    filter nothing), each at most once, none empty, each valid (400 naming each problem)."""
    known = set(serializer_class().fields) if serializer_class else set()
    problems = []
    for name, values in request.query_params.lists():
        if name not in known:
            problems.append({"path": name, "reason": "未知参数" + (f"（可用：{'、'.join(sorted(known))}）" if known
                                                                   else "（该接口没有查询参数）")})
        elif len(values) > 1:
            problems.append({"path": name, "reason": "参数重复"})
        elif not values[0].strip():
            problems.append({"path": name, "reason": "参数值不能为空"})
    if serializer_class is None:
        if problems:
            raise ApiError(ApiErrorCode.INVALID_PARAMETER, "查询参数有误", problems=problems)
        return {}
    query = serializer_class(data={k: v for k, v in request.query_params.items() if k in known})
    if not query.is_valid():
        problems += [{"path": name, "reason": " ".join(str(m) for m in messages)}
                     for name, messages in query.errors.items() if name not in {p["path"] for p in problems}]
    if problems:
        raise ApiError(ApiErrorCode.INVALID_PARAMETER, "查询参数有误", problems=problems)
    return query.validated_data


def _uscc(value: str) -> str:
    """A valid USCC, upper-cased; an invalid one names no enterprise: 404, saying why."""
    try:
        return normalize_uscc(value)
    except USCCError as exc:
        raise ApiError(ApiErrorCode.INVALID_USCC, f"统一社会信用代码无效：{exc.message}",
                       status_code=status.HTTP_404_NOT_FOUND,
                       problems=[{"path": "uscc", "reason": exc.message}]) from None


def _not_found(uscc: str) -> ApiError:
    return ApiError(ApiErrorCode.NOT_FOUND, f"档案中没有统一社会信用代码为 {uscc} 的企业",
                    status_code=status.HTTP_404_NOT_FOUND)


EXAMPLE_USCC = "91370102MA0314153A"  # SPEC §3.1's example
USCC_PARAMETER = OpenApiParameter("uscc", {"type": "string", "pattern": "^[0-9A-Za-z]{18}$"}, OpenApiParameter.PATH,
                                  description="统一社会信用代码（18 位，GB 32100-2015；小写字母按大写处理）。"
                                              "无效的代码（如校验位不符）不指向任何企业：404，说明原因",
                                  examples=[OpenApiExample("济南某某机械有限公司", value=EXAMPLE_USCC)])


class EnterpriseView(PartnerView):
    required_scope = Scope.PUBLIC

    @extend_schema(
        operation_id="enterprise_public", tags=["企业"], summary="按统一社会信用代码查询企业（公开信息）",
        description="企业的登记信息（名称、统一社会信用代码、行政区划、行业）及其当前公示的名单条目，与公示网站的企业页面"
                    "完全相同。不在任何名单上的企业，无论其内部等级如何，回答都只有登记信息。权限范围：public。",
        parameters=[USCC_PARAMETER],
        responses={200: PublicEnterpriseSerializer, **_errors(400, 401, 403, 404, 429)})
    def get(self, request, uscc: str):
        _query(request)
        uscc = _uscc(uscc)
        found = selectors.enterprise_public(uscc=uscc)
        if found is None:
            raise _not_found(uscc)
        return Response(PublicEnterpriseSerializer(found).data)


class EnterpriseGradeView(PartnerView):
    required_scope = Scope.INTERNAL_GRADE

    @extend_schema(
        operation_id="enterprise_grade", tags=["企业"], summary="企业的内部信用等级（机密，查询留痕）",
        description="当前质量信用等级、评价日、规则版本、各项指标的结果及其依据的档案记录，以及外部信用信息"
                    "（不影响等级）。每次调用记入审计日志（SPEC §7.1、§7.3）。只限客户端授权区域内的企业。"
                    "权限范围：internal-grade。",
        parameters=[USCC_PARAMETER],
        responses={200: GradeSerializer, **_errors(400, 401, 403, 404, 429)})
    def get(self, request, uscc: str):
        _query(request)
        uscc = _uscc(uscc)
        try:
            view = selectors.enterprise_grade(client=request.auth, uscc=uscc)
        except selectors.OutOfJurisdiction as exc:
            raise ApiError(ApiErrorCode.OUT_OF_JURISDICTION,
                           f"企业所在行政区划 {exc.args[0]} 不在本客户端的授权区域（{request.auth.jurisdiction}）内",
                           status_code=status.HTTP_403_FORBIDDEN) from None
        if view is None:
            raise _not_found(uscc)
        return Response(GradeSerializer(view).data)


class ListPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except Exception as exc:  # DRF's NotFound("Invalid page."): say it in Chinese
            from rest_framework.exceptions import NotFound

            if isinstance(exc, NotFound):
                raise ApiError(ApiErrorCode.NOT_FOUND, f"第 {request.query_params.get('page')} 页不存在",
                               status_code=status.HTTP_404_NOT_FOUND) from None
            raise


def _list_view(slug: str, title: str, description: str):
    class ListView(PartnerView):
        required_scope = Scope.PUBLIC
        pagination_class = ListPagination

        @extend_schema(
            operation_id=f"list_{slug.replace('-', '_')}", tags=["名单"], summary=title,
            description=description + "按列入日期从新到旧排列，分页。权限范围：public。",
            parameters=[ListQuerySerializer],
            responses={200: PublicEntrySerializer(many=True), **_errors(400, 401, 403, 404, 429)})
        def get(self, request):
            params = _query(request, ListQuerySerializer)
            since = max(filter(None, [params.get("listed_since"), params.get("updated_since")]), default=None)
            rows = selectors.list_public(list_slug=slug, region=params.get("region", ""), listed_since=since,
                                         listed_until=params.get("listed_until"))
            paginator = self.pagination_class()
            page = paginator.paginate_queryset(rows, request, view=self)
            return paginator.get_paginated_response(PublicEntrySerializer(selectors.completed(page), many=True).data)

    ListView.__name__ = ListView.__qualname__ = f"{slug.title().replace('-', '')}ListView"
    return ListView


RedlistView = _list_view("redlist", "质量信用红名单", "当前公示的质量信用红名单条目（SRL 第四、十一、十二条）。")
PublishedAView = _list_view("published-a", "A级（守信）企业公示", "当前公示的质量信用A级（守信）企业（QCO 三(五)、四(一)）。")
BlacklistView = _list_view("blacklist", "失信黑名单", "当前披露的失信黑名单企业（QCO 三(五)、四(四)）。")


# --- intake --------------------------------------------------------------------------------------


class BundleParser(parsers.BaseParser):
    """The body as text (JSON or JSON Lines): the bundle module parses and reports it."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = intake_max_bytes()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise _too_large()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApiError(ApiErrorCode.INVALID_BUNDLE, "请求内容不是 UTF-8 编码的文本",
                           problems=[{"path": "$", "reason": "请求内容不是 UTF-8 编码的文本"}]) from None


class JsonLinesBundleParser(BundleParser):
    media_type = "application/x-ndjson"


def _too_large() -> ApiError:
    return ApiError(ApiErrorCode.BUNDLE_TOO_LARGE,
                    f"批次过大：请求内容最多 {intake_max_bytes() // 1024 // 1024} MB、{intake_max_items()} 条企业和记录，"
                    "请分批报送",
                    status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def _batch_data(batch: IntakeBatch | None, outcome=None) -> dict:
    """The batch as the API shows it (through its serializer: times in Asia/Shanghai)."""
    return IntakeBatchSerializer(_batch_fields(batch, outcome)).data


def _batch_fields(batch: IntakeBatch | None, outcome=None) -> dict:
    if batch is not None:
        return {"id": batch.pk, "status": batch.status, "dry_run": False, "received_at": batch.received_at,
                "enterprises": batch.enterprises, "records": batch.records,
                "enterprises_created": batch.enterprises_created, "enterprises_updated": batch.enterprises_updated,
                "enterprises_unchanged": batch.enterprises_unchanged, "records_created": batch.records_created,
                "records_corrected": batch.records_corrected, "records_unchanged": batch.records_unchanged,
                "records_withdrawn_kept": batch.records_withdrawn_kept, "regraded": batch.regraded,
                "problem_count": len(batch.problems) if outcome is None else outcome.problem_count,
                "problems": batch.problems}
    report = outcome.report
    return {"id": None, "status": "accepted" if outcome.accepted else "rejected", "dry_run": True,
            "received_at": None, "enterprises": outcome.enterprises, "records": outcome.records,
            "enterprises_created": report.enterprises_created if report else 0,
            "enterprises_updated": report.enterprises_updated if report else 0,
            "enterprises_unchanged": report.enterprises_unchanged if report else 0,
            "records_created": report.records_created if report else 0,
            "records_corrected": report.records_corrected if report else 0,
            "records_unchanged": report.records_unchanged if report else 0,
            "records_withdrawn_kept": report.records_withdrawn_kept if report else [], "regraded": 0,
            "problem_count": outcome.problem_count,
            "problems": [{"path": p.path, "reason": p.reason} for p in outcome.problems]}


BUNDLE_EXAMPLE = {"format": "qcredit-archive/1", "records": [
    {"id": "ZX-2026-0001", "uscc": EXAMPLE_USCC, "kind": "external_credit", "date": "2026-03-02",
     "source": "人民银行济南分行征信中心", "provider": "bank", "rating": "AA"}]}


class IntakeBatchesView(PartnerView):
    required_scope = Scope.INTAKE
    parser_classes = [BundleParser, JsonLinesBundleParser]
    pagination_class = ListPagination

    @extend_schema(
        operation_id="intake_batch_create", tags=["报送"], summary="报送一批档案记录",
        description="以 qcredit-archive/1 档案包（JSON，或 JSON Lines：application/x-ndjson）报送企业和档案记录"
                    "（QCO 五(三) 企业和产品质量信息动态采集；外部信用信息为 external_credit 记录，不影响等级）。"
                    "校验与档案导入相同，每个问题给出 JSON 路径；有任何问题则整批不写入（400）。"
                    "按（source、id）幂等：重复报送不变，内容不同为更正（新版本）。涉及的企业立即重新评定。"
                    "记录的 source 必须是本客户端可报送的记录单位；企业须在客户端的授权区域内。"
                    "查询参数 dry_run=true 只检查和统计，不写入。权限范围：intake。",
        parameters=[DryRunQuerySerializer],
        request={"application/json": BundleSerializer, "application/x-ndjson": OpenApiTypes.STR},
        examples=[OpenApiExample("外部信用信息", value=BUNDLE_EXAMPLE, request_only=True)],
        responses={201: IntakeBatchSerializer, 200: OpenApiResponse(IntakeBatchSerializer, description="试运行的结果"),
                   400: OpenApiResponse(IntakeRejectedSerializer, description="档案包有问题，整批未写入"),
                   **_errors(401, 403, 409, 413, 415, 429)})
    def post(self, request):
        try:
            return self._receive(request)
        except ApiError as exc:
            if exc.status_code == status.HTTP_400_BAD_REQUEST:  # the one shape of a 400 here
                exc.extra.setdefault("batch", None)
            raise

    def _receive(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > intake_max_bytes():
            raise _too_large()
        text = request.data if isinstance(request.data, str) else ""
        dry_run = _query(request, DryRunQuerySerializer).get("dry_run", False)
        try:
            outcome = services.intake_batch_receive(client=request.auth, text=text, dry_run=dry_run,
                                                    max_items=intake_max_items())
        except services.BatchTooLarge:
            raise _too_large() from None
        except IntegrityError:
            raise ApiError(ApiErrorCode.CONFLICT, "与同时进行的另一批报送冲突，请稍后重试（重复报送不会重复写入）",
                           status_code=status.HTTP_409_CONFLICT) from None
        data = _batch_data(outcome.batch, outcome)
        if not outcome.accepted:
            return Response({"code": ApiErrorCode.INVALID_BUNDLE.value,
                             "detail": f"档案包有 {outcome.problem_count} 处问题，整批未写入任何数据",
                             "problems": data["problems"], "batch": data}, status=status.HTTP_400_BAD_REQUEST)
        return Response(data, status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="intake_batch_list", tags=["报送"], summary="本客户端报送过的批次",
        description="本客户端的报送批次（已接收和已拒收），从新到旧，分页。权限范围：intake。",
        parameters=[PageQuerySerializer],
        responses={200: IntakeBatchSerializer(many=True), **_errors(400, 401, 403, 404, 429)})
    def get(self, request):
        _query(request, PageQuerySerializer)
        batches = IntakeBatch.objects.filter(client=request.auth).order_by("-received_at", "-id")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(batches, request, view=self)
        return paginator.get_paginated_response([_batch_data(b) for b in page])


class IntakeBatchView(PartnerView):
    required_scope = Scope.INTAKE

    @extend_schema(
        operation_id="intake_batch_detail", tags=["报送"], summary="一个报送批次的结果",
        description="本客户端的一个报送批次：状态、各项计数、问题。权限范围：intake。",
        responses={200: IntakeBatchSerializer, **_errors(400, 401, 403, 404, 429)})
    def get(self, request, batch_id: str):
        _query(request)
        batch = (IntakeBatch.objects.filter(client=request.auth, pk=int(batch_id)).first()
                 if batch_id.isdigit() and len(batch_id) < 19 else None)
        if batch is None:
            raise ApiError(ApiErrorCode.NOT_FOUND, f"本客户端没有编号为 {batch_id} 的报送批次",
                           status_code=status.HTTP_404_NOT_FOUND)
        return Response(_batch_data(batch))


def unknown(request, rest: str = ""):
    """Any other address under /api/v1/: a JSON 404 in the API's error shape (not an HTML page),
    logged like every call (no token is checked: there is nothing to authorise)."""
    from django.http import JsonResponse

    from .tokens import prefix_of

    response = JsonResponse({"code": ApiErrorCode.NOT_FOUND.value, "detail": f"没有这个接口：{request.path}",
                             "problems": []}, status=404, json_dumps_params={"ensure_ascii": False})
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    services.api_call_log(client=None, token_prefix=(prefix_of(header[-1]) or "") if header else "",
                          method=request.method, path=request.path, query=request.META.get("QUERY_STRING", ""),
                          scope="", status=404, started_at=timezone.now(), duration_ms=0,
                          client_address=request_address(request))
    return response

"""Errors of the partner API as values with codes (STYLE), and the one shape every error answer
has: ``{"code": "…", "detail": "<Chinese message>", "problems": [...]}``, where ``problems``
lists ``{"path", "reason"}`` for each problem of the input (as the import and the CLI report
them) and is empty otherwise."""

from __future__ import annotations

import enum

from rest_framework import exceptions, status
from rest_framework.response import Response


class ApiErrorCode(enum.Enum):
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_TOKEN = "invalid_token"
    CLIENT_INACTIVE = "client_inactive"
    SCOPE_MISSING = "scope_missing"
    OUT_OF_JURISDICTION = "out_of_jurisdiction"
    NOT_FOUND = "not_found"
    INVALID_USCC = "invalid_uscc"
    INVALID_PARAMETER = "invalid_parameter"
    INVALID_BUNDLE = "invalid_bundle"
    BUNDLE_TOO_LARGE = "bundle_too_large"
    THROTTLED = "throttled"
    CONFLICT = "conflict"


class ApiError(exceptions.APIException):
    """An answer other than 2xx with a code of :class:`ApiErrorCode`, a Chinese message and,
    for problems of the input, the list of them with their JSON paths."""

    def __init__(self, code: ApiErrorCode, message: str, *, status_code: int = status.HTTP_400_BAD_REQUEST,
                 problems: list[dict] | None = None, extra: dict | None = None):
        super().__init__(detail=message, code=code.value)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.problems = problems
        self.extra = extra or {}


# DRF's own exceptions, answered in the same shape with a Chinese message of ours.
_MESSAGES = {
    exceptions.NotAuthenticated: (ApiErrorCode.NOT_AUTHENTICATED.value,
                                  "未提供访问令牌：请在请求头中加入 Authorization: Bearer <令牌>"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "该接口不支持此请求方法"),
    exceptions.NotAcceptable: ("not_acceptable", "该接口只返回 application/json"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type",
                                      "不支持的请求内容类型：请以 application/json 或 application/x-ndjson 提交"),
    exceptions.ParseError: ("parse_error", "请求内容不是有效的 JSON"),
    exceptions.NotFound: (ApiErrorCode.NOT_FOUND.value, "没有这个资源"),
}


def exception_handler(exc, context):
    # Imported here: rest_framework.views reads the API settings, which import this app's
    # authentication, which imports this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 (logged), never a traceback to the client
    if isinstance(exc, ApiError):
        body = {"code": exc.error_code.value, "detail": exc.message, **exc.extra}
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        body = {"code": ApiErrorCode.THROTTLED.value,
                "detail": f"调用过于频繁，已超过本客户端的限额，请在 {wait} 秒后重试"}
    elif isinstance(exc, exceptions.AuthenticationFailed):
        detail = exc.detail if isinstance(exc.detail, str) else "访问令牌无效"
        body = {"code": getattr(exc, "error_code", ApiErrorCode.INVALID_TOKEN.value), "detail": str(detail)}
    elif isinstance(exc, exceptions.PermissionDenied):
        body = {"code": getattr(exc, "error_code", ApiErrorCode.SCOPE_MISSING.value), "detail": str(exc.detail)}
    else:
        code, message = next(((c, m) for cls, (c, m) in _MESSAGES.items() if isinstance(exc, cls)),
                             (getattr(exc, "default_code", "error"), str(getattr(exc, "detail", ""))))
        body = {"code": code, "detail": message}
    body["problems"] = exc.problems or [] if isinstance(exc, ApiError) else []
    return Response(body, status=response.status_code, headers=_kept_headers(response))


def _kept_headers(response) -> dict:
    return {name: response[name] for name in ("WWW-Authenticate", "Retry-After", "Allow") if name in response}


class ClientErrorCode(enum.Enum):
    BAD_CODE = "bad_code"
    BAD_SCOPES = "bad_scopes"
    BAD_JURISDICTION = "bad_jurisdiction"
    NO_SOURCES = "no_sources"
    CODE_TAKEN = "code_taken"


class ClientError(Exception):
    """A client configuration refused (the admin and the CLI render ``.message``)."""

    def __init__(self, code: ClientErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

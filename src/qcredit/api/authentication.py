"""Token authentication of partner clients: ``Authorization: Bearer qc_<prefix>_<secret>``.

A request without the header is anonymous (and refused with 401 by the scope permission); a
header that is malformed, a token that matches no client, or the token of a disabled client is
refused with 401 at once. ``request.user`` is the client's audit identity, ``request.auth`` the
:class:`~qcredit.api.models.ApiClient`.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import tokens
from .errors import ApiErrorCode
from .models import ApiClient

KEYWORD = "Bearer"


class TokenRefused(exceptions.AuthenticationFailed):
    def __init__(self, code: ApiErrorCode, message: str):
        super().__init__(detail=message, code=code.value)
        self.error_code = code.value


class ClientTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != KEYWORD.lower():
            raise TokenRefused(ApiErrorCode.INVALID_TOKEN, "访问令牌格式应为 Authorization: Bearer <令牌>")
        token = parts[1]
        prefix = tokens.prefix_of(token)
        if prefix is None:
            raise TokenRefused(ApiErrorCode.INVALID_TOKEN, "访问令牌无效：格式不正确")
        request._request.api_token_prefix = prefix  # for the call log, whatever the outcome
        client = ApiClient.objects.select_related("user").filter(token_prefix=prefix).first()
        if client is None or not tokens.matches(token, client.token_hash):
            raise TokenRefused(ApiErrorCode.INVALID_TOKEN, "访问令牌无效或已被更换，请向系统管理员申请新令牌")
        if not client.active:
            raise TokenRefused(ApiErrorCode.CLIENT_INACTIVE, "该接口客户端已停用，请与系统管理员联系")
        return client.user, client

    def authenticate_header(self, request):
        # Present, so that a refusal is a 401 (DRF answers 403 without it).
        return f'{KEYWORD} realm="qcredit-api"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = ClientTokenAuthentication
    name = "clientToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "qc_<前缀>_<密钥>",
                "description": "系统管理员为每个合作部门客户端签发的访问令牌（只显示一次）。"}

"""Scopes (docs/api.md §2): each view names the one scope it needs (``required_scope``)."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from .errors import ApiErrorCode
from .models import ApiClient, Scope


class ScopeMissing(exceptions.PermissionDenied):
    def __init__(self, message: str):
        super().__init__(detail=message, code=ApiErrorCode.SCOPE_MISSING.value)
        self.error_code = ApiErrorCode.SCOPE_MISSING.value


class HasScope(permissions.BasePermission):
    """A client token holding the view's ``required_scope``. Without a token the answer is
    401 (DRF turns a refusal without a successful authenticator into NotAuthenticated)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scope = view.required_scope
        if not client.has_scope(scope):
            raise ScopeMissing(f"本客户端没有“{scope}”权限范围（{Scope(scope).label}），不能调用该接口；"
                               "如确有需要，请向系统管理员申请")
        return True

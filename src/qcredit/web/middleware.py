"""Security headers on every response, and the expiry of login sessions (below).

Content-Security-Policy forbids inline scripts, inline styles and anything not served by this
server (the networks these systems run on are often closed; SPEC-independent security baseline of
issue 4). Templates therefore never use `<script>` bodies, `style=` attributes or `on…=` handlers:
behaviour lives in static/web/qcredit.js, looks in static/web/qcredit.css. The Django admin of
Django 5.2 has no inline code either and runs under the same policy (tests/browser/test_security.py).
"""

from __future__ import annotations

import time

from django.conf import settings

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", getattr(settings, "QCREDIT_CSP", CSP))
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


# ---- session expiry (idle timeout and absolute lifetime; docs/web/security.md) ----

# The last-activity stamp is rewritten at most once a minute, so that reading pages does not
# write the session row on every request (the embedded SQLite has one writer).
ACTIVITY_GRANULARITY = 60


class SessionExpiryMiddleware:
    """Ends a login session after ``QCREDIT_SESSION_IDLE_SECONDS`` without a request (idle
    timeout) or ``SESSION_COOKIE_AGE`` seconds after the login (absolute lifetime), whatever
    the activity; the request then goes on as anonymous, so a staff page redirects to the
    login page, which says why. The login time is stamped by :func:`qcredit.web.auth.on_logged_in`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        from django.contrib import messages
        from django.contrib.auth import logout

        from .auth import SESSION_AUTH_AT, SESSION_SEEN_AT

        now = int(time.time())
        session = request.session
        auth_at = session.get(SESSION_AUTH_AT)
        if auth_at is None:  # a session older than this middleware: its clock starts now
            session[SESSION_AUTH_AT] = session[SESSION_SEEN_AT] = now
            return
        seen_at = session.get(SESSION_SEEN_AT, auth_at)
        idle = int(getattr(settings, "QCREDIT_SESSION_IDLE_SECONDS", 30 * 60))
        lifetime = int(settings.SESSION_COOKIE_AGE)
        if now - seen_at > idle:
            reason = f"您已超过 {idle // 60} 分钟未操作，为保护信息安全，系统已自动退出，请重新登录。"
        elif now - auth_at > lifetime:
            reason = f"本次登录已超过 {_duration(lifetime)}，为保护信息安全，系统已自动退出，请重新登录。"
        else:
            if now - seen_at >= ACTIVITY_GRANULARITY:
                session[SESSION_SEEN_AT] = now
            return
        logout(request)
        messages.warning(request, reason)


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    if hours and not rest:
        return f"{hours} 小时"
    return f"{seconds // 60} 分钟"

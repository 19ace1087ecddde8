"""Security headers on every response.

Content-Security-Policy forbids inline scripts, inline styles and anything not served by this
server (the networks these systems run on are often closed; SPEC-independent security baseline of
issue 4). Templates therefore never use `<script>` bodies, `style=` attributes or `on…=` handlers:
behaviour lives in static/web/qcredit.js, looks in static/web/qcredit.css.
"""

from __future__ import annotations

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

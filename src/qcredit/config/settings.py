"""Settings: one environment-driven module (SPEC: SQLite embedded default, PostgreSQL production)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# var/ at the repository root (or QCREDIT_VAR_DIR) keeps the embedded SQLite database.
VAR_DIR = Path(os.environ.get("QCREDIT_VAR_DIR", Path.cwd() / "var"))


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = _bool("QCREDIT_DEBUG", False)
# ---- security: production switch and secret key (helper "security"; docs/web/security.md) ----
# QCREDIT_PRODUCTION=1 turns on every production default below (a required secret key, HTTPS
# with HSTS, secure cookies); each stays overridable by its own variable.
PRODUCTION = _bool("QCREDIT_PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise RuntimeError("QCREDIT_DEBUG must be off when QCREDIT_PRODUCTION=1")
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me"
SECRET_KEY = os.environ.get("QCREDIT_SECRET_KEY", "")
if _bool("QCREDIT_REQUIRE_SECRET_KEY", PRODUCTION):
    # In production a missing, default or short key stops start-up (in debug mode too): sessions,
    # password-reset tokens and signed values all rest on it.
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise RuntimeError("QCREDIT_SECRET_KEY must be set to a random value of at least 50 characters "
                           "(python -c 'import secrets; print(secrets.token_urlsafe(50))')")
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [h for h in os.environ.get("QCREDIT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    # security: first, so that its `createsuperuser` (password policy also with --noinput)
    # takes precedence over django.contrib.auth's.
    "qcredit.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "qcredit.accounts",
    "qcredit.audit",
    "qcredit.archive",
    "qcredit.grading",
    "qcredit.workdays",
    "qcredit.rulesets",
    "qcredit.redlist",
    "qcredit.lists",
    "qcredit.jobs",
    "qcredit.exchange",
    "qcredit.supervision",
    "qcredit.reports",
    "qcredit.api",
    "qcredit.workspace",
    "qcredit.selfservice",
    "qcredit.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qcredit.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qcredit.web.middleware.SessionExpiryMiddleware",  # security: idle timeout, absolute lifetime
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qcredit.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "qcredit.config.urls"
WSGI_APPLICATION = "qcredit.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qcredit.web.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'qcredit.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("QCREDIT_CONN_MAX_AGE", "0")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout make the embedded database usable by the server and the CLI at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # security: Django's length rule with a Chinese message (its zh-hans catalogue lacks it)
    {"NAME": "qcredit.web.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # security: character classes (GB/T 22239-2019 8.1.4.1 a, 复杂度要求)
    {"NAME": "qcredit.web.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/landing/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# ---- security: authentication, sessions, CSRF, headers (helper "security"; docs/web/security.md) ----
# Every login path (the login page, the admin's, anything calling authenticate()) goes through
# the throttle: QCREDIT_LOGIN_FAILURE_LIMIT failures of one user name from one address within
# QCREDIT_LOGIN_FAILURE_WINDOW seconds lock it for QCREDIT_LOGIN_LOCKOUT seconds (qcredit/web/throttle.py).
AUTHENTICATION_BACKENDS = ["qcredit.web.auth.ThrottledModelBackend"]
QCREDIT_LOGIN_FAILURE_LIMIT = int(os.environ.get("QCREDIT_LOGIN_FAILURE_LIMIT", "5"))
QCREDIT_LOGIN_FAILURE_WINDOW = int(os.environ.get("QCREDIT_LOGIN_FAILURE_WINDOW", str(15 * 60)))
QCREDIT_LOGIN_LOCKOUT = int(os.environ.get("QCREDIT_LOGIN_LOCKOUT", str(15 * 60)))
QCREDIT_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("QCREDIT_LOGIN_ADDRESS_FAILURE_LIMIT", "50"))
# A login ends after 30 minutes without a request (idle) or 10 hours after it began
# (absolute: one working day), and when the browser closes (qcredit/web/middleware.py).
QCREDIT_SESSION_IDLE_SECONDS = int(os.environ.get("QCREDIT_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_COOKIE_AGE = int(os.environ.get("QCREDIT_SESSION_MAX_SECONDS", str(10 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "qcredit.web.views_auth.csrf_failure"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("QCREDIT_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"
# HTTPS: off by default (the demo and `qcredit manage runserver` speak http), on with
# QCREDIT_PRODUCTION=1 or QCREDIT_HTTPS=1. HSTS starts at one year; preload stays opt-in
# (it cannot be undone quickly). Behind a trusted reverse proxy, X-Forwarded-Proto tells
# Django the original scheme, so that the redirect does not loop.
HTTPS = _bool("QCREDIT_HTTPS", PRODUCTION)
SECURE_SSL_REDIRECT = _bool("QCREDIT_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("QCREDIT_HSTS_SECONDS", str(365 * 24 * 60 * 60 if HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("QCREDIT_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = _bool("QCREDIT_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _bool("QCREDIT_SECURE_COOKIES", HTTPS)
if not SECURE_HSTS_PRELOAD:
    # Not preloading is a decision (above), so `check --deploy --fail-level WARNING` stays usable.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind a reverse proxy the operator trusts, the audit trail takes the client address from
# X-Forwarded-For (audit/context.py); otherwise from the connection.
QCREDIT_TRUSTED_PROXY = _bool("QCREDIT_TRUSTED_PROXY", False)
if QCREDIT_TRUSTED_PROXY:  # security: the proxy terminates TLS and says so
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
EMAIL_BACKEND = os.environ.get("QCREDIT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("QCREDIT_FROM_EMAIL", "qcredit@localhost")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QCREDIT_LOG_LEVEL", "WARNING")},
}

# Celery (config/celery.py): the scheduled jobs through Redis. `qcredit jobs run-daily` runs
# the same work without it (the embedded default).
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# exchange: the push to partner systems (qcredit/exchange/partners.py, docs/exchange.md). Partners
# (endpoint, token, enabled) are configured in the admin; a token may instead come from
# QCREDIT_EXCHANGE_TOKEN_<CODE>. Seconds unless said otherwise.
QCREDIT_EXCHANGE_CONNECT_TIMEOUT = float(os.environ.get("QCREDIT_EXCHANGE_CONNECT_TIMEOUT", "10"))
QCREDIT_EXCHANGE_READ_TIMEOUT = float(os.environ.get("QCREDIT_EXCHANGE_READ_TIMEOUT", "10"))
QCREDIT_EXCHANGE_BACKOFF_BASE = float(os.environ.get("QCREDIT_EXCHANGE_BACKOFF_BASE", "60"))
QCREDIT_EXCHANGE_BACKOFF_CAP = float(os.environ.get("QCREDIT_EXCHANGE_BACKOFF_CAP", str(6 * 3600)))
QCREDIT_EXCHANGE_MAX_ATTEMPTS = int(os.environ.get("QCREDIT_EXCHANGE_MAX_ATTEMPTS", "16"))
QCREDIT_EXCHANGE_CA_FILE = os.environ.get("QCREDIT_EXCHANGE_CA_FILE", "")  # the partners' CA, if private

# api: the call log is kept this many days (the daily job prunes older rows; ≥ 183).
QCREDIT_API_CALL_RETENTION_DAYS = int(os.environ.get("QCREDIT_API_CALL_RETENTION_DAYS", "400"))

# api: the partner API (qcredit/api/, docs/api.md). Token authentication only (no session, no
# HTTP Basic: a staff password never opens the API), JSON only (the browsable API would need
# inline scripts), rates per scope counted per client in the call log (no Redis needed).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["qcredit.api.authentication.ClientTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qcredit.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public": os.environ.get("QCREDIT_API_RATE_PUBLIC", "600/min"),
        "internal-grade": os.environ.get("QCREDIT_API_RATE_INTERNAL_GRADE", "120/min"),
        "intake": os.environ.get("QCREDIT_API_RATE_INTAKE", "60/min"),
    },
}
QCREDIT_API_INTAKE_MAX_BYTES = int(os.environ.get("QCREDIT_API_INTAKE_MAX_BYTES", str(10 * 1024 * 1024)))
QCREDIT_API_INTAKE_MAX_ITEMS = int(os.environ.get("QCREDIT_API_INTAKE_MAX_ITEMS", "5000"))
SPECTACULAR_SETTINGS = {
    "TITLE": "企业质量信用监管系统 · 合作部门接口",
    "DESCRIPTION": "按统一社会信用代码查询、公示名单、内部信用等级（机密，查询留痕）、档案记录报送。说明见 /api/docs/。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"QualityMetrologyScopeEnum": "qcredit.api.serializers_intake.SCOPE_QM_CHOICES"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

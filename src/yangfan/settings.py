"""Django settings, read from the environment. Safe by default: debug off, a secret key of our own.

| variable | default |
|---|---|
| ``YANGFAN_DATA_DIR`` | ``~/.local/share/yangfan`` (the embedded database and the generated secret key live here) |
| ``YANGFAN_DATABASE_URL`` | ``sqlite:///<data dir>/yangfan.sqlite3``; ``postgresql://user@host:port/name`` in production |
| ``YANGFAN_SECRET_KEY`` | generated once and kept in ``<data dir>/secret_key`` |
| ``YANGFAN_DEBUG`` | off |
| ``YANGFAN_ALLOWED_HOSTS`` | ``127.0.0.1,localhost,[::1]`` (comma separated) |
| ``YANGFAN_SMTP_HOST`` | unset: reminders and notifications stay in the app; set: they are also e-mailed through this server |
| ``YANGFAN_BASE_URL`` | unset; the site's address as users reach it (``https://yangfan.example.gov.cn``): links in e-mails and webhooks |
| ``YANGFAN_SMTP_PORT`` / ``_USER`` / ``_PASSWORD`` / ``_FROM`` | 25 (587 with STARTTLS, 465 with SSL) / none / none / ``yangfan@localhost`` |
| ``YANGFAN_SMTP_STARTTLS`` / ``YANGFAN_SMTP_SSL`` | off |
| ``YANGFAN_EVIDENCE_MAX_MB`` | 20: the largest evidence file (佐证材料) accepted, in MiB |
| ``YANGFAN_IMPORT_MAX_MB`` | 200: the largest file an import or an upload reads, and what a workbook may unpack to, in MiB |
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from yangfan.config import data_dir, ensure_data_dir, env_flag, import_max_bytes, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = env_flag("YANGFAN_DEBUG")
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("YANGFAN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "yangfan.accounts",
    "yangfan.audit",
    "yangfan.orgunits",
    "yangfan.actionplans",
    "yangfan.datavalues",
    "yangfan.collection",
    "yangfan.supervision",
    "yangfan.reports",
    "yangfan.registries",
    "yangfan.notifications",
    "yangfan.ingests",
    "yangfan.goals",
    "yangfan.security",
    "yangfan.portal",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "yangfan.accounts.failures.RequestIdMiddleware",  # first: whatever fails after it has a request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yangfan.accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "yangfan.portal.uploads.UploadLimitMiddleware",  # before anything reads an upload: the CSRF check does
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yangfan.accounts.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yangfan.urls"
WSGI_APPLICATION = "yangfan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yangfan.portal.context_processors.navigation",
                "yangfan.notifications.context_processors.inbox_count",
            ],
        },
    },
]

if not os.environ.get("YANGFAN_DATABASE_URL"):
    ensure_data_dir(DATA_DIR)  # the embedded database lives there
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("YANGFAN_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'yangfan.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while a background job writes; IMMEDIATE avoids "database is locked"
    # upgrades inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Kept parts of pages (audit.fragments), in each server process's memory: keyed by the head of the audit trail,
# so nothing is ever invalidated; old keys age out. A dashboard is ~35 kB: 500 of them ~20 MB per process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before checking a password
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after 5 failed logins in 15 minutes, per username (an attacker cannot lock everyone out by IP).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes would also lock by address; offices reach us through one NAT address, so one person's typos would lock
# out a whole department. Locking the username is what the policy asks.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Idle sessions end after 30 minutes: the expiry is renewed by a request at most once a minute
# (accounts.middleware.SessionRefreshMiddleware), so that reading a page writes nothing.
SESSION_COOKIE_AGE = 30 * 60
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "扬帆 Yangfan"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yangfan.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "yangfan.accounts.validators.CommonPasswordVariantValidator"},
    {"NAME": "yangfan.accounts.validators.NotCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only `collectstatic` needs a root; whitenoise serves from the apps (see WHITENOISE_USE_FINDERS).
STATIC_ROOT = os.environ.get("YANGFAN_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps: nothing to collect before `yangfan serve`.
WHITENOISE_USE_FINDERS = True

# Served over HTTPS (behind a TLS-terminating proxy that sets X-Forwarded-Proto): secure cookies, HSTS.
HTTPS = env_flag("YANGFAN_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "yangfan.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [  # DRF's, with JSON nested too deep refused as malformed (api.parsers)
        "yangfan.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 200,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "yangfan.api.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "yangfan.api.metadata.ApiMetadata",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "扬帆 Yangfan API",
    "DESCRIPTION": "5G应用行动计划监测、评估与督导平台的接口。认证：Authorization: Bearer <个人令牌>。",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # one name for the high/medium/low set a threat's severity and a risk's level share (and no "level" collision)
    "ENUM_NAME_OVERRIDES": {"SeverityEnum": "yangfan.registries.choices.Severity"},
}

# Every record carries the id of the request it was written in ("-" outside one), which pages and the API show
# to the user on an error (accounts.failures).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "yangfan.accounts.failures.RequestIdFilter"}},
    "formatters": {"plain": {"format": "[%(request_id)s] %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Background jobs (long imports, reminders, reports) on the application database: nothing else has to run.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# E-mail: reminders (collection.reminders) are always shown in the app, and e-mailed only when an SMTP server is
# configured; with YANGFAN_SMTP_HOST unset nothing is ever sent.
EMAIL_HOST = os.environ.get("YANGFAN_SMTP_HOST", "")
EMAIL_USE_SSL = env_flag("YANGFAN_SMTP_SSL")
EMAIL_USE_TLS = env_flag("YANGFAN_SMTP_STARTTLS") and not EMAIL_USE_SSL
EMAIL_PORT = int(
    os.environ.get("YANGFAN_SMTP_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
)
EMAIL_HOST_USER = os.environ.get("YANGFAN_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("YANGFAN_SMTP_PASSWORD", "")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("YANGFAN_SMTP_FROM") or "yangfan@localhost"

# The site's address as its users reach it: e-mails and webhooks (notifications) carry absolute links under it.
YANGFAN_BASE_URL = os.environ.get("YANGFAN_BASE_URL", "").strip().rstrip("/")

# Evidence files of task supervision (佐证材料): stored under <data dir>/evidence, at most this large each.
YANGFAN_EVIDENCE_MAX_BYTES = int(os.environ.get("YANGFAN_EVIDENCE_MAX_MB") or 20) * 1024 * 1024

# Imports (data values, registries, filled templates) and every uploaded file: at most this large, and a workbook
# at most this large unpacked (documents.limits); a larger upload is refused as it arrives (portal.uploads).
YANGFAN_IMPORT_MAX_BYTES = import_max_bytes()
FILE_UPLOAD_HANDLERS = [
    "yangfan.portal.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Data values are accepted for the periods of the loaded plans and for this many whole years before a plan's start
# (its baseline: the Shaanxi plan's growth rates start from the end of 2020). ``datavalues.limits`` refuses the rest.
YANGFAN_BASELINE_YEARS = int(os.environ.get("YANGFAN_BASELINE_YEARS") or 1)

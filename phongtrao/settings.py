"""The one settings module. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by ``NAME_FILE`` (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or default  # empty means "not set"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("PHONGTRAO_DATA_DIR", str(BASE_DIR / "data")))

# pytest-django loads this module from inside pytest; the tests run with DEBUG off, like production,
# but over plain HTTP and without a secret.
TESTING = "pytest" in sys.modules

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        # A server must never sign sessions and tokens with a key that is public in the source.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off phongtrao refuses to start without a secret key: set "
            "SECRET_KEY (or SECRET_KEY_FILE, a file holding it) to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`; see docs/deploy.md. "
            "For development only, set DEBUG=1 instead.")
    # Development (DEBUG=1) and tests only: a fixed, clearly marked key.
    SECRET_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "phongtrao.core",
    "phongtrao.accounts",
    "phongtrao.units",
    "phongtrao.audit",
    "phongtrao.attachments",
    "phongtrao.imports",
    "phongtrao.recognition",
    "phongtrao.models_registry",
    "phongtrao.awards",
    "phongtrao.datasets",
    "phongtrao.forces",
    "phongtrao.classification",
    "phongtrao.budget",
    "phongtrao.plans",
    "phongtrao.reports",
    "phongtrao.dashboard",
    "phongtrao.api",
    "django_tasks_db",
]

# Background work (Django's tasks framework): large imports and documents (core.jobs). The django-tasks-db
# backend keeps the queue in the database; `phongtrao db_worker` runs the tasks (./run starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte in the path, query or a url-encoded form is a 400 (PostgreSQL text cannot hold one).
    "phongtrao.core.nul_bytes.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "phongtrao.accounts.middleware.ScopeCacheMiddleware",  # scope roots read once per request
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An account created with a one-time password goes to the password change until it has one.
    "phongtrao.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "phongtrao.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "phongtrao.urls"
WSGI_APPLICATION = "phongtrao.wsgi.application"

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
                "django.template.context_processors.i18n",
                "phongtrao.accounts.views.account_nav",
            ],
            "builtins": ["phongtrao.core.templatetags.vn"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'phongtrao.sqlite3'}"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if str(DATABASES["default"]["NAME"]).startswith(str(DATA_DIR)):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Writers queue instead of failing with "database is locked": every transaction takes the write
    # lock when it begins (a deferred one that read first cannot wait for it), and waits up to
    # ``SQLITE_TIMEOUT`` seconds for it. Reads outside transactions are not blocked (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE", "timeout": int(env_str("SQLITE_TIMEOUT", "30"))}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # every password a person chooses
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "phongtrao.accounts.hashers.OneTimePasswordHasher",  # random one-time passwords (bulk accounts) only
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's validator with a Vietnamese message (Django 6.1's Vietnamese catalogue lacks its new text).
    {"NAME": "phongtrao.accounts.forms.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first; English available. Source strings are Vietnamese (see docs/code-style.md).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["phongtrao.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end files vendored from npm (scripts/vendor.mjs) live outside any app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Attached files (dossiers): a folder under the data directory; in production any Django storage
    # backend, named by ATTACHMENTS_STORAGE_BACKEND with its options as JSON in ATTACHMENTS_STORAGE_OPTIONS.
    "attachments": {
        "BACKEND": env_str("ATTACHMENTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("ATTACHMENTS_STORAGE_OPTIONS", "null"))
        or {"location": str(DATA_DIR / "attachments"), "directory_permissions_mode": 0o750,
            "file_permissions_mode": 0o640},
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

SESSION_COOKIE_AGE = int(env_str("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS (docs/deploy.md). Behind a reverse proxy that terminates TLS, the proxy tells Django the original
# scheme in a header: SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto,https" (trust it only if the proxy always
# sets or strips that header). The redirect is on by default outside DEBUG and the tests.
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_header:
    if len(_proxy_header) != 2:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be 'Header-Name,value', e.g. X-Forwarded-Proto,https")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header[0].upper().replace("-", "_"), _proxy_header[1])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
# HSTS is sticky in browsers: off until set (production: 31536000, one year, once HTTPS works everywhere).
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Content-Security-Policy (Django's built-in CSP, ContentSecurityPolicyMiddleware): scripts, styles, fonts and
# images only from this site, no inline <script> or event-handler attributes, no eval, no <style> elements
# (htmx's own indicator styles are off through the htmx-config meta tag and live in core/site.css).
# Inline style *attributes* are allowed (style-src-attr): the templates use them for widths and for the
# progress bars' computed widths; they cannot run code. Nothing may frame the site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-elem": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Logs go to stdout; outside DEBUG as JSON lines (LOG_FORMAT=json|text), granian's server and access log too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "phongtrao.lib.logs.JsonFormatter"},
                   "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                             "formatter": env_str("LOG_FORMAT", "text" if DEBUG else "json")}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
                "granian.access": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Domain settings (DOMAIN.md: uncertain rules are settings, not constants).
PHONGTRAO = {
    "REFORM_DATE": "2025-07-01",
    # ANTT standard: share of a commune's residential areas that must be recognised, in percent,
    # rounded up (the old rule: 70%, so 25 areas need 18).
    "RECOGNITION_COMMUNE_MIN_SHARE": 70,
    # ANTT standard: the day TT 48/2025/TT-BCA (amending TT 124/2021/TT-BCA) took effect. NOT checked
    # against the official gazette: 01/07/2025 is assumed (the day two-level local government began).
    # The amended criteria sets start and the TT 124 sets end here (``phongtrao setup`` re-seeds them).
    "TT48_EFFECTIVE_FROM": "2025-07-01",
    # Models: an operating model not evaluated for this many months is overdue (Hướng dẫn 22/HD-BCA-V05).
    "MODEL_EVALUATION_MONTHS": 12,
    # Attached files (dossiers, phongtrao.attachments): the largest accepted file, in bytes.
    "ATTACHMENT_MAX_BYTES": int(env_str("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024,
    # Imports (docs/interchange.md "Limits"): uploads larger than this many bytes are checked and imported by
    # the task worker, with progress on the page; the limits of one file (lib.tabular.Limits).
    "IMPORT_BACKGROUND_BYTES": 256 * 1024,
    # Documents (core.jobs): the certificates of a decision with at least this many units are made by the task
    # worker, with progress on the page; smaller ones are answered at once.
    "DOCUMENT_BACKGROUND_UNITS": 100,
    "IMPORT_LIMITS": {"rows": 100_000, "columns": 50, "cell_chars": 2_000, "unzipped_bytes": 100 * 1024 * 1024},
    # Evaluation windows (month-day, both ends inclusive; the start is in the previous year).
    "RECOGNITION_WINDOWS": {
        "residential_area": ["11-01", "10-31"],
        "default": ["11-16", "11-15"],
    },
}

# --- Sign-in security (accounts) ---
# Lockout (django-axes): ten wrong passwords for one username lock that username, from any
# address (offices share one address, so never by address alone), for 30 minutes; a successful
# sign-in clears the count; an administrator unlocks from the user pages.
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = 0.5  # hours: 30 minutes
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "phongtrao.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# axes.W006 warns that without the address an attacker may rotate user agents or cookies; counting by
# username alone ignores both, and an address-wide lock would shut out a whole commune office.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "token", "password_confirm", "new_password1",
                             "new_password2", "old_password"]
# Second factor (django-otp TOTP) for administrators and province officers.
OTP_TOTP_ISSUER = "Phong trào BVANTQ"
# Refusals in Vietnamese (the password-length rule is in AUTH_PASSWORD_VALIDATORS above).
CSRF_FAILURE_VIEW = "phongtrao.accounts.views.csrf_failure"

# --- Production and more than one machine (docs/deploy.md) ---
# PostgreSQL: no JIT for the application's queries (it costs more than it gains on short report queries).
# DATABASE_REPLICA_URL: a streaming replica; report and dashboard reads go there (phongtrao.lib.dbrouter).
# App servers keep no state of their own: sessions and task results are in the database, uploads and
# attached files under PHONGTRAO_DATA_DIR (shared storage) or in ATTACHMENTS_STORAGE_BACKEND.
def _postgres_options(database: Any) -> None:  # a dj_database_url.DBConfig
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()


_postgres_options(DATABASES["default"])
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(env_str("DATABASE_REPLICA_URL"),
                                                 conn_max_age=int(env_str("DB_CONN_MAX_AGE", "0")))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _postgres_options(DATABASES["replica"])
    DATABASE_ROUTERS = ["phongtrao.lib.dbrouter.ReplicaRouter"]
# The health endpoint (/health/, phongtrao.core.health) answers a load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# The quota of "excellent" ratings of the grassroots security force: at most this percent of the members rated
# "good" (phongtrao/forces/rules.py has its legal basis, effective date and what is uncertain).
FORCES_EXCELLENT_QUOTA_PERCENT = int(env_str("FORCES_EXCELLENT_QUOTA_PERCENT", "20"))
HEALTH_DISK_MIN_MB = int(env_str("HEALTH_DISK_MIN_MB", "200"))  # free space under PHONGTRAO_DATA_DIR
HEALTH_TASK_MAX_WAIT = int(env_str("HEALTH_TASK_MAX_WAIT", "300"))  # seconds a ready task may wait for a worker

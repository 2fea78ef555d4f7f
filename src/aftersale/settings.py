"""Django settings for Aftersale, read from the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from aftersale import config
from aftersale.core import conf

# Every variable read here is in aftersale.core.conf's table (docs/configuration.md).
PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(conf.env("AFTERSALE_HOME") or Path.cwd()).resolve()
VAR_DIR = BASE_DIR / "var"

DEBUG = conf.env("DEBUG")
SECRET_KEY = config.secret_key(conf.env("SECRET_KEY"), DEBUG)
ALLOWED_HOSTS = conf.env("ALLOWED_HOSTS") or (
    ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = conf.env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Ours first: where a word is shared, our Vietnamese wins over Django's.
    "aftersale.core",
    "aftersale.staff",
    "aftersale.accounts",
    "aftersale.commerce",
    "aftersale.economics",
    "aftersale.promises",
    "aftersale.service",
    "aftersale.engagement",
    "aftersale.reviews",
    "aftersale.alerts",
    "aftersale.health",
    "aftersale.jobs",
    "aftersale.web",
    "aftersale.imports",
    "aftersale.portal",
    "aftersale.api",
    "aftersale.notify",
    "aftersale.demo",
    "aftersale.ops",
    "aftersale.purchasing",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "auditlog",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records who made each change in the audit trail (docs/operations.md).
    "auditlog.middleware.AuditlogMiddleware",
    "aftersale.staff.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aftersale.urls"
WSGI_APPLICATION = "aftersale.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": config.database(conf.env("DATABASE_URL"), VAR_DIR / "aftersale.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portfolio-wide queries of the staff pages cost enough to
    # trigger it, and compiling them takes longer than running them (docs/benchmarks.md,
    # "PostgreSQL JIT"). The scan turns it off for the same reason.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.User"
AUTHENTICATION_BACKENDS = [
    # Refuses a login locked out by the sign-in throttle before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = conf.env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded files (case attachments) live outside the static tree and are only
# ever served through views that check access.
MEDIA_ROOT = Path(conf.env("MEDIA_ROOT") or VAR_DIR / "media")

globals().update(config.email(conf.env("EMAIL_URL")))
DEFAULT_FROM_EMAIL = conf.env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Rendered staff pages (the attention list, the account page) are served again while
# the database is unchanged (docs/web.md, "Page cache"); each process keeps its own.
PAGE_CACHE_SECONDS = conf.env("PAGE_CACHE_SECONDS")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": conf.env("PAGE_CACHE_ENTRIES")},
    },
}

# Behind a TLS-terminating proxy (docs/deploy.md).
if conf.env("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = conf.env("SECURE_SSL_REDIRECT")
if SECURE_SSL_REDIRECT is None:
    SECURE_SSL_REDIRECT = not DEBUG
SESSION_COOKIE_SECURE = conf.env("SECURE_COOKIES")
if SESSION_COOKIE_SECURE is None:
    SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = conf.env("SECURE_HSTS_SECONDS")
if SECURE_HSTS_SECONDS is None:
    SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": conf.env("LOG_LEVEL")},
}

# Product settings: every key of aftersale.core.conf's table, from the environment or its
# default. Code reads them with conf.get(name) when used.
AFTERSALE = conf.environment()

# Sign-in throttle (django-axes, docs/operations.md "Sign-in throttling"): failures are
# rows in the database, shared by every process and server, counted per login and
# client address on every door (staff, admin and portal sign-in, password resets).
# The limit, the lockout and the client's address come from the callables in
# aftersale.ops.throttle, which read AFTERSALE when used.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "aftersale.ops.throttle.failure_limit"
AXES_COOLOFF_TIME = "aftersale.ops.throttle.lockout_time"
AXES_USERNAME_CALLABLE = "aftersale.ops.throttle.attempted_login"
AXES_CLIENT_IP_CALLABLE = "aftersale.ops.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "aftersale.ops.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A locked-out login waits the lockout out from its last counted failure; tries while
# locked out do not lengthen it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address"]

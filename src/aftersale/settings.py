"""Django settings for Aftersale, read from the environment (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from aftersale import config

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(config.os.environ.get("AFTERSALE_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

DEBUG = config.env_bool("DEBUG", False)
SECRET_KEY = config.secret_key(DEBUG)
ALLOWED_HOSTS = config.env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])

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
    # Refuses sign-ins after repeated failures (docs/operations.md).
    "aftersale.ops.throttle.LoginThrottleMiddleware",
    # Records who made each change in the audit trail (docs/operations.md).
    "auditlog.middleware.AuditlogMiddleware",
    "aftersale.staff.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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

DATABASES = {"default": config.database(VAR_DIR / "aftersale.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portfolio-wide queries of the staff pages cost enough to
    # trigger it, and compiling took 1.5 to 2 s longer than running them (bench/pages.py,
    # 100,000 accounts). The scan turns it off for the same reason.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.User"
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
TIME_ZONE = config.time_zone()
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
MEDIA_ROOT = Path(config.os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

globals().update(config.email(DEBUG))
DEFAULT_FROM_EMAIL = config.os.environ.get("DEFAULT_FROM_EMAIL", "aftersale@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Rendered staff pages (the attention list, the account page) are served again while
# the database is unchanged, for at most this many seconds: 0 turns the cache off,
# otherwise a number dividing a minute (docs/web.md, "Page cache"). Each process
# keeps its own, at most PAGE_CACHE_ENTRIES pages (24 KB to 230 KB each on 100,000 accounts).
PAGE_CACHE_SECONDS = config.env_int("PAGE_CACHE_SECONDS", 60)
if PAGE_CACHE_SECONDS not in (0, 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60):
    raise config.ConfigError(
        f"PAGE_CACHE_SECONDS={PAGE_CACHE_SECONDS} must be 0 (no page cache) or divide a minute "
        "(1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)"
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": config.env_int("PAGE_CACHE_ENTRIES", 200)},
    },
}

# Behind a TLS-terminating proxy (docs/deploy.md).
if config.env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = config.env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = config.env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = config.env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
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
    "root": {"handlers": ["console"], "level": config.os.environ.get("LOG_LEVEL", "WARNING")},
}

# Product settings (each documented in docs/configuration.md).
AFTERSALE = {
    "CURRENCY": config.os.environ.get("AFTERSALE_CURRENCY", "VND"),
    # After-sale service (docs/service.md): the business-hours calendar that response
    # and resolution targets run on, in TIME_ZONE. Any key left out keeps its default.
    "SERVICE": {
        "WORKING_DAYS": [0, 1, 2, 3, 4],  # Monday = 0 ... Sunday = 6
        "WORKING_HOURS": ["08:00", "17:00"],
        "LUNCH": ["12:00", "13:00"],  # None: no lunch break
        # Holiday calendar: "" (none) or a country code ("vn"): its public holidays, from the
        # `holidays` package.
        "HOLIDAYS": config.os.environ.get("AFTERSALE_HOLIDAYS", ""),
    },
    # Relationship reviews (docs/reviews.md): days between reviews, per account tier.
    "REVIEW_CADENCE_DAYS": {"strategic": 91, "key": 91, "standard": 182},
    # Where e-mailed links point (the address users open the application at).
    "SITE_URL": config.os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
    # E-mail digests and alerts (docs/notifications.md): the local hour from which the
    # daily digest goes out, and how often the worker looks for e-mails to send.
    "NOTIFY": {
        "DIGEST_HOUR": config.env_int("DIGEST_HOUR", 7),
        "INTERVAL_MINUTES": config.env_int("NOTIFY_INTERVAL_MINUTES", 5),
    },
    # Workers (docs/health.md, "The worker"): a task RUNNING this long is taken for
    # abandoned by a dead worker and queued again; how often a worker looks for them;
    # accounts per range of the periodic scan (the unit workers share).
    "WORKER": {
        "SCAN_PART_SIZE": config.env_int("SCAN_PART_SIZE", 10000),
        "STALE_AFTER_SECONDS": config.env_int("WORKER_STALE_AFTER_SECONDS", 1800),
        "RECOVER_MINUTES": config.env_int("WORKER_RECOVER_MINUTES", 5),
    },
}

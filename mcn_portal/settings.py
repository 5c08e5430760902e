"""Settings for mcn-portal, read from the environment (see CONTRACT §1 in README).

With nothing set: SQLite, Celery tasks run in-process, Dailymotion is the built-in
sandbox. With DATABASE_URL / REDIS_URL: PostgreSQL, Redis, real workers.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded default (git-ignored)

env = environ.Env()
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _local_secret(name: str) -> str:
    """A random secret kept in var/ so the demo survives restarts; never used in production."""
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


DEV_SECRET_PREFIX = "dev-insecure-"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = DEV_SECRET_PREFIX + _local_secret("dev-secret-key")
elif not DEBUG and (SECRET_KEY.startswith(DEV_SECRET_PREFIX) or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is a development key or shorter than 32 characters; "
        "production needs a long random one."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
if urlsplit(PUBLIC_BASE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(f"PUBLIC_BASE_URL must be an http(s) URL, got {PUBLIC_BASE_URL!r}.")

# The sandbox (a local Dailymotion) is on in development and never routable in
# production unless an operator turns it on explicitly.
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mcn_portal",
    "accounts",
    "adoption",
    "ingestion",
    "revenues",
]
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("sandbox")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mcn_portal.urls"
WSGI_APPLICATION = "mcn_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mcn_portal.context_processors.portal",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}


def _sqlite_options(db: dict) -> dict:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # The demo server is threaded: wait for the write lock instead of failing.
        db.setdefault("OPTIONS", {}).update(
            {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
        )
    else:
        db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        db.setdefault("CONN_HEALTH_CHECKS", True)
    return db


_sqlite_options(DATABASES["default"])

# The sandbox is "another service": it keeps its state in a database of its own,
# so a portal transaction that calls it over HTTP never waits on its own lock.
if SANDBOX_ENABLED:
    _default = DATABASES["default"]
    if "SANDBOX_DATABASE_URL" in env:
        DATABASES["sandbox"] = env.db("SANDBOX_DATABASE_URL")
    elif _default["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["sandbox"] = {
            "ENGINE": _default["ENGINE"],
            "NAME": str(VAR_DIR / "sandbox.sqlite3"),
        }
    else:
        DATABASES["sandbox"] = {**_default, "NAME": f"{_default['NAME']}_sandbox", "OPTIONS": {}}
        DATABASES["sandbox"].pop("TEST", None)
    _sqlite_options(DATABASES["sandbox"])
    DATABASE_ROUTERS = ["sandbox.routers.SandboxRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
# A task is acknowledged only once it finished, so a worker killed mid-task
# (kill -9, OOM, deploy) leaves it on the queue for another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}

REVENUE_POLL_INTERVAL = env.int("REVENUE_POLL_INTERVAL", default=3600)
REVENUE_DEFAULT_SHARE_PERCENT = env.str("REVENUE_DEFAULT_SHARE_PERCENT", default="70")
CHILDREN_SYNC_INTERVAL = env.int("CHILDREN_SYNC_INTERVAL", default=24 * 3600)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "mcn_portal.tasks.heartbeat", "schedule": 60.0},
    "poll-revenues": {"task": "revenues.tasks.poll_revenues", "schedule": REVENUE_POLL_INTERVAL},
    "sync-children": {"task": "adoption.tasks.sync_children", "schedule": CHILDREN_SYNC_INTERVAL},
    "recover-uploads": {"task": "ingestion.tasks.recover_uploads", "schedule": 600.0},
}

# --- Dailymotion -----------------------------------------------------------
SANDBOX_BASE_URL = f"{PUBLIC_BASE_URL}/sandbox"
SANDBOX_CLIENT_ID = "sandbox-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
SANDBOX_PARENT_ID = "x0mcn01"
SANDBOX_PARENT_USERNAME = "mcn-network"
SANDBOX_PARENT_PASSWORD = "network-pass"

_use_sandbox = SANDBOX_ENABLED and "DAILYMOTION_API_URL" not in env
DAILYMOTION_API_URL = env.str(
    "DAILYMOTION_API_URL",
    default=f"{SANDBOX_BASE_URL}/api" if _use_sandbox else "https://api.dailymotion.com",
).rstrip("/")
DAILYMOTION_AUTHORIZE_URL = env.str(
    "DAILYMOTION_AUTHORIZE_URL",
    default=f"{SANDBOX_BASE_URL}/oauth/authorize"
    if _use_sandbox
    else "https://www.dailymotion.com/oauth/authorize",
)
DAILYMOTION_TOKEN_URL = env.str(
    "DAILYMOTION_TOKEN_URL",
    default=f"{SANDBOX_BASE_URL}/oauth/token"
    if _use_sandbox
    else "https://api.dailymotion.com/oauth/token",
)
DAILYMOTION_CLIENT_ID = env.str(
    "DAILYMOTION_CLIENT_ID", default=SANDBOX_CLIENT_ID if _use_sandbox else ""
)
DAILYMOTION_CLIENT_SECRET = env.str(
    "DAILYMOTION_CLIENT_SECRET", default=SANDBOX_CLIENT_SECRET if _use_sandbox else ""
)
DAILYMOTION_PARENT_ID = env.str(
    "DAILYMOTION_PARENT_ID", default=SANDBOX_PARENT_ID if _use_sandbox else ""
)
DAILYMOTION_PARENT_USERNAME = env.str(
    "DAILYMOTION_PARENT_USERNAME", default=SANDBOX_PARENT_USERNAME if _use_sandbox else ""
)
DAILYMOTION_PARENT_PASSWORD = env.str(
    "DAILYMOTION_PARENT_PASSWORD", default=SANDBOX_PARENT_PASSWORD if _use_sandbox else ""
)
DAILYMOTION_SCOPES = env.str(
    "DAILYMOTION_SCOPES", default="email userinfo delegate_account_management read_insights"
).split()
DAILYMOTION_TIMEOUT = env.float("DAILYMOTION_TIMEOUT", default=10.0)
DAILYMOTION_MAX_RETRIES = env.int("DAILYMOTION_MAX_RETRIES", default=4)
DAILYMOTION_BACKOFF_BASE = env.float("DAILYMOTION_BACKOFF_BASE", default=0.5)
DAILYMOTION_BACKOFF_MAX = env.float("DAILYMOTION_BACKOFF_MAX", default=30.0)
# Calls per second shared by every worker (Redis-backed when REDIS_URL is set).
DAILYMOTION_RATE_LIMIT = env.float("DAILYMOTION_RATE_LIMIT", default=20.0)

# --- Machine endpoints (crawler, callbacks) --------------------------------
SYNDICATION_TOKENS = env.list("SYNDICATION_TOKEN", default=[])
CALLBACK_TOKENS = env.list("CALLBACK_TOKEN", default=[])
if not SYNDICATION_TOKENS:
    if not DEBUG:
        raise ImproperlyConfigured("SYNDICATION_TOKEN must be set when DJANGO_DEBUG=0.")
    SYNDICATION_TOKENS = [_local_secret("syndication-token")]
if not CALLBACK_TOKENS:
    if not DEBUG:
        raise ImproperlyConfigured("CALLBACK_TOKEN must be set when DJANGO_DEBUG=0.")
    CALLBACK_TOKENS = [_local_secret("callback-token")]
CALLBACK_MAX_BYTES = env.int("CALLBACK_MAX_BYTES", default=5 * 1024 * 1024)
# A catalog file up to this size is imported within the request (its report shows at once);
# a bigger one is imported by a task whose page shows progress; over the maximum it is refused.
CATALOG_IMPORT_INLINE_MAX_BYTES = env.int("CATALOG_IMPORT_INLINE_MAX_BYTES", default=1024 * 1024)
CATALOG_IMPORT_MAX_BYTES = env.int("CATALOG_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)

# --- Encryption of OAuth tokens at rest ------------------------------------
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEY", default=[])
if not TOKEN_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEY must be set when DJANGO_DEBUG=0 (a Fernet key; "
            'make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())").'
        )
    TOKEN_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(("tokens:" + SECRET_KEY).encode()).digest()
        ).decode()
    ]
for _key in TOKEN_ENCRYPTION_KEYS:
    try:
        if len(base64.urlsafe_b64decode(_key.encode())) != 32:
            raise ValueError
    except ValueError as exc:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEY holds a value that is not a Fernet key "
            "(32 url-safe base64 bytes)."
        ) from exc

# --- Auth, sessions, security ---------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff_login"
LOGIN_REDIRECT_URL = "staff_home"
LOGOUT_REDIRECT_URL = "landing"

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Email -----------------------------------------------------------------
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MCN portal <noreply@localhost>")

# --- i18n, static ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Logging: never a token in a log line -----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "mcn_portal.lib.redact.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "urllib3": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
        # runserver's request lines carry the crawler's ?token=…: through the redacting handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

"""Settings for the Messages Playground: one file, read from the environment.

The embedded default (no environment at all) is SQLite in the project folder with WAL,
the in-memory channel layer and the offline simulator as the only provider. DEBUG is
off unless PLAYGROUND_DEBUG=1 (the `make run` command sets it).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from playground.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    local_secrets,
    required_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Exactly one of these spellings; anything else ("Production", "prod") stops start-up rather
# than silently giving development behaviour (auto-login, insecure cookies).
ENVIRONMENTS = ("development", "production")
PLAYGROUND_ENV = env_choice("PLAYGROUND_ENV", ENVIRONMENTS, "development")
PRODUCTION = PLAYGROUND_ENV == "production"
# What the operator asked for, kept for the system checks (checks.py), which refuse
# production with debug or auto-login requested; the effective values stay off regardless.
DEBUG_REQUESTED = env_bool("PLAYGROUND_DEBUG", False)
AUTO_LOGIN_REQUESTED = env_str("PLAYGROUND_AUTO_LOGIN_USER")
DEBUG = DEBUG_REQUESTED and not PRODUCTION

_dev_secrets = {} if PRODUCTION else local_secrets(BASE_DIR / ".local")
SECRET_KEY = required_secret("SECRET_KEY", PRODUCTION, _dev_secrets)
# Encrypts provider API keys at rest. Separate from SECRET_KEY so rotating one
# does not silently make the other's data unreadable.
KEY_ENCRYPTION_KEY = required_secret("KEY_ENCRYPTION_KEY", PRODUCTION, _dev_secrets)

ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Development convenience: pages log in this local user automatically, so the embedded
# default opens straight onto the playground. Only for requests to and from a loopback
# address, never after "Sign out" in that browser, never on the sign-in and invite pages,
# never in production (playground/teams/middleware.py).
AUTO_LOGIN_USER = None if PRODUCTION else env_str("PLAYGROUND_AUTO_LOGIN_USER", "demo")

INSTALLED_APPS = [
    "daphne",
    "playground",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "channels",
    "playground.teams",
    "playground.providers",
    "playground.recording",
    "playground.inspector",
    "playground.composer",
    "playground.proxy",
    "playground.simulator",
    "playground.library",
    "playground.sharing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "playground.teams.middleware.auto_login",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

# Model output and recorded traffic are untrusted: scripts and styles only from the app's own
# files (no inline script; no inline style but the code editor's own, by nonce),
# no remote images (a markdown image must not exfiltrate), connections (fetch and the
# WebSockets, which 'self' covers on the same host and port) only back to the app.
# A response that sets its own policy keeps it (the offline HTML export does).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The per-request nonce is for the code editor (CodeMirror) alone: it writes its
        # theme into a <style> element carrying the nonce base.html hands it.
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "playground.urls"
ASGI_APPLICATION = "playground.asgi.application"

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
                "playground.teams.context_processors.team",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page readers run while the recorder writes; the init command
    # applies it on every new connection.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A thread keeps its connection for a minute instead of opening one per thread hop:
    # the proxy's key and route lookups hop to a thread all the time, and opening a SQLite
    # connection (Django registers its SQL functions on each) costs more CPU than the
    # lookup (CPU per relayed event, bench/bench_proxy.py).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Tests use a file, not Django's shared-cache in-memory database: that one refuses
    # ("database table is locked") instead of waiting when the recorder's writer thread
    # and a reader overlap. One file per process keeps parallel runs apart.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".local" / f"test-{os.getpid()}.sqlite3")}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Connections come from psycopg's pool: with CONN_MAX_AGE 0 every thread hop that
    # touches the ORM (a page, a consumer, the proxy's key and route caches refreshing
    # every second while in use) would otherwise open a new server connection.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 20, "timeout": 10}

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis's layer with idle sockets kept open and Redis restarts
            # survived (playground/channel_layer.py says how).
            "BACKEND": "playground.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
if not PRODUCTION:
    # WhiteNoise scans STATIC_ROOT at start-up and warns when it is missing; in
    # development the files come from the finders, so an empty folder is enough.
    STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production the app serves static files straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# The Messages API accepts bodies up to 32 MB; Django's own caps must not be lower.
DATA_UPLOAD_MAX_MEMORY_SIZE = 33 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
MAX_REQUEST_BYTES = 32 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# X-Forwarded-Proto is believed only when the operator says a trusted reverse proxy sets it
# (and overwrites whatever a client sent): otherwise any client could claim HTTPS.
if env_bool("PLAYGROUND_TRUSTED_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # (/healthz is answered before Django, so a plain-HTTP probe is never redirected.)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# One line per request (playground.access) and a request id on every line (logs.py); JSON
# objects in production, text in development (PLAYGROUND_LOG_FORMAT overrides). Both
# formatters scrub API keys, proxy keys and credential fields from the finished line.
LOG_FORMAT = env_choice("PLAYGROUND_LOG_FORMAT", ("json", "plain"), "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "playground.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "playground.logs.JsonFormatter"},
        "plain": {"()": "playground.logs.PlainFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: noise in the logs and a cost on the relay's hot path.
    # Daphne's and uvicorn's own access lines would repeat playground.access's.
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

"""Settings, read from the environment (one file, like healthchecks).

DATABASE_URL   sqlite:///path (default: var/journal.sqlite3) or postgres://user:pw@host:port/name
DJANGO_DEBUG   "1" for development
SECRET_KEY     if unset, generated once into var/secret_key (mode 600)
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JOURNAL_VAR_DIR", BASE_DIR / "var"))

DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated on first start and kept in var/
    (a self-hosted school should not have to invent one)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "apps.accounts",
    "apps.schools",
    "apps.people",
    "apps.journal",
    "apps.diary",
    "apps.audit",
    "apps.demo",
    "apps.security",
    "axes",  # the sign-in counters (apps/security/lockout.py)
    "apps.rights",
    "apps.compromise",
    "apps.registration",
    "apps.ops",
    "apps.office",
    "apps.schoolyear",
    "apps.curriculum",
    "apps.timetable",
    "apps.plans",
    "apps.grading",
    "apps.movement",
    "apps.events",
    "apps.imports",
]

MIDDLEWARE = [
    "apps.ops.middleware.QueryCountMiddleware",  # only when JOURNAL_BENCH=1 (make bench)
    "django.middleware.security.SecurityMiddleware",
    "apps.security.middleware.SecurityHeadersMiddleware",  # CSP and friends (OPS-3)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.ops.middleware.PrivateCacheMiddleware",  # Cache-Control: private, no-store on personal responses
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.CurrentSchoolMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.security.middleware.SessionGuardMiddleware",  # idle timeout, required second factor (ACC-11)
    "apps.compromise.passwords.PasswordChangeRequiredMiddleware",  # a temporary password is replaced first (ACC-10)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.replica.ReplicaMiddleware",  # read-after-write marker when a replica is configured
    "apps.ops.middleware.BadParameterMiddleware",  # a crafted value in the address: 400 with the reason
]

ROOT_URLCONF = "config.urls"

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
                "apps.accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


def database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path → /abs/path; sqlite:///rel/path → BASE_DIR/rel/path; sqlite:/// → the default file.
        path = unquote(parsed.path)[1:] if parsed.path.startswith("/") else unquote(parsed.path)
        name = str(BASE_DIR / path) if path and not path.startswith("/") else path
        name = name or str(VAR_DIR / "journal.sqlite3")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Tests: a file beside it, not Django's in-memory default, so the live server's requests
            # run on connections of their own, concurrently, as in production (the concurrency tests).
            "TEST": {"NAME": f"{name}.test"},
            # Many short write transactions from the journal grid: wait for the lock
            # instead of failing, and use WAL so readers never block the writer.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "journal",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            # A kept connection the server has dropped (a restart, a failover) is checked and
            # replaced at a request's first query instead of failing it.
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": os.environ.get("DATABASE_TEST_NAME", "test_journal")},
        }
    raise ValueError(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///"))}
# The per-request queries go as server-side prepared statements on PostgreSQL (apps.ops.prepared).
# Behind a pooler in transaction mode that does not keep prepared statements (PgBouncer before
# 1.21), set DB_SERVER_PREPARE=0.
DB_SERVER_PREPARE = os.environ.get("DB_SERVER_PREPARE", "1") != "0"

# Optional streaming replica for the diary's reads (config/replica.py, docs/architecture.md).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(os.environ["DATABASE_REPLICA_URL"])
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_REPLICA_URL must be a postgres:// URL")
    DATABASES["replica"].update(
        CONN_HEALTH_CHECKS=True,
        OPTIONS={"connect_timeout": int(os.environ.get("DATABASE_REPLICA_CONNECT_TIMEOUT", "2"))},
        TEST={"MIRROR": "default"},  # tests: the replica is the test database itself
    )
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
REPLICA_READ_AFTER_WRITE_SECONDS = int(os.environ.get("REPLICA_READ_AFTER_WRITE_SECONDS", "5"))
REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS", "30"))

# The cache: the diary's rendered weeks (apps.diary.cache; the keys carry the data's versions, so
# an entry is never stale, only unused). Files under var/cache by default: nothing to install or
# run, and shared by all the server's worker processes (a week rendered by one is served by all).
# JOURNAL_CACHE_DIR moves it; JOURNAL_CACHE_ENTRIES bounds it (a week is ~20–40 KB).
CACHES = {
    "default": {
        # Django's file cache, looking at its directory to cull at most every 30 s (apps/ops/filecache.py).
        "BACKEND": "apps.ops.filecache.FileCache",
        "LOCATION": os.environ.get("JOURNAL_CACHE_DIR", str(VAR_DIR / "cache")),
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("JOURNAL_CACHE_ENTRIES", "20000")), "CULL_INTERVAL": 30},
    }
}
DIARY_CACHE_SECONDS = int(os.environ.get("JOURNAL_DIARY_CACHE_SECONDS", "600"))
# Sessions are read from the cache and written to both (a lost cache entry is read from the
# database again): one query less on every page. Ending a session goes through the store's
# delete, which removes both (apps.security.services, apps.compromise.services).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django-axes' guard first (refuses a locked or delayed attempt before any password is checked), then
# Django's ModelBackend, reading the session's user with his memberships in one statement (issue 5).
AUTHENTICATION_BACKENDS = ["apps.security.lockout.SignInGuardBackend", "apps.accounts.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2 for every new or changed password; PBKDF2 still verifies (and upgrades) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The grid without JavaScript posts one field per editable cell (30 students × 40 lessons).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# Uploaded files (scans of consents): kept under var/, served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("JOURNAL_MEDIA_ROOT", VAR_DIR / "media"))

# Mail (application results, e-mail confirmation, password reset): printed to the console unless
# an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "journal@localhost")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the grid script reads the token from the form, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Production behind HTTPS (JOURNAL_HTTPS=1): HTTPS only, cookies only over HTTPS, HSTS — so that
# `manage.py check --deploy` is clean. The reverse proxy must set X-Forwarded-Proto.
JOURNAL_HTTPS = os.environ.get("JOURNAL_HTTPS", "0") == "1"
if JOURNAL_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-HTTP health check
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JOURNAL_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("JOURNAL_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("JOURNAL_HSTS_PRELOAD", "1") == "1"
# The client's address for sign-in throttling and history: REMOTE_ADDR, or behind a reverse proxy
# the last address of this header (e.g. X-Forwarded-For, X-Real-IP).
JOURNAL_CLIENT_IP_HEADER = os.environ.get("JOURNAL_CLIENT_IP_HEADER", "")

# Sign-in protection (OPS-3; docs/operations.md «Sign-in protection»): django-axes counters with our
# handler, per (account, address), per address, and a per-account slow-down that never locks.
AXES_HANDLER = "apps.security.lockout.SignInHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURES", "5"))  # per (account, address)
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("SIGNIN_LOCK_MINUTES", "15")))
AXES_USERNAME_CALLABLE = "apps.security.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "apps.security.services.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # the history is security.SignInEvent (ACC-12)
AXES_ENABLE_ADMIN = False  # axes' admin would register on Django's default site, which is not served
AXES_VERBOSE = False
SIGNIN_IP_FAILURES = int(os.environ.get("SIGNIN_IP_FAILURES", "20"))  # per address, all accounts
SIGNIN_ACCOUNT_FAILURES = int(os.environ.get("SIGNIN_ACCOUNT_FAILURES", "10"))  # per account: slow-down
SIGNIN_ACCOUNT_DELAY_SECONDS = int(os.environ.get("SIGNIN_ACCOUNT_DELAY_SECONDS", "30"))
SIGNIN_CODE_FAILURES = int(os.environ.get("SIGNIN_CODE_FAILURES", "5"))  # wrong codes per account: code lock
SIGNIN_KNOWN_ADDRESS_DAYS = int(os.environ.get("SIGNIN_KNOWN_ADDRESS_DAYS", "30"))
SILENCED_SYSTEM_CHECKS = ["axes.W002"]  # no AxesMiddleware: the sign-in page itself shows a refusal

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

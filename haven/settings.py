"""Django settings for Haven.

Everything comes from the environment (see ``haven.env``). With nothing set,
Haven runs in its embedded default: SQLite in ``var/``, console email, a
database task queue. ``HAVEN_ENV=production`` turns on the secure settings and
requires the variables that production cannot guess.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from cryptography.fernet import Fernet
from django.utils.csp import CSP

from haven.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
HAVEN_ENV = env_str("HAVEN_ENV", "development")
if HAVEN_ENV not in {"development", "production", "test"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("HAVEN_ENV must be development, test or production.")
PRODUCTION = HAVEN_ENV == "production"
DATA_DIR = Path(env_str("HAVEN_DATA_DIR", str(BASE_DIR / "var")))


def _development_key(name: str, make: Callable[[], str]) -> str:
    """A per-installation key kept in the data folder (made once), so demo sessions and data survive restarts.

    Outside production only: production reads every key from its environment.
    """
    path = DATA_DIR / name
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = (
    env_str("HAVEN_SECRET_KEY", required=True)
    if PRODUCTION
    else (env_str("HAVEN_SECRET_KEY") or _development_key("secret_key", lambda: secrets.token_urlsafe(50)))
)
DEBUG = env_bool("HAVEN_DEBUG", False)
ALLOWED_HOSTS = env_list("HAVEN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set HAVEN_ALLOWED_HOSTS to the host names Haven answers on.")
CSRF_TRUSTED_ORIGINS = env_list("HAVEN_CSRF_TRUSTED_ORIGINS")
# The public address, used in the links Haven emails. Production cannot guess it, and it must be HTTPS there.
HAVEN_BASE_URL = (
    env_str("HAVEN_BASE_URL", required=True) if PRODUCTION else env_str("HAVEN_BASE_URL", "http://127.0.0.1:8000")
).rstrip("/")
if PRODUCTION and not HAVEN_BASE_URL.startswith("https://"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("HAVEN_BASE_URL must be the public https:// address, e.g. https://portal.example.org.")
# Number of proxies in front of Haven (a load balancer, nginx) whose X-Forwarded-For and
# X-Forwarded-Proto may be trusted; 0, the default, trusts neither: a client reaching Haven directly
# can't claim another address or HTTPS.
HAVEN_TRUSTED_PROXIES = env_int("HAVEN_TRUSTED_PROXIES", 0, minimum=0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "haven.core",
    "haven.accounts",
    "haven.audit",
    "haven.practices",
    "haven.clients",
    "haven.portal_access",
    "haven.documents",
    "haven.signing",
    "haven.messaging",
    "haven.intake",
    "haven.scheduling",
    "haven.portal",
    "haven.staff",
    "haven.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haven.core.replica.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "haven.practices.middleware.StaffSessionMiddleware",  # django-otp's OTPMiddleware, with the staff member
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "haven.core.middleware.RequestContextMiddleware",
    "haven.core.middleware.IdleTimeoutMiddleware",
    "haven.practices.middleware.PracticeTimezoneMiddleware",
    "haven.core.middleware.NoStoreMiddleware",
    "haven.core.middleware.BidiNeutralizingMiddleware",
    "haven.core.middleware.AccessPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haven.urls"
WSGI_APPLICATION = "haven.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haven.practices.context_processors.haven",
            ],
            # {% load i18n %} is Django's library with constant {% translate %} remembered per language. Django
            # warns of two modules under one name (templates.W003); that check is silenced below and kept, for
            # every other name, by haven/core/tests/test_haven_i18n.py.
            "libraries": {"i18n": "haven.core.templatetags.haven_i18n"},
        },
    },
]
FORM_RENDERER = "haven.core.forms.HavenFormRenderer"
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# Database: SQLite (WAL) by default; DATABASE_URL for PostgreSQL. Connections are kept between requests
# (HAVEN_DB_CONN_MAX_AGE seconds): each web server thread keeps its own, as Django's connections are per
# thread, and one found broken is replaced before a request uses it.
DATABASE_URL = env_str("DATABASE_URL")
HAVEN_DB_CONN_MAX_AGE = env_int("HAVEN_DB_CONN_MAX_AGE", 60, minimum=0)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=HAVEN_DB_CONN_MAX_AGE, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "haven.core.sqlite",  # Django's, with queued writers (haven/core/sqlite/base.py)
            "NAME": str(DATA_DIR / "haven.sqlite3"),
            "OPTIONS": {
                # mmap_size: reads come straight from the operating system's page cache (up to 256 MB of the
                # file, shared by every connection), not copied into each connection's small cache: a search
                # that reads a thousand rows costs a third less.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA mmap_size=268435456;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "CONN_MAX_AGE": HAVEN_DB_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            # Tests use a file as well, not Django's in-memory database: the live server answers a
            # browser's parallel requests on several threads, and in memory they would all share one
            # connection and break each other's transactions. A file gives each its own, as in use.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
# A read replica (optional; PostgreSQL streaming standby of DATABASE_URL): staff pages that only read
# may read from it, and a user who wrote reads the primary for HAVEN_REPLICA_PIN_SECONDS after
# (haven/core/replica.py says what never reads it). Unset: every query goes to the primary.
HAVEN_REPLICA_DATABASE_URL = env_str("HAVEN_REPLICA_DATABASE_URL")
HAVEN_REPLICA_PIN_SECONDS = env_int("HAVEN_REPLICA_PIN_SECONDS", 10, minimum=1)
if HAVEN_REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(HAVEN_REPLICA_DATABASE_URL, conn_max_age=env_int("HAVEN_DB_CONN_MAX_AGE", 60)),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["haven.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "haven.accounts.backends.ModelBackend",  # Django's, loading the signed-in user with a prepared query
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# At least 8 characters, common and personal passwords refused, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"

# Sessions: database-backed, an absolute lifetime and an idle timeout.
SESSION_ENGINE = "haven.core.sessions"  # Django's database sessions, read with a prepared query
SESSION_COOKIE_AGE = env_int("HAVEN_SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
HAVEN_STAFF_IDLE_MINUTES = env_int("HAVEN_STAFF_IDLE_MINUTES", 15, minimum=1)
HAVEN_PORTAL_IDLE_MINUTES = env_int("HAVEN_PORTAL_IDLE_MINUTES", 30, minimum=1)
# The idle timeout's "last seen" time is kept to this many seconds, so a page view writes the session
# at most once a minute rather than on every request (a session may end up to this much early, never late).
HAVEN_SESSION_TOUCH_SECONDS = env_int("HAVEN_SESSION_TOUCH_SECONDS", 60, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login lockout: five failures for one account from one address lock that pair
# for a cool-off period, so an attacker elsewhere cannot lock a real user out.
AXES_FAILURE_LIMIT = env_int("HAVEN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HAVEN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "haven.core.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "haven.core.request_context.client_ip"
AXES_LOCKOUT_CALLABLE = "haven.core.lockout.locked_out_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# And per account from any address (haven/accounts/throttle.py): after the free tries, each attempt
# waits a delay that doubles up to a cap; forgotten after a quiet window, cleared by a success.
HAVEN_LOGIN_ACCOUNT_FREE_TRIES = env_int("HAVEN_LOGIN_ACCOUNT_FREE_TRIES", 10, minimum=1)
HAVEN_LOGIN_ACCOUNT_FIRST_DELAY_SECONDS = env_int("HAVEN_LOGIN_ACCOUNT_FIRST_DELAY_SECONDS", 5, minimum=1)
HAVEN_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("HAVEN_LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 300, minimum=1)
HAVEN_LOGIN_ACCOUNT_WINDOW_MINUTES = env_int("HAVEN_LOGIN_ACCOUNT_WINDOW_MINUTES", 60, minimum=1)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Links written in messages without a scheme ("www.example.org") are made https:// links (Django 7 default).
URLIZE_ASSUME_HTTPS = True

STATIC_URL = "/static/"
# Only production serves collected files; elsewhere WhiteNoise reads them from their folders.
STATIC_ROOT = Path(env_str("HAVEN_STATIC_ROOT", str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
# Files (documents, signature images, notes waiting for their render), always encrypted by Haven before they are
# stored (haven.core.encryption): in the data folder by default, or in an S3-compatible bucket when
# HAVEN_S3_BUCKET names one. Haven never hands out the bucket's addresses: every file is served through its views.
HAVEN_S3_BUCKET = env_str("HAVEN_S3_BUCKET")
if HAVEN_S3_BUCKET:
    _file_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": HAVEN_S3_BUCKET,
            "location": env_str("HAVEN_S3_PREFIX").strip("/"),  # a folder inside the bucket, if it is shared
            "endpoint_url": env_str("HAVEN_S3_ENDPOINT_URL") or None,  # any S3-compatible service; AWS when unset
            "region_name": env_str("HAVEN_S3_REGION") or None,
            # Without keys, boto3 finds its own (AWS_* variables, an instance role).
            "access_key": env_str("HAVEN_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("HAVEN_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("HAVEN_S3_ADDRESSING_STYLE") or None,  # "path" for some S3-compatible services
            "default_acl": None,  # objects stay private, as the bucket's policy says
            "querystring_auth": True,  # never an unsigned public address
            "file_overwrite": True,  # names are generated; key rotation rewrites a file under its own name
        },
    }
else:
    _file_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    }
STORAGES = {
    "default": _file_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# The cache: what must be shared between web processes and machines (the rendered portal handout, and
# anything else kept with django.core.cache) lives in Redis when HAVEN_REDIS_URL names one
# (redis://[:password@]host:6379/0, rediss:// for TLS). Without it each process keeps its own, in memory:
# nothing Haven relies on for correctness is in the cache (sessions, messages, sign-in throttles and
# lockouts are in the database or signed cookies), so several processes on one machine work without Redis.
HAVEN_REDIS_URL = env_str("HAVEN_REDIS_URL")
if HAVEN_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": HAVEN_REDIS_URL,
            "KEY_PREFIX": env_str("HAVEN_REDIS_KEY_PREFIX", "haven"),
            # A Redis that is down or slow must not hang a page for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "haven"}}

# Background work: the database queue, drained by `manage.py run_worker` (django-tasks-db's worker with a lease).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Many workers (`manage.py run_worker`, haven/core/workers.py): how often each looks for tasks whose worker
# died, how many times a task may be started before it is failed, and (SQLite, which has no advisory
# locks) after how long a RUNNING task is taken as abandoned.
HAVEN_TASK_RECLAIM_SECONDS = env_int("HAVEN_TASK_RECLAIM_SECONDS", 30, minimum=1)
HAVEN_TASK_MAX_ATTEMPTS = env_int("HAVEN_TASK_MAX_ATTEMPTS", 3, minimum=1)
HAVEN_TASK_STALE_MINUTES = env_int("HAVEN_TASK_STALE_MINUTES", 60, minimum=1)

# Email: console in development; SMTP in production.
DEFAULT_FROM_EMAIL = env_str("HAVEN_FROM_EMAIL", "Haven <no-reply@haven.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("HAVEN_SMTP_HOST", required=True),
                "port": env_int("HAVEN_SMTP_PORT", 587),
                "username": env_str("HAVEN_SMTP_USER"),
                "password": env_str("HAVEN_SMTP_PASSWORD"),
                "use_tls": env_bool("HAVEN_SMTP_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# The demo outbox: a staff page listing the emails Haven sent for the practice, so the demo's links
# can be followed. Off unless asked for (`make demo` asks), and never in production, whatever the
# environment says: it shows invitation and reset links.
HAVEN_DEMO_OUTBOX = env_bool("HAVEN_DEMO_OUTBOX", False) and not PRODUCTION
if HAVEN_DEMO_OUTBOX:
    MAILERS = {"default": {"BACKEND": "haven.core.mail_backends.DemoOutboxBackend"}}

# Text messages (appointment reminders): which class sends them (haven.core.sms). Printed in development,
# kept in memory in tests (haven.core.sms.outbox), on the Demo outbox page in the demo; a provider is a class.
HAVEN_SMS_BACKEND = env_str(
    "HAVEN_SMS_BACKEND",
    "haven.core.sms.LocmemBackend" if HAVEN_ENV == "test" else "haven.core.sms.ConsoleBackend",
)
if HAVEN_DEMO_OUTBOX:
    HAVEN_SMS_BACKEND = "haven.core.sms.DemoOutboxBackend"

# Content-Security-Policy: no inline script, nothing framed, no plugins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("HAVEN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HAVEN_TRUSTED_PROXIES else None
    SECURE_HSTS_SECONDS = env_int("HAVEN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HAVEN_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"


# Keys that encrypt data at rest (Fernet keys, comma-separated): document files, signature images, notes
# waiting to be rendered, the practices' seal keys and portal two-step keys (haven.core.encrypted lists them).
# The first encrypts, all decrypt. Rotate by putting a new key first and running `manage.py rotate_file_keys`;
# once `manage.py rotate_file_keys --check` succeeds, the old key can be removed.
HAVEN_FILE_KEYS = env_list("HAVEN_FILE_KEYS") or (
    [] if PRODUCTION else [_development_key("file_key", lambda: Fernet.generate_key().decode("ascii"))]
)
if PRODUCTION and not HAVEN_FILE_KEYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set HAVEN_FILE_KEYS (or HAVEN_FILE_KEYS_FILE) to at least one Fernet key.")
for _file_key in HAVEN_FILE_KEYS:
    try:
        Fernet(_file_key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        from django.core.exceptions import ImproperlyConfigured

        # The key itself is never repeated in the message: it would land in logs.
        raise ImproperlyConfigured(
            "Each key in HAVEN_FILE_KEYS must be a Fernet key (32 bytes, URL-safe base64): "
            "make one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        ) from None


# Keys of the audit trail's keyed hashes (HMAC-SHA256), comma-separated, each at least 32
# characters: the first signs new events, all verify, so putting a new key first rotates it.
HAVEN_AUDIT_KEYS = env_list("HAVEN_AUDIT_KEYS") or (
    [] if PRODUCTION else [_development_key("audit_key", lambda: secrets.token_urlsafe(32))]
)
if PRODUCTION and not HAVEN_AUDIT_KEYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set HAVEN_AUDIT_KEYS (or HAVEN_AUDIT_KEYS_FILE) to at least one key.")
if any(len(key) < 32 for key in HAVEN_AUDIT_KEYS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Each key in HAVEN_AUDIT_KEYS must be at least 32 characters long.")
# Where checkpoints of each audit chain's head are written (outside the database; keep a copy elsewhere).
HAVEN_AUDIT_CHECKPOINT_DIR = Path(env_str("HAVEN_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit-checkpoints")))

# An issued certificate for the practice seal on signed PDFs (PEM files); without them Haven
# creates a self-managed certificate per practice, its key encrypted with HAVEN_FILE_KEYS.
HAVEN_SEAL_CERT_FILE = env_str("HAVEN_SEAL_CERT_FILE")
HAVEN_SEAL_KEY_FILE = env_str("HAVEN_SEAL_KEY_FILE")
HAVEN_MAX_UPLOAD_BYTES = env_int("HAVEN_MAX_UPLOAD_BYTES", 20_000_000, minimum=100_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = HAVEN_MAX_UPLOAD_BYTES + 1_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = HAVEN_MAX_UPLOAD_BYTES + 1_000_000
# Secure messages: how many files a message may carry and how large each may be, and how many messages a
# portal login (or a staff member) may send in an hour before Haven asks them to wait.
HAVEN_MESSAGE_MAX_ATTACHMENTS = env_int("HAVEN_MESSAGE_MAX_ATTACHMENTS", 5, minimum=1)
HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES = min(
    env_int("HAVEN_MESSAGE_ATTACHMENT_MAX_BYTES", 10_000_000, minimum=100_000), HAVEN_MAX_UPLOAD_BYTES
)
HAVEN_PORTAL_MESSAGES_PER_HOUR = env_int("HAVEN_PORTAL_MESSAGES_PER_HOUR", 20, minimum=1)
HAVEN_STAFF_MESSAGES_PER_HOUR = env_int("HAVEN_STAFF_MESSAGES_PER_HOUR", 200, minimum=1)

# Largest practice logo accepted, in bytes.
HAVEN_MAX_LOGO_BYTES = env_int("HAVEN_MAX_LOGO_BYTES", 1_000_000, minimum=10_000)

# Logs never carry health information: request bodies and query strings are not logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HAVEN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

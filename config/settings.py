"""Settings for every environment, read from the process environment (12-factor).

Production-safe defaults: DEBUG off, HTTPS-only cookies, HSTS. The development runner (`python3 dev.py up`) and
the test runner (`python3 dev.py test`) set the few variables that differ on a developer's machine.
"""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

from core.crypto import (
    DEVELOPMENT_BLIND_INDEX_KEY,
    DEVELOPMENT_FIELD_ENCRYPTION_KEY,
    parse_blind_index_key,
    parse_key_ring,
)

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105

# Encryption at rest of ID numbers (core/crypto.py): keys apart from SECRET_KEY. Development and the tests use the
# published development keys; production refuses to start without real ones.
TESTING = "pytest" in sys.modules
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")
if not FIELD_ENCRYPTION_KEY or not BLIND_INDEX_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY (or their _FILE variants) must be set when DEBUG is off."
        )
    FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or DEVELOPMENT_FIELD_ENCRYPTION_KEY
    BLIND_INDEX_KEY = BLIND_INDEX_KEY or DEVELOPMENT_BLIND_INDEX_KEY
# A malformed key stops start-up (ImproperlyConfigured), not the first save.
parse_key_ring(FIELD_ENCRYPTION_KEY)
parse_blind_index_key(BLIND_INDEX_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.security.admin_site.SecureAdminConfig",  # django.contrib.admin behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "import_export",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "core.security",
    "graduates",
    "handover",
    "services",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.headers.RequestSizeLimitMiddleware",  # before anything reads the body
    "core.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.security.middleware.SessionLimitsMiddleware",
    "core.security.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.audit.AuditRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
# Persistent connections with health checks: about 6x the requests/s of reconnecting per request on this machine.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice"),
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...).")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker ----------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"}
    }

# Without a broker URL and without Redis the system still runs: kombu's filesystem transport keeps the queue in
# folders under VAR_DIR (one host only; the embedded default of `dev.py up`, never for production).
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or REDIS_URL or f"file://{VAR_DIR / 'celery-results'}"
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through Django's LOGGING (and its filter that keeps personal data out of exception logs).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Queues by kind of work, so a big roster import never delays a reminder: every worker of `dev.py up` and
# docker-compose consumes all four (-Q default,imports,reports,mail); a larger installation runs one per queue.
# CELERY_QUEUE_PREFIX puts every queue name under a prefix (installations or test runs sharing one Redis).
CELERY_QUEUE_PREFIX = env("CELERY_QUEUE_PREFIX", "") or ""
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
CELERY_TASK_ROUTES = {
    task: {"queue": f"{CELERY_QUEUE_PREFIX}{queue}"}
    for task, queue in {
        "graduates.check_roster": "imports",
        "graduates.commit_roster": "imports",
        "reporting.mail.monthly_tables": "reports",
        "reporting.generate_monthly": "reports",
        "reporting.weekly_progress_snapshots": "reports",
        "reporting.mail.*": "mail",
    }.items()
}

# --- Auth -------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "core.security.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # MLPS 2.0 level 3: three of upper-case, lower-case, digits, symbols (core/security/passwords.py)
    {"NAME": "core.security.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
# Argon2 first: new and changed passwords, and every older hash at its owner's next login (Django re-hashes).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Lockout (django-axes): 5 failures within 30 minutes lock the username (never the IP: offices share one NAT
# address) until 30 minutes have passed or an admin unlocks it (core/security/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that a username key can be dodged by rotating user agents; it cannot: the key is the username alone.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.security.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # unlocking is the users' admin action, audited
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_PROXY", False) else None
# Sessions: idle timeout (sliding) and absolute lifetime, enforced by core/security/middleware.py; the database
# row outlives the idle timeout a little so the middleware can say why the session ended.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
if not (0 < SESSION_IDLE_TIMEOUT <= 30 * 60 and 0 < SESSION_ABSOLUTE_LIFETIME <= 12 * 3600):
    raise ImproperlyConfigured(
        "SESSION_IDLE_MINUTES must be 1-30 and SESSION_ABSOLUTE_HOURS 1-12 (MLPS 2.0)."
    )
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT + 10 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Second factor (django-otp): provincial admins and the admin site (core/security/otp.py).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "高校毕业生就业服务系统")

# --- Language and time -----------------------------------------------------------------------------------------
# Source strings are written in Chinese directly: the product ships one language (see README, "Language").
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: front-end packages come from npm at install time, served by the app itself ------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
NODE_MODULES = Path(env("NODE_MODULES", str(BASE_DIR / "node_modules")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env("STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"),
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Security ----------------------------------------------------------------------------------------------------
# HTTPS=off only for plain-http development on localhost; everything else stays strict.
HTTPS = env_bool("HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- E-mail ------------------------------------------------------------------------------------------------------
_email = dj_email_url.parse(env("EMAIL_URL", "console://"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
if _email.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails (the monthly table's download page, reminders) are absolute, from this address.
SITE_URL = env("SITE_URL", "http://localhost:8000")
# A monthly table of more rows than this is built by a worker, the page showing its progress.
REPORT_ASYNC_ROWS = env_int("REPORT_ASYNC_ROWS", 20_000)
# A monthly table larger than this goes out as a link to its download page instead of an attachment.
REPORT_MAIL_MAX_ATTACHMENT_BYTES = env_int("REPORT_MAIL_MAX_ATTACHMENT_BYTES", 8 * 1024 * 1024)
# Reminder: graduates still 待联系 this many days after their dispatch.
REMINDER_UNCONTACTED_DAYS = env_int("REMINDER_UNCONTACTED_DAYS", 7)
# Tests only: seconds the scheduled export holds its transaction open, so a test can kill the worker mid-export.
REPORT_MAIL_SLOW_EXPORT_SECONDS = env_int("REPORT_MAIL_SLOW_EXPORT_SECONDS", 0)

# --- Audit and backup (core/audit.py, core/retention.py, core/purpose.py, core/backup.py) ----------------------
# Audit rows older than this are deleted by the daily retention job; the law asks for six months at least.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 183)
if AUDIT_RETENTION_DAYS < 183:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least 183 (six months of logs, 网络安全法 第二十一条), not {AUDIT_RETENTION_DAYS}"
    )
# The role the web, worker and beat processes connect as in production (core/db_roles.py): it may not UPDATE,
# DELETE or TRUNCATE the audit log; `migrate` runs as the tables' owner. `check --deploy --database default` warns
# when the application connects as the owner or a superuser.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", "gradservice_app")
# Downloads of personal data of more rows than this ask for the purpose first (GB/T 35273-2020 §7).
EXPORT_PURPOSE_THRESHOLD = env_int("EXPORT_PURPOSE_THRESHOLD", 100)
# Where `manage.py backup` writes; PG_BIN_DIR: the pg_dump/pg_restore to use (default: PATH, else pgserver's).
BACKUP_DIR = Path(env("BACKUP_DIR", str(VAR_DIR / "backups")))
PG_BIN_DIR = env("PG_BIN_DIR", "")

# --- API ---------------------------------------------------------------------------------------------------------
# `/api/v1/` (config/api_urls.py; the shared parts in core/api/). Token first: a call without credentials is a 401.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttles.UserRateThrottle", "core.api.throttles.IPRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", "600/min"),
        "ip": env("API_THROTTLE_IP", "1200/min"),
    },
    # The client address for the per-IP limit: REMOTE_ADDR, or the proxy's X-Forwarded-For entry behind one.
    "NUM_PROXIES": 1 if env_bool("BEHIND_PROXY", False) else 0,
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [],
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Self-registration (/register/, POST /api/v1/self-registrations/; graduates/selfreg/): limits per client address and
# per ID number, counted in the cache, and the shortest time a person takes to fill the form (no captcha).
SELF_REGISTRATION_RATES = {
    "ip": env("SELF_REGISTRATION_RATE_IP", "30/hour"),
    "id_number": env("SELF_REGISTRATION_RATE_ID", "5/day"),
}
SELF_REGISTRATION_MIN_FILL_SECONDS = env_int("SELF_REGISTRATION_MIN_FILL_SECONDS", 5)
SPECTACULAR_SETTINGS = {
    "TITLE": "高校毕业生就业服务系统 API",
    "DESCRIPTION": "离校未就业高校毕业生实名登记、回访、服务与计划。认证：Authorization: Token <key>（python manage.py "
    "drf_create_token 用户名）或浏览器会话（修改类请求需 CSRF 令牌）。",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",  # Swagger UI's files from the drf-spectacular-sidecar package: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.empty_query_values",
    ],
    # Code lists shared by several resources keep one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "GraduateStateEnum": "graduates.codes.State",
        "EducationLevelEnum": "graduates.codes.EducationLevel",
        "PlanStateEnum": "services.codes.PlanState",
        "HandoverBatchSourceEnum": "handover.models.BatchSource",
        "HandoverBatchStatusEnum": "handover.api.BatchStatus",
        "TransferStatusEnum": "handover.api.TransferStatus",
        "RosterSourceEnum": "graduates.codes.RosterSource",
        "RosterUploadStatusEnum": "graduates.roster.api.UploadStatus",
        "PostingSourceEnum": "services.codes.PostingSource",
        "PostingEducationEnum": "services.postings_api.POSTING_EDUCATION",
    },
}

# --- Logging: no personal data ever goes into a log line; messages carry ids, never names or ID numbers --------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "core.logging.RedactExceptionMessages"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's request logger has handlers of its own (mail_admins when DEBUG is off): route it here only.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- Product settings --------------------------------------------------------------------------------------------
# The province this installation serves (GB/T 2260 two-digit code); the demo is Qinghai.
PROVINCE_CODE = env("PROVINCE_CODE", "63")

# Exports never carry a cell that a spreadsheet would run as a formula (=, +, -, @).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
ROSTER_MAX_UPLOAD_MB = env_int("ROSTER_MAX_UPLOAD_MB", 20)
# Files up to this size are checked in the request; larger ones by a Celery worker, with a progress bar.
ROSTER_SYNC_MAX_BYTES = env_int("ROSTER_SYNC_MAX_BYTES", 512 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = (ROSTER_MAX_UPLOAD_MB + 1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- Headers (core/headers.py) -----------------------------------------------------------------------------------
# No request body larger than this is read (413): the largest upload plus the form around it.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", (ROSTER_MAX_UPLOAD_MB + 1) * 1024 * 1024)
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only, no inline script or
# style (the templates have none; static/js/app.js does what onclick= and style= did), no framing, forms posting
# only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    }
}

"""Settings shared by every environment; every value comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Where the SQLite file, uploads and generated files live.
DATA_DIR = Path(env("BANGFU_DATA_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env("DJANGO_SECRET_KEY", "")
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Behind a reverse proxy, take the client address from X-Forwarded-For (for the audit trail).
BANGFU_TRUST_X_FORWARDED_FOR = env_bool("BANGFU_TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "axes",
    "captcha",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "bangfu.core",
    "bangfu.workbench",
    "bangfu.accounts",
    "bangfu.network",
    "bangfu.notices",
    "bangfu.kits.workflow",
    "bangfu.kits.imports",
    "bangfu.kits.exports",
    "bangfu.archives",
    "bangfu.petitions",
    "bangfu.assistance",
    "bangfu.funds",
    "bangfu.demo",
]

MIDDLEWARE = [
    # Outermost: every /api/ answer is JSON, whatever the layers below answered.
    "bangfu.core.api.ApiJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bangfu.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that it sees who asked; outermost of the rest on the way out.
    "bangfu.core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangfu.core.middleware.RequestContextMiddleware",
    "bangfu.accounts.middleware.PasswordChangeRequiredMiddleware",
    "bangfu.accounts.middleware.DeclaredPermissionMiddleware",
    # Turns NotFound / PermissionDenied / Conflict raised by a page view into 404 / 403 / 409.
    "bangfu.core.errorviews.DomainErrorMiddleware",
    # Axes goes last so that it sees the final response of a failed log-in.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bangfu.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'bangfu.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
    # instead of failing half-way; the audit chain relies on writers being serialised.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite keeps the key columns and
    # needs no warning about it on every start.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "bangfu.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("BANGFU_PASSWORD_MIN_LENGTH", 10)},
    },
    {
        "NAME": "bangfu.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("BANGFU_PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:worklist"
LOGOUT_REDIRECT_URL = "accounts:login"

# Log-in security (django-axes): lock an account out after repeated failures from one client
# address — the account and the address together, so that nobody elsewhere can lock out an
# account (the only security administrator included); after a few failures of the account from
# anywhere, or from the address, the log-in asks for a local image CAPTCHA too.
AXES_FAILURE_LIMIT = env_int("BANGFU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BANGFU_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "bangfu.core.middleware.request_client_address"
BANGFU_LOGIN_CAPTCHA_AFTER = env_int("BANGFU_LOGIN_CAPTCHA_AFTER", 3)
# A password reset gives a one-time code (never a password) valid this many minutes, once.
BANGFU_PASSWORD_CODE_MINUTES = env_int("BANGFU_PASSWORD_CODE_MINUTES", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bangfu.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

# Content-Security-Policy: scripts only from our own static files (no inline script, no inline
# handler: behaviour hangs on data attributes in static/js/bangfu.js), nothing from any other
# host (the system runs on an intranet); inline styles stay allowed (style attributes in the
# templates and the PDF layouts). Violations are reported to accounts:csp_report and listed
# for the security administrator.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/accounts/csp-report/"],
    }
}

# The one CAPTCHA setup (drawn locally with django-simple-captcha's drawing and font, keys kept
# by nobody until answered; see bangfu/core/captcha.py and bangfu/accounts/captcha.py): the
# log-in page after repeated failures, and public forms. Letters: bangfu.core.captcha.ALPHABET.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5  # minutes
CAPTCHA_FONT_SIZE = 30
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_2X_IMAGE = False
CAPTCHA_LETTER_ROTATION = (-25, 25)

# Sessions end after this many idle minutes: every request moves the expiry forward.
# Kept in the database, read and written with one statement each (bangfu/accounts/sessions.py).
SESSION_ENGINE = "bangfu.accounts.sessions"
SESSION_COOKIE_AGE = 60 * env_int("BANGFU_SESSION_IDLE_MINUTES", 30)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Pages warn this many seconds before the idle timeout, with a "继续" button (static/js/session.js).
BANGFU_SESSION_WARNING_SECONDS = env_int("BANGFU_SESSION_WARNING_SECONDS", 120)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "bangfu.core.staticfinders.BangfuAppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("BANGFU_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Archive attachments (PDF/JPG/PNG, checked by content) may be at most this many megabytes.
BANGFU_ATTACHMENT_MAX_MB = env_int("BANGFU_ATTACHMENT_MAX_MB", 10)
# Archives Excel import and roster export: the largest file accepted, and the sizes above which
# checking an import or writing an export runs as a background job instead of in the request.
BANGFU_IMPORT_MAX_MB = env_int("BANGFU_IMPORT_MAX_MB", 20)
BANGFU_IMPORT_INLINE_ROWS = env_int("BANGFU_IMPORT_INLINE_ROWS", 200)
# An uploaded file left waiting (column mapping, confirmation, retry) this many days is
# cancelled and its file deleted by `manage.py imports_expire`.
BANGFU_IMPORT_KEEP_DAYS = env_int("BANGFU_IMPORT_KEEP_DAYS", 7)
BANGFU_EXPORT_INLINE_HOUSEHOLDS = env_int("BANGFU_EXPORT_INLINE_HOUSEHOLDS", 500)
# Exports (the export kit): a file is kept (encrypted) this many hours, then emptied by
# `manage.py exports_expire`; a PDF export (for printing) may have at most this many rows.
BANGFU_EXPORT_KEEP_HOURS = env_int("BANGFU_EXPORT_KEEP_HOURS", 24)
BANGFU_EXPORT_PDF_MAX_ROWS = env_int("BANGFU_EXPORT_PDF_MAX_ROWS", 2000)
# A running background job whose worker has not reported for this many seconds is taken for
# dead (the worker was killed or the machine restarted): it is marked failed and its input
# emptied. The worker reports (heartbeat) every fifth of it.
BANGFU_JOB_TIMEOUT_SECONDS = env_int("BANGFU_JOB_TIMEOUT_SECONDS", 600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call then gets 401 with a WWW-Authenticate header.
        "bangfu.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bangfu.accounts.api_permissions.DeclaredPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "bangfu.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bodies are JSON (nested lists such as an archive's members have no form encoding), so
    # that `core.api.validate_input` sees every key a caller sent and refuses undeclared ones.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bangfu API",
    "DESCRIPTION": _(
        "帮扶 — 职工服务(帮扶)中心管理系统接口。\n\n"
        "认证:网页登录后的会话可直接调用(写操作须带 CSRF 令牌);程序调用请先 POST "
        "`/api/token/` 提交登录名和密码换取令牌,再在每个请求头中发送 "
        "`Authorization: Token <令牌>`。令牌与本人网页登录同权同范围;须先修改初始密码的账号"
        "答复 403。\n\n"
        "范围:每个接口只返回您角色范围内的数据,范围外的对象答复 404,与不存在相同。\n\n"
        '错误:答复体为 `{"detail": "中文说明"}`;输入有误(400)时另有 `errors`,'
        "按字段给出原因。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bangfu.core.api.postprocess_schema",
    ],
    # The docs page must not call swagger.io's online validator (the system runs offline).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    # Without this the schema and docs views allow anyone; they declare their URLs like the rest.
    "SERVE_PERMISSIONS": ["bangfu.accounts.api_permissions.DeclaredPermission"],
    # Petitions' choice sets by name, apart from other contexts' fields of the same names.
    "ENUM_NAME_OVERRIDES": {
        f"Petition{name}Enum": f"bangfu.petitions.models.{path}"
        for name, path in [
            ("Channel", "Petition.Channel"),
            ("Nature", "Petition.Nature"),
            ("Category", "Petition.Category"),
            ("Status", "Petition.Status"),
            ("Outcome", "Petition.Outcome"),
            ("Rating", "Petition.Rating"),
            ("AckMethod", "Petition.AckMethod"),
            ("DeadlineStage", "Deadline.Stage"),
            ("Counting", "Deadline.Counting"),
            ("RouteKind", "Route.Kind"),
            ("RouteState", "Route.State"),
            ("ReplyStage", "Reply.Stage"),
            ("StaffChannel", "STAFF_CHANNELS"),
        ]
    }
    # …and the names the same field names had before petitions came, kept for API clients.
    | {
        "StatusEnum": "bangfu.archives.models.Household.Status",
        "CategoryEnum": "bangfu.archives.models.choices.Category",
        "OutcomeEnum": "bangfu.archives.models.dynamic.AnnualReview.Outcome",
        "KindEnum": "bangfu.network.models.OrgUnit.Kind",
        # The filing procedure's sign-off (批准建档 / 退回修改 / 不予建档).
        "ProcedureOutcomeEnum": "bangfu.archives.services.procedure.OUTCOME_CHOICES",
    }
    # Assistance's choice sets by name.
    | {
        "AssistanceKindEnum": "bangfu.assistance.models.Kind",
        "AssistanceStatusEnum": "bangfu.assistance.models.Application.Status",
        "AssistanceSchoolLevelEnum": "bangfu.assistance.models.SchoolLevel",
        "AssistanceSchoolKindEnum": "bangfu.assistance.models.SchoolKind",
        "AssistanceFollowUpOutcomeEnum": "bangfu.assistance.models.FollowUp.Outcome",
    }
    # The special fund's choice sets by name.
    | {
        "FundsIncomeKindEnum": "bangfu.funds.models.Income.Kind",
        "FundsIncomeChannelEnum": "bangfu.funds.models.Income.Channel",
        "FundsCheckMethodEnum": "bangfu.funds.models.SampleCheck.Method",
        "FundsCheckOutcomeEnum": "bangfu.funds.models.SampleCheck.Outcome",
    },
}

# API tokens (django-rest-knox, stored as SHA-512 digests): a token unused for the idle time
# expires; each use moves its expiry on, but never past its lifetime.
BANGFU_API_TOKEN_IDLE_MINUTES = env_int("BANGFU_API_TOKEN_IDLE_MINUTES", 8 * 60)
BANGFU_API_TOKEN_LIFETIME_DAYS = env_int("BANGFU_API_TOKEN_LIFETIME_DAYS", 30)
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name
# Knox's own AuthToken is swapped for accounts.ApiToken; its migrations would still create an
# unused table (with a key to the users that blocks TRUNCATE on PostgreSQL). No migrations, no
# table: a swapped model is never synchronised.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(minutes=BANGFU_API_TOKEN_IDLE_MINUTES),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=BANGFU_API_TOKEN_LIFETIME_DAYS),
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": None,
}

# Background jobs: django-tasks with its database backend needs no extra service;
# run `python manage.py db_worker` beside the web server (any number of them in production).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Keys for personal data. BANGFU_FIELD_KEYS: comma-separated urlsafe-base64 32-byte keys,
# newest first (older ones still decrypt); BANGFU_BLIND_INDEX_KEY: the HMAC key for look-ups.
BANGFU_FIELD_KEYS = env_list("BANGFU_FIELD_KEYS")
BANGFU_BLIND_INDEX_KEY = env("BANGFU_BLIND_INDEX_KEY", "")
# The audit chain is an HMAC under this key, kept outside the database, so that someone who can
# write to the database cannot recompute the chain after altering an event.
BANGFU_AUDIT_KEY = env("BANGFU_AUDIT_KEY", "")
# Audited writes spread over this many hash chains on PostgreSQL (one lock each), so that writers
# do not queue behind one another (bench/audit_writers.py); SQLite always keeps one. Give every
# web process and worker the same value (1 numbers events densely, more take numbers from a
# sequence; mixing them at the same moment can make two writers pick the same number).
BANGFU_AUDIT_CHAINS = env_int("BANGFU_AUDIT_CHAINS", 8)
# Signed checkpoints of the audit trail's and the access log's heads are appended to this file,
# outside the data directory and out of the database role's reach (README, production); empty:
# none are written, and deleting the newest events cannot be detected.
BANGFU_AUDIT_CHECKPOINT_FILE = env("BANGFU_AUDIT_CHECKPOINT_FILE", "")
# Refuse to start when a configured key is not the one this installation recorded (core.checks).
BANGFU_CHECK_KEYS = True

# Dynamic management of archives [ACFTU / Hunan practice]: a review a year, a spot-check share,
# six months above 低保 suggest 脱困, closed archives kept ten years before a retention review.
BANGFU_REVIEW_INTERVAL_MONTHS = env_int("BANGFU_REVIEW_INTERVAL_MONTHS", 12)
BANGFU_SPOT_CHECK_PERCENT = env_int("BANGFU_SPOT_CHECK_PERCENT", 30)
BANGFU_RECOVERY_MONTHS = env_int("BANGFU_RECOVERY_MONTHS", 6)
BANGFU_RETENTION_YEARS = env_int("BANGFU_RETENTION_YEARS", 10)

# Filing procedure [practice]: the home visit is due within 5 working days of the application;
# approval at the archive's own centre ("centre") or at the centre above it ("parent").
BANGFU_INVESTIGATION_WORKING_DAYS = env_int("BANGFU_INVESTIGATION_WORKING_DAYS", 5)
# A public notice (公示) stays up at least this many full working days.
BANGFU_NOTICE_WORKING_DAYS = env_int("BANGFU_NOTICE_WORKING_DAYS", 5)
BANGFU_ARCHIVE_APPROVAL_LEVEL = env("BANGFU_ARCHIVE_APPROVAL_LEVEL", "centre")
# An archive submitted for approval is due for a decision this many working days later.
BANGFU_APPROVAL_WORKING_DAYS = env_int("BANGFU_APPROVAL_WORKING_DAYS", 5)

# Petitions (信访) [law: 信访工作条例 2022]. The limits are the statute's and count calendar
# days (民法典 arts. 200–204: the start day not counted, a last day off moves to the next working
# day); list here the limits an office counts in working days instead: route, acknowledge,
# handle, review_reply, recheck_reply (the petitioner's windows review_request and
# recheck_request follow the statute). A limit is "at risk" in its last N days.
BANGFU_PETITION_WORKING_DAY_LIMITS = env_list("BANGFU_PETITION_WORKING_DAY_LIMITS")
BANGFU_PETITION_AT_RISK_DAYS = env_int("BANGFU_PETITION_AT_RISK_DAYS", 3)
# The public pages (no log-in) accept at most this many submissions / progress look-ups per
# client address per hour, counted in the database (shared by every server and worker).
BANGFU_PETITION_PUBLIC_SUBMISSIONS_PER_HOUR = env_int(
    "BANGFU_PETITION_PUBLIC_SUBMISSIONS_PER_HOUR", 5
)
BANGFU_PETITION_PUBLIC_QUERIES_PER_HOUR = env_int("BANGFU_PETITION_PUBLIC_QUERIES_PER_HOUR", 30)
# A new petition of the same person in the same category is a repeat when its request shares at
# least this share (percent) of two-character sequences with an earlier one [ours].
BANGFU_PETITION_REPEAT_SIMILARITY = env_int("BANGFU_PETITION_REPEAT_SIMILARITY", 40)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("BANGFU_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# After payment, a random sample of recipients is checked by visit or phone (funds.sampling):
# the sample size for this confidence level and margin of error (worst case p = 0.5, with the
# finite-population correction).
BANGFU_SAMPLE_CONFIDENCE = env("BANGFU_SAMPLE_CONFIDENCE", "0.95")
BANGFU_SAMPLE_MARGIN = env("BANGFU_SAMPLE_MARGIN", "0.10")
# Approved items whose notice has ended are on the payer's worklist, due this many working days
# after they became payable (the centre's own rule; local rules often say 5–10 working days).
BANGFU_PAY_WITHIN_DAYS = int(env("BANGFU_PAY_WITHIN_DAYS", "10"))

# A large import's check and write use a second process (`bangfu.core.forked`) on PostgreSQL;
# False keeps them in one.
BANGFU_HELPER_PROCESSES = env_bool("BANGFU_HELPER_PROCESSES", True)

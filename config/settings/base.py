"""Settings shared by every environment. Everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.contrib.messages import constants as message_constants

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SERVICE_NAME = "Find a Foster Home"
SERVICE_OWNER = "Regional Care Cooperatives"

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.organisations",
    "apps.needs",
    "apps.providers",
    "apps.referrals",
    "apps.contracts",
    "apps.monitoring",
    "apps.reporting",
    "apps.planning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "apps.core.context_processors.service",
            ],
        },
    },
]


def tuned_database(db: dict[str, Any]) -> dict[str, Any]:
    """On PostgreSQL, bind parameters on the server so that psycopg prepares a statement once it
    has run five times on a connection: PostgreSQL then plans the hot reads (a referral with its
    child and postcode districts takes ~5 ms to plan and under 1 ms to run) once per connection
    rather than on every request. Set DB_PREPARED_STATEMENTS=false behind a connection pooler
    in transaction mode that cannot keep prepared statements (PgBouncer before 1.21)."""
    if db.get("ENGINE", "").endswith("postgresql") and env.bool(
        "DB_PREPARED_STATEMENTS", default=True
    ):
        options = db.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
    db["ATOMIC_REQUESTS"] = False
    db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    return db


DATABASES = {
    "default": tuned_database(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / '.data' / 'demo.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Two-factor authentication: required for every role that can see children's data (the roles
# of the rules marked `child_data`, see apps/accounts/two_factor.py).
RCC_REQUIRE_2FA = env.bool("RCC_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = SERVICE_NAME

# API tokens (django-rest-knox, hashed at rest): named, expiring, revocable on the profile page.
RCC_API_TOKEN_TTL_DAYS = env.int("RCC_API_TOKEN_TTL_DAYS", default=30)
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's own token model is swapped for ours, but knox's first migration (written before it was
# swappable) would still create its table, with a foreign key to users that stops the test
# database being flushed (TRUNCATE). The swapped model needs no table: knox has no migrations here.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=RCC_API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
}

# django-axes: lock an account and address pair out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"
# The largest request body (413 before it is read: apps.core.middleware): the largest upload a
# service accepts (a 20 MB monitoring return) and the form around it.
RCC_MAX_UPLOAD_BYTES = env.int("RCC_MAX_UPLOAD_BYTES", default=21 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # a body other than files (form, JSON)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a larger file is spooled to a temporary file
FILE_UPLOAD_HANDLERS = [
    "apps.core.middleware.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

MESSAGE_TAGS = {message_constants.ERROR: "error"}
# Messages may carry a new API token once: keep them server-side, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy: every asset is served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Django REST Framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous call is answered 401 with WWW-Authenticate.
        # The token class also names the caller to the audit log.
        "apps.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        # One filterset per list serves the UI and the API; it carries the `sort` parameter.
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.json_exception_handler",
    # Enabled for every API view; see apps/core/throttling.py and the README ("Throttling").
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.core.throttling.AnonRateThrottle",
        "apps.core.throttling.UserRateThrottle",
        "apps.core.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_RATE_ANON", default="60/min"),
        "user": env("THROTTLE_RATE_USER", default="1200/min"),
        "uploads": env("THROTTLE_RATE_UPLOADS", default="60/hour"),
        "tokens": env("THROTTLE_RATE_TOKENS", default="10/hour"),
        "search": env("THROTTLE_RATE_SEARCH", default="120/min"),
    },
    # Proxies in front of the app (their X-Forwarded-For entries are skipped to find the
    # client's address); unset, the whole header (or REMOTE_ADDR) identifies an anonymous caller.
    "NUM_PROXIES": env.int("THROTTLE_NUM_PROXIES", default=None),
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SERVICE_NAME} API",
    "DESCRIPTION": (
        "API of the RCC platform. Every list is scoped to the caller's organisations and roles."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the errors it answers with (400/401/403/404/429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.document_error_responses",
    ],
    # Choice sets shared by several fields get one name each (the register's statuses).
    # Every choice set has one name in the schema (fields reuse them: status, kind, reason…).
    "ENUM_NAME_OVERRIDES": {
        "AgeBandEnum": "apps.providers.choices.AgeBand",
        "AlertKindEnum": "apps.contracts.choices.AlertKind",
        "ArrangementKindEnum": "apps.contracts.choices.ArrangementKind",
        "BulletinStatusEnum": "apps.reporting.choices.BulletinStatus",
        "ChannelEnum": "apps.monitoring.choices.Channel",
        "ChoiceReasonEnum": "apps.referrals.choices.ChoiceReason",
        "CommunicationEnum": "apps.referrals.choices.Communication",
        "ContributorRoleEnum": "apps.referrals.choices.ContributorRole",
        "DeclineReasonEnum": "apps.referrals.choices.DeclineReason",
        "DisputeStatusEnum": "apps.contracts.choices.DisputeStatus",
        "DisputeStepKindEnum": "apps.contracts.choices.DisputeStepKind",
        "EnrolmentStatusEnum": "apps.contracts.choices.EnrolmentStatus",
        "EthnicityEnum": "apps.providers.choices.Ethnicity",
        "FeedbackRoleEnum": "apps.monitoring.choices.FeedbackRole",
        "FeedbackScaleEnum": "apps.monitoring.choices.FEEDBACK_SCALE",
        "FrequencyEnum": "apps.referrals.choices.Frequency",
        "HouseholdStatusEnum": "apps.providers.choices.HouseholdStatus",
        "IfaSectorEnum": "apps.organisations.kinds.IfaSector",
        "LegalStatusEnum": "apps.referrals.choices.LegalStatus",
        "LiveAlongsideEnum": "apps.referrals.choices.LiveAlongside",
        "LotServiceEnum": "apps.contracts.choices.LotService",
        "OfferStatusEnum": "apps.referrals.choices.OfferStatus",
        "OfstedGradeEnum": "apps.providers.choices.OfstedGrade",
        "OrganisationKindEnum": "apps.organisations.kinds.OrganisationKind",
        "PetsOkEnum": "apps.referrals.choices.PetsOk",
        "PlacementProviderEnum": "apps.referrals.choices.PlacementProvider",
        "PlacementTypeEnum": "apps.referrals.choices.PlacementType",
        "ProviderTypeEnum": "apps.providers.selectors.ProviderType",
        "QueryStatusEnum": "apps.monitoring.choices.QueryStatus",
        "ReasonEndedEnum": "apps.referrals.choices.ReasonEnded",
        "ReferralStatusEnum": "apps.referrals.choices.ReferralStatus",
        "RegionEnum": "apps.organisations.kinds.Region",
        "RegisterUploadOutcomeEnum": "apps.providers.models.RegisterUpload.Outcome",
        "ReligionEnum": "apps.providers.choices.Religion",
        "ReminderKindEnum": "apps.monitoring.choices.ReminderKind",
        "ReportKindEnum": "apps.reporting.choices.ReportKind",
        "ReturnStatusEnum": "apps.monitoring.choices.ReturnStatus",
        "ReviewStatusEnum": "apps.referrals.choices.ReviewStatus",
        "RiskLevelEnum": "apps.referrals.choices.RiskLevel",
        "RoleEnum": "apps.accounts.roles.Role",
        "RunStatusEnum": "apps.reporting.choices.RunStatus",
        "ScrutinyDecisionEnum": "apps.referrals.choices.ScrutinyDecision",
        "SexEnum": "apps.providers.choices.Sex",
        "SubmissionOutcomeEnum": "apps.monitoring.choices.SubmissionOutcome",
        "SuitabilityEnum": "apps.referrals.choices.Suitability",
        "SupportKindEnum": "apps.referrals.choices.SupportKind",
        "TargetStatusEnum": "apps.referrals.choices.TargetStatus",
        "UrgencyEnum": "apps.referrals.choices.Urgency",
        "VacancyStatusEnum": "apps.providers.choices.VacancyStatus",
    },
    # The split view serves Swagger UI's script as a file, as the CSP requires.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}

# Celery. Without REDIS_URL tasks run in-process (the demo); with it they go to the broker.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# With Redis, the cache is shared by the web processes and the workers (e.g. batch-matching
# results computed by a task); without it each process has its own memory cache.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the shared cache (and written through to the database) when there is
# one; a per-process memory cache could not forget a session ended in another process.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "debug-heartbeat": {
        "task": "apps.core.tasks.debug",
        "schedule": 60 * 60,
        "kwargs": {"message": "hourly heartbeat"},
    },
    # Email each provider its households and vacancies not confirmed for 14 days (once a day).
    "register-stale-notify": {
        "task": "apps.providers.tasks.notify_stale_register",
        "schedule": crontab(hour=7, minute=0),
    },
    # Raise commissioning alerts: consultation windows, extension decisions, ends, low
    # soft-block utilisation (one alert per event, however often it runs).
    "contracts-raise-alerts": {
        "task": "apps.contracts.tasks.raise_contract_alerts",
        "schedule": crontab(hour=6, minute=30),
    },
}
# Reporting (apps.reporting): report runs go to their own "reports" queue (the worker listens
# on celery,reports). Beat asks for the monthly RCC reports, the quarterly national report and
# the nightly dashboards, and sweeps runs whose worker stopped or that never reached the queue.
CELERY_TASK_ROUTES = {
    "apps.reporting.tasks.*": {"queue": "reports"},
    # Planning's simulated years are long jobs like reports: the same queue.
    "apps.planning.tasks.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULE.update(
    {
        "reports-rcc-monthly": {
            "task": "apps.reporting.tasks.schedule_rcc_monthly",
            "schedule": crontab(day_of_month=1, hour=2, minute=0),
        },
        "reports-ncc-quarterly": {
            "task": "apps.reporting.tasks.schedule_ncc_quarterly",
            "schedule": crontab(month_of_year="1,4,7,10", day_of_month=7, hour=3, minute=0),
        },
        "reports-dashboards-nightly": {
            "task": "apps.reporting.tasks.refresh_dashboards",
            "schedule": crontab(hour=1, minute=30),
        },
        "reports-planning-nightly": {
            "task": "apps.reporting.tasks.refresh_planning",
            "schedule": crontab(hour=2, minute=15),
        },
        "reports-sweep-runs": {
            "task": "apps.reporting.tasks.sweep_report_runs",
            "schedule": 5 * 60,
        },
        "planning-sweep-simulations": {
            "task": "apps.planning.tasks.sweep_simulation_runs",
            "schedule": 5 * 60,
        },
    }
)
# Monitoring (apps.monitoring): open the last quarter's returns, remind a week before the
# deadline and flag overdue returns once (idempotent); recompute scorecards every night.
CELERY_BEAT_SCHEDULE.update(
    {
        "monitoring-returns-cycle": {
            "task": "apps.monitoring.tasks.returns_cycle",
            "schedule": crontab(hour=6, minute=45),
        },
        "monitoring-scorecards-nightly": {
            "task": "apps.monitoring.tasks.refresh_scorecards",
            "schedule": crontab(hour=2, minute=30),
        },
    }
)
# Referrals (apps.referrals): escalate emergency placements whose 72-hour scrutiny is overdue
# to the RCC's scrutineers and the hub manager, once per placement (docs/adr/0130).
CELERY_BEAT_SCHEDULE["referrals-escalate-overdue-scrutiny"] = {
    "task": "apps.referrals.tasks.escalate_overdue_scrutiny",
    "schedule": 15 * 60,
}
# A report run with no progress for this long has lost its worker and is marked failed.
REPORTS_RUN_TIMEOUT_SECONDS = env.int("REPORTS_RUN_TIMEOUT_SECONDS", default=15 * 60)

# Days ahead of a contract's consultation opening, decision or end that its alert is raised.
CONTRACTS_ALERT_LEAD_DAYS = env.int("CONTRACTS_ALERT_LEAD_DAYS", default=90)

# Matching: each process keeps a snapshot of every matchable home, refreshed in the background
# after this many seconds (0: every search reads the register; sending always re-checks it).
MATCHING_REGISTER_CACHE_SECONDS = env.int("MATCHING_REGISTER_CACHE_SECONDS", default=0)

# The address of the service, for links in emails sent outside a request (e.g. by Celery).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@rcc.example")

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="text")  # "json" in production
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False

"""Meridian settings, read from environment variables (see README, "Configuration").

There is one settings module. Development, tests and production differ only in the
environment: `make run` sets DEBUG=true, the test suite sets its defaults in pyproject.toml.
"""

from datetime import timedelta
from pathlib import Path

import phonenumbers
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

from clinic.env import (
    REQUIRED,
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Run from a checkout (manage.py beside the packages) or installed as a package (`pip install
# .`, the `meridian` command; deploy/install.sh). Installed, the wheel carries the top-level
# templates/ folder as clinic/site_templates (pyproject.toml), and there is no project folder
# to keep data in: MERIDIAN_VAR_DIR must say where.
INSTALLED_AS_PACKAGE = not (BASE_DIR / "manage.py").is_file()
TEMPLATES_DIR = (
    Path(__file__).resolve().parent / "site_templates"
    if INSTALLED_AS_PACKAGE
    else BASE_DIR / "templates"
)
VAR_DIR = Path(
    env_str("MERIDIAN_VAR_DIR", REQUIRED if INSTALLED_AS_PACKAGE else str(BASE_DIR / "var"))
)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", None)
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Generate one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# The records key (issue 15, treatments/audit/keys.py): HMAC-SHA256 seals over signed notes,
# addenda and issued sheets, and the hash chains over the access log and status changes. Its
# own secret, not SECRET_KEY: rotating the login secret must not touch the records, and
# leaking one must not forge the other. Unset with DEBUG off, `check --deploy` fails
# (meridian.E020); the old key is only read by `rotate_records_key`.
RECORDS_KEY_FOR_DEVELOPMENT = "meridian-development-records-key-not-secret-never-use-in-production"
MERIDIAN_RECORDS_KEY = env_str(
    "MERIDIAN_RECORDS_KEY", RECORDS_KEY_FOR_DEVELOPMENT if DEBUG else None
)
MERIDIAN_RECORDS_OLD_KEY = env_str("MERIDIAN_RECORDS_OLD_KEY", None)

# Required in production: a forgotten value would otherwise answer every request with 400.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else REQUIRED
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
    "template_partials",
    "phonenumber_field",
    "simple_history",
    "axes",  # issue 14, lockout: counts failed logins per username and address
    # Second factor (issue 14): authenticator apps and one-time backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The background worker (issue 16): Django's task API (the django_tasks backport for
    # Django 5.2) with its queue in the database, run by `manage.py db_worker`.
    "django_tasks",
    "django_tasks_db",
    "clinic",
    "patients",
    "treatments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Response headers (issue 14): Content-Security-Policy with nonces, Permissions-Policy, and
    # Cache-Control: no-store on everything the app serves (see "Response headers" below).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "clinic.headers.NoStoreMiddleware",
    # Issue 15: a body larger than REQUEST_BODY_MAX_BYTES is answered 413 before it is read.
    "clinic.request_limits.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Second factor (issue 14): request.user.is_verified().
    "django_otp.middleware.OTPMiddleware",
    # Belt and braces: every view also declares its own access rule.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle logoff (issue 14): after the messages, which say why.
    "clinic.idle.IdleLogoffMiddleware",
    # Second factor (issue 14): no page before the code, for those who need one.
    "clinic.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who made each change to a session note in its history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Issue 14, passwords: a one-time password set by a manager must be changed first.
    "clinic.security.PasswordChangeRequiredMiddleware",
    # Issue 14, lockout: last, so it turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# PostgreSQL when DATABASE_URL is set; otherwise an embedded SQLite file. SQLite runs in WAL
# mode with IMMEDIATE transactions, so a writer takes the lock when its transaction starts
# (no "database is locked" half-way through) and waits up to the busy timeout for it.
DATABASE_URL = env_str("DATABASE_URL", None)
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "meridian.sqlite3",
            # A file, not memory: the concurrency tests book from several connections at once.
            "TEST": {"NAME": VAR_DIR / "test-meridian.sqlite3"},
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1),
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Backups (clinic/backups; README "Operations: backups") ---
# Encrypted with the key in MERIDIAN_BACKUP_KEY, read only by the backup and restore commands
# (never by the web app, so it is not a setting). After each backup the newest BACKUP_KEEP
# stay, and so does any younger than BACKUP_KEEP_DAYS (0: no age rule); older ones go.
BACKUP_DIR = Path(env_str("MERIDIAN_BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP = env_int("MERIDIAN_BACKUP_KEEP", 14, minimum=1)
BACKUP_KEEP_DAYS = env_int("MERIDIAN_BACKUP_KEEP_DAYS", 0, minimum=0)
# --- end backups ---

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "clinic.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clinic:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # issue 14: health records (ASVS level 2)
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Idle logoff (issue 14; clinic/idle.py) ---
# Health records: a staff session ends after this long without a request (the page warns a
# minute before), after this long in any case, or when the browser closes. Seconds inside.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 15, minimum=1) * 60
SESSION_IDLE_WARNING_SECONDS = 60
SESSION_MAX_SECONDS = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 60 * 60
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# --- end idle logoff ---

# --- Lockout (issue 14): django-axes, database handler ----------------------------------
# Axes' backend comes first: it refuses a locked-out username and address before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
# One username from one address: a colleague's typos never lock out the whole clinic.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A lockout lasts its cool-off from the failure that caused it; retrying does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.security_views.locked_out"
# The sign-in trail (clinic.models.SecurityEvent) records logins; axes' own log would repeat it.
AXES_DISABLE_ACCESS_LOG = True
# Behind a reverse proxy: how many proxies stand in front of the app (0: none, the address
# is REMOTE_ADDR). The one address function serves axes, the sign-in trail and the access log.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "clinic.security.client_address"

# --- Request bodies and uploads (issue 15; clinic/request_limits.py, clinic/pictures.py) ---
# The largest body the app reads: a picture (1 MB at most) with its form. A larger declared
# body is answered 413 before a byte of it is read; Django itself caps only the form's
# fields (DATA_UPLOAD_MAX_MEMORY_SIZE), never an uploaded file.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_MB", 2, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # a form's fields other than files
# Uploads stay in memory (they are small, under the cap above): no temporary files.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# A home-care sheet's PDF is drawn in a child process stopped after this long (the sheet's
# print page still works); gunicorn's own worker timeout (30 s by default) must be longer.
PDF_TIME_LIMIT_SECONDS = env_int("PDF_TIME_LIMIT_SECONDS", 15, minimum=1)

# --- Locale ---------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en-gb")
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files (Bootstrap and htmx come from Python packages; no CDN) ----------------
STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves: beside the code in a checkout, in
# MERIDIAN_VAR_DIR when installed (never inside the virtualenv's site-packages).
STATIC_ROOT = VAR_DIR / "staticfiles" if INSTALLED_AS_PACKAGE else BASE_DIR / "staticfiles"
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- The clinic -----------------------------------------------------------------------
# First-run defaults only: the migration that creates the clinic's profile (ClinicProfile)
# copies them; from then on a manager keeps the name, phone and address on the Clinic screen.
CLINIC_NAME = env_str("CLINIC_NAME", "Meridian Clinic")
CLINIC_PHONE = env_str("CLINIC_PHONE", "")
CLINIC_ADDRESS = env_str("CLINIC_ADDRESS", "")
# Phone numbers without a country code are read as numbers of this region (ISO 3166 code).
PHONENUMBER_DEFAULT_REGION = env_choice(
    "PHONE_REGION",
    "GB",
    choices=phonenumbers.SUPPORTED_REGIONS,
    normalise=str.upper,
    described="a two-letter region code such as GB, IE or US",
)
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# A complaint whose pain began at most this many days ago is acute; otherwise chronic.
ACUTE_ONSET_MAX_DAYS = env_int("ACUTE_ONSET_MAX_DAYS", 14, minimum=1)

# Course planning: an acute complaint suggests one session; a chronic one 3 to 6, more the
# longer the pain has lasted. Each pair is (pain lasted at most this many days, sessions).
COURSE_CHRONIC_SESSIONS = [(42, 3), (91, 4), (182, 5)]
COURSE_CHRONIC_MAX_SESSIONS = 6
# A cancellation less than this many hours before the start is a late cancellation.
LATE_CANCELLATION_HOURS = env_int("LATE_CANCELLATION_HOURS", 24, minimum=0)
# When true, an appointment can only be completed once its session note is signed.
REQUIRE_SIGNED_NOTE_TO_COMPLETE = env_bool("REQUIRE_SIGNED_NOTE_TO_COMPLETE", False)
# Sessions follow the clock: a patient can be marked arrived at most this many minutes before
# the start (and a note started then), and a session completed at most this many before it.
ARRIVE_EARLIEST_MINUTES = env_int("ARRIVE_EARLIEST_MINUTES", 60, minimum=0)
COMPLETE_EARLIEST_MINUTES = env_int("COMPLETE_EARLIEST_MINUTES", 0, minimum=0)
# The calendar's row height and the booking grid.
SCHEDULE_SLOT_MINUTES = 15
# The functions that record reads of clinical records, one record or a list of patients (see
# clinic/audit.py): apps below `treatments` reach the access log through them.
CLINICAL_READ_RECORDER = "treatments.audit.services.record_read"
CLINICAL_LISTING_RECORDER = "treatments.audit.services.record_listing"

# --- Second factor (issue 14; clinic/two_factor.py) ---
# Staff holding one of these roles (and, when any is listed, whoever may use the Django admin)
# must give a code from an authenticator app or a backup code after the password.
_OTP_ROLES = {
    "front-desk": "Front desk",
    "practitioner": "Practitioner",
    "manager": "Clinic manager",
    "none": None,
}
_otp_roles = env_list("OTP_REQUIRED_ROLES", ["none"] if DEBUG else ["practitioner", "manager"])
if set(_otp_roles) - set(_OTP_ROLES):
    raise ImproperlyConfigured(
        f"OTP_REQUIRED_ROLES={','.join(_otp_roles)!r}: name roles from "
        "front-desk, practitioner, manager, or none."
    )
OTP_REQUIRED_ROLES = [_OTP_ROLES[name] for name in _otp_roles if _OTP_ROLES[name]]
OTP_TOTP_ISSUER = CLINIC_NAME  # the name authenticator apps show
# --- end second factor ---

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "meridian@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Clinic admin", address) for address in env_list("ADMIN_EMAILS", [])]

# --- Background tasks and reminders (issue 16; README "Reminders and the worker") -------
# The queue lives in the clinic's own database, worked by `manage.py db_worker`; nothing else
# to install. TASKS_BACKEND=immediate runs each task in the caller (the unit tests do).
# TASKS_BACKEND=rq puts the queue in Redis (REDIS_URL) for larger installs: it needs
# `pip install django-tasks-rq` and `manage.py rqworker default` instead of db_worker.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "rq": "django_tasks_rq.RQBackend",
}
_tasks_backend = env_choice("TASKS_BACKEND", "database", choices=list(_TASK_BACKENDS))
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
if _tasks_backend == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_rq")
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}
# SMS: "console" prints each text (development), "file" writes one file per text under
# VAR_DIR/sms, "http" posts JSON to SMS_API_URL (treatments/reminders/sms.py).
_SMS_BACKENDS = {
    "console": "treatments.reminders.sms.ConsoleSmsBackend",
    "file": "treatments.reminders.sms.FileSmsBackend",
    "http": "treatments.reminders.sms.HttpJsonSmsBackend",
}
SMS_BACKEND = _SMS_BACKENDS[env_choice("SMS_BACKEND", "console", choices=list(_SMS_BACKENDS))]
SMS_API_URL = env_str("SMS_API_URL", "")
SMS_API_KEY = env_str("SMS_API_KEY", "")
SMS_SENDER = env_str("SMS_SENDER", "Meridian")
SMS_API_TIMEOUT_SECONDS = env_int("SMS_API_TIMEOUT_SECONDS", 10, minimum=1)
# Delivery reports: the provider POSTs them to /reminders/sms/status/, signed with this secret
# (HMAC-SHA256 of the body); unset refuses every report. SMS_API_STATUS_URL, when set, is
# sent with each text so that the provider knows where to report.
SMS_API_STATUS_SECRET = env_str("SMS_API_STATUS_SECRET", "")
SMS_API_STATUS_URL = env_str("SMS_API_STATUS_URL", "")
SMS_FILE_DIR = VAR_DIR / "sms"
# Seconds an SMTP conversation may take before it counts as a temporary failure.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)

# --- Security (secure by default whenever DEBUG is off) --------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Response headers and error reports (issue 14) -------------------------------------
# Content-Security-Policy, enforced. Scripts come only from the app's own static files; an
# inline <script> runs only with the request's nonce (nonce="{{ request.csp_nonce }}"), which
# django-csp adds to the header on the pages that use it. No inline event handlers: pages ask
# for behaviour with data- attributes (clinic/static/clinic/meridian.js). Styles allow
# 'unsafe-inline': the calendar places and colours its chips with style="…", and the home-care
# and day sheets carry their print CSS in a <style> shared by the screen, the browser's print
# and the PDF (WeasyPrint) — an issued sheet's stored content cannot carry a per-request nonce.
# Home-care pictures, clinic logos and Bootstrap's icons are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    }
}
# Browser features no page of the app uses, switched off for every page (and any frame).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
# Error e-mails and logs name the failing code, never what a user typed (clinic/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic.error_reports.ClinicalReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "clinic.error_reports.ClinicalExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Axes logs every login at INFO; the sign-in trail keeps them (issue 14, lockout).
    "loggers": {"axes": {"level": "WARNING"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL",
            "INFO",
            choices={"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"},
            normalise=str.upper,
        ),
    },
}

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
VAR_DIR = Path(
    env_str(
        "MERIDIAN_VAR_DIR",
        str(BASE_DIR / "var"),
        help=(
            "Where the app keeps its SQLite database, backups and SMS files (a folder only the "
            "app's user can read)."
        ),
    )
)

DEBUG = env_bool(
    "DEBUG",
    False,
    help=(
        "Development mode: detailed error pages and relaxed defaults. Never true on a server "
        "patients' data is on."
    ),
)

SECRET_KEY = env_str(
    "SECRET_KEY",
    None,
    help=(
        "Django's signing key for sessions and tokens; make one with python -c \"import secrets; "
        'print(secrets.token_urlsafe(50))".'
    ),
    required_in_production=True,
)
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
    "MERIDIAN_RECORDS_KEY",
    RECORDS_KEY_FOR_DEVELOPMENT if DEBUG else None,
    help=(
        "Key of the seals and hash chains over clinical records (not SECRET_KEY); keep a copy away"
        " from the server. check --deploy fails without it."
    ),
    required_in_production=True,
)
MERIDIAN_RECORDS_OLD_KEY = env_str(
    "MERIDIAN_RECORDS_OLD_KEY",
    None,
    help="The previous records key, only while rotate_records_key moves the seals to the new one.",
)

# Required in production: a forgotten value would otherwise answer every request with 400.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    ["localhost", "127.0.0.1", "[::1]"] if DEBUG else REQUIRED,
    help="Host names the app answers to, e.g. clinic.example.org.",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [],
    help=(
        "Extra origins allowed to post forms, with scheme, e.g. https://clinic.example.org (only "
        "behind an unusual proxy)."
    ),
)

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
    # Issue 17, logs: first, so that every answer (a redirect, a refused host) carries its id.
    "clinic.logs.RequestIdMiddleware",
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
        "DIRS": [BASE_DIR / "templates"],
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
DATABASE_URL = env_str(
    "DATABASE_URL",
    None,
    help=(
        "PostgreSQL as postgres://user:password@host:5432/name (the web app's role); unset, an "
        "SQLite file in MERIDIAN_VAR_DIR."
    ),
)
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
                "timeout": env_int(
                    "SQLITE_BUSY_TIMEOUT_SECONDS",
                    20,
                    minimum=1,
                    help=(
                        "SQLite only: how long a writer waits for another's lock before giving up."
                    ),
                ),
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
BACKUP_DIR = Path(
    env_str(
        "MERIDIAN_BACKUP_DIR",
        str(VAR_DIR / "backups"),
        help="Where manage.py backup writes its encrypted files.",
    )
)
BACKUP_KEEP = env_int(
    "MERIDIAN_BACKUP_KEEP",
    14,
    minimum=1,
    help="After each backup, the newest this many files stay.",
)
BACKUP_KEEP_DAYS = env_int(
    "MERIDIAN_BACKUP_KEEP_DAYS",
    0,
    minimum=0,
    help="Backups younger than this many days also stay (0: no age rule).",
)
# --- end backups ---

# --- Health check (clinic/health.py; README "Health check") ---
# /healthz fails when the worker's newest heartbeat is older than this (it beats every minute
# while `send_reminders --every 60` and the worker run), or when the file system holding
# BACKUP_DIR has less free space than this.
HEALTH_WORKER_MAX_AGE_SECONDS = env_int(
    "HEALTH_WORKER_MAX_AGE_SECONDS",
    120,
    minimum=1,
    help="/healthz fails when the task worker's newest heartbeat is older than this, in seconds.",
)
HEALTH_MIN_FREE_DISK_MB = env_int(
    "HEALTH_MIN_FREE_DISK_MB",
    500,
    minimum=0,
    help="/healthz fails when the disk holding MERIDIAN_BACKUP_DIR has less free space (MB).",
)
# --- end health check ---

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
SESSION_IDLE_SECONDS = (
    env_int(
        "SESSION_IDLE_MINUTES",
        15,
        minimum=1,
        help=(
            "A staff session ends after this many minutes without a request (the page warns a "
            "minute before)."
        ),
    )
    * 60
)
SESSION_IDLE_WARNING_SECONDS = 60
SESSION_MAX_SECONDS = (
    env_int(
        "SESSION_MAX_HOURS",
        12,
        minimum=1,
        help="A staff session ends this many hours after login in any case.",
    )
    * 60
    * 60
)
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
AXES_FAILURE_LIMIT = env_int(
    "AXES_FAILURE_LIMIT",
    5,
    minimum=1,
    help="Failed logins for one username from one address before a lockout.",
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1, help="How long a lockout lasts.")
)
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
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT",
    0,
    minimum=0,
    help=(
        "How many reverse proxies stand in front of the app (0: none; client addresses are then "
        "REMOTE_ADDR)."
    ),
)
AXES_CLIENT_IP_CALLABLE = "clinic.security.client_address"

# --- Request bodies and uploads (issue 15; clinic/request_limits.py, clinic/pictures.py) ---
# The largest body the app reads: a picture (1 MB at most) with its form. A larger declared
# body is answered 413 before a byte of it is read; Django itself caps only the form's
# fields (DATA_UPLOAD_MAX_MEMORY_SIZE), never an uploaded file.
REQUEST_BODY_MAX_BYTES = (
    env_int(
        "REQUEST_BODY_MAX_MB",
        2,
        minimum=1,
        help=(
            "The largest request body read, in MB; larger ones are answered 413 (keep the proxy's "
            "limit the same)."
        ),
    )
    * 1024
    * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # a form's fields other than files
# Uploads stay in memory (they are small, under the cap above): no temporary files.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# A home-care sheet's PDF is drawn in a child process stopped after this long (the sheet's
# print page still works); gunicorn's own worker timeout (30 s by default) must be longer.
PDF_TIME_LIMIT_SECONDS = env_int(
    "PDF_TIME_LIMIT_SECONDS",
    15,
    minimum=1,
    help=(
        "A home-care sheet's PDF is stopped after this long; gunicorn's worker timeout must be "
        "longer."
    ),
)

# --- Locale ---------------------------------------------------------------------------
LANGUAGE_CODE = env_str(
    "LANGUAGE_CODE", "en-gb", help="Language and date formats of the interface."
)
TIME_ZONE = env_time_zone(
    "TIME_ZONE", "Europe/London", help="The clinic's local time zone (IANA name)."
)
USE_I18N = True
USE_TZ = True

# --- Static files (Bootstrap and htmx come from Python packages; no CDN) ----------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_MANIFEST = env_bool(
    "STATIC_MANIFEST", not DEBUG, help="Serve static files with hashed names (needs collectstatic)."
)
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
CLINIC_NAME = env_str(
    "CLINIC_NAME",
    "Meridian Clinic",
    help=(
        "First-run default of the clinic's name; afterwards a manager edits it on the Clinic "
        "screen."
    ),
)
CLINIC_PHONE = env_str("CLINIC_PHONE", "", help="First-run default of the clinic's phone number.")
CLINIC_ADDRESS = env_str("CLINIC_ADDRESS", "", help="First-run default of the clinic's address.")
# Phone numbers without a country code are read as numbers of this region (ISO 3166 code).
PHONENUMBER_DEFAULT_REGION = env_choice(
    "PHONE_REGION",
    "GB",
    choices=phonenumbers.SUPPORTED_REGIONS,
    normalise=str.upper,
    described="a two-letter region code such as GB, IE or US",
    help="Phone numbers typed without a country code are read as numbers of this region.",
)
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# A complaint whose pain began at most this many days ago is acute; otherwise chronic.
ACUTE_ONSET_MAX_DAYS = env_int(
    "ACUTE_ONSET_MAX_DAYS",
    14,
    minimum=1,
    help="A complaint whose pain began at most this many days ago is acute; otherwise chronic.",
)

# Course planning: an acute complaint suggests one session; a chronic one 3 to 6, more the
# longer the pain has lasted. Each pair is (pain lasted at most this many days, sessions).
COURSE_CHRONIC_SESSIONS = [(42, 3), (91, 4), (182, 5)]
COURSE_CHRONIC_MAX_SESSIONS = 6
# A cancellation less than this many hours before the start is a late cancellation.
LATE_CANCELLATION_HOURS = env_int(
    "LATE_CANCELLATION_HOURS",
    24,
    minimum=0,
    help="A cancellation less than this many hours before the start is a late cancellation.",
)
# When true, an appointment can only be completed once its session note is signed.
REQUIRE_SIGNED_NOTE_TO_COMPLETE = env_bool(
    "REQUIRE_SIGNED_NOTE_TO_COMPLETE",
    False,
    help="An appointment can be completed only once its session note is signed.",
)
# Sessions follow the clock: a patient can be marked arrived at most this many minutes before
# the start (and a note started then), and a session completed at most this many before it.
ARRIVE_EARLIEST_MINUTES = env_int(
    "ARRIVE_EARLIEST_MINUTES",
    60,
    minimum=0,
    help=(
        "A patient can be marked arrived (and a note started) at most this many minutes before the"
        " start."
    ),
)
COMPLETE_EARLIEST_MINUTES = env_int(
    "COMPLETE_EARLIEST_MINUTES",
    0,
    minimum=0,
    help="A session can be completed at most this many minutes before its start.",
)
# The calendar's row height and the booking grid.
SCHEDULE_SLOT_MINUTES = 15
# The functions that record reads of clinical records, one record or a list of patients (see
# clinic/audit.py): apps below `treatments` reach the access log through them.
CLINICAL_READ_RECORDER = "treatments.audit.services.record_read"
CLINICAL_LISTING_RECORDER = "treatments.audit.services.record_listing"

# --- Licence and source (issue 17; clinic/source.py) ---
# Meridian is AGPL-3.0-or-later: every page's footer links to the running version's source,
# served by the app itself at /source/, or to the clinic's own published copy when set.
SOURCE_URL = env_str(
    "SOURCE_URL",
    "",
    help=(
        "Where the footer's Source code link leads, e.g. the clinic's published copy of a "
        "modified Meridian; empty: /source/, which serves the running version's own source."
    ),
)

# --- Second factor (issue 14; clinic/two_factor.py) ---
# Staff holding one of these roles (and, when any is listed, whoever may use the Django admin)
# must give a code from an authenticator app or a backup code after the password.
_OTP_ROLES = {
    "front-desk": "Front desk",
    "practitioner": "Practitioner",
    "manager": "Clinic manager",
    "none": None,
}
_otp_roles = env_list(
    "OTP_REQUIRED_ROLES",
    ["none"] if DEBUG else ["practitioner", "manager"],
    help=(
        "Roles that must give a second factor after the password: front-desk, practitioner, "
        "manager, or none."
    ),
)
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
    help="Django's e-mail backend (dotted path).",
)
EMAIL_HOST = env_str(
    "EMAIL_HOST",
    "localhost",
    help="SMTP server for reminders, sheets, password resets and error reports.",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, help="SMTP port.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", help="SMTP user name (empty: no login).")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", help="SMTP password.")
EMAIL_USE_TLS = env_bool(
    "EMAIL_USE_TLS", False, help="STARTTLS on the SMTP connection (usually port 587)."
)
EMAIL_USE_SSL = env_bool(
    "EMAIL_USE_SSL",
    False,
    help="SMTP over TLS from the start (usually port 465); not together with EMAIL_USE_TLS.",
)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL",
    "meridian@localhost",
    help="Sender address of the clinic's mail and error reports.",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [
    ("Clinic admin", address)
    for address in env_list(
        "ADMIN_EMAILS", [], help="Who receives error reports (without clinical text)."
    )
]

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
_tasks_backend = env_choice(
    "TASKS_BACKEND",
    "database",
    choices=list(_TASK_BACKENDS),
    help=(
        "The task queue: database (manage.py db_worker), immediate (in the caller; tests) or rq "
        "(Redis, needs django-tasks-rq)."
    ),
)
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
if _tasks_backend == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_rq")
    RQ_QUEUES = {
        "default": {
            "URL": env_str(
                "REDIS_URL",
                "redis://127.0.0.1:6379/0",
                help="With TASKS_BACKEND=rq only: the Redis server holding the queue.",
            )
        }
    }
# SMS: "console" prints each text (development), "file" writes one file per text under
# VAR_DIR/sms, "http" posts JSON to SMS_API_URL (treatments/reminders/sms.py).
_SMS_BACKENDS = {
    "console": "treatments.reminders.sms.ConsoleSmsBackend",
    "file": "treatments.reminders.sms.FileSmsBackend",
    "http": "treatments.reminders.sms.HttpJsonSmsBackend",
}
SMS_BACKEND = _SMS_BACKENDS[
    env_choice(
        "SMS_BACKEND",
        "console",
        choices=list(_SMS_BACKENDS),
        help=(
            "How texts go out: console (printed), file (one file per text in MERIDIAN_VAR_DIR/sms)"
            " or http (JSON to SMS_API_URL)."
        ),
    )
]
SMS_API_URL = env_str(
    "SMS_API_URL",
    "",
    help="With SMS_BACKEND=http: the provider's endpoint that texts are posted to.",
)
SMS_API_KEY = env_str("SMS_API_KEY", "", help="With SMS_BACKEND=http: the provider's API key.")
SMS_SENDER = env_str("SMS_SENDER", "Meridian", help="Sender name or number the texts show.")
SMS_API_TIMEOUT_SECONDS = env_int(
    "SMS_API_TIMEOUT_SECONDS", 10, minimum=1, help="Seconds a call to the SMS provider may take."
)
# Delivery reports: the provider POSTs them to /reminders/sms/status/, signed with this secret
# (HMAC-SHA256 of the body); unset refuses every report. SMS_API_STATUS_URL, when set, is
# sent with each text so that the provider knows where to report.
SMS_API_STATUS_SECRET = env_str(
    "SMS_API_STATUS_SECRET",
    "",
    help=(
        "Secret the provider signs delivery reports with (HMAC-SHA256); empty refuses every report."
    ),
)
SMS_API_STATUS_URL = env_str(
    "SMS_API_STATUS_URL",
    "",
    help=(
        "Sent with each text so the provider knows where to report, e.g. "
        "https://clinic.example.org/reminders/sms/status/."
    ),
)
SMS_FILE_DIR = VAR_DIR / "sms"
# Seconds an SMTP conversation may take before it counts as a temporary failure.
EMAIL_TIMEOUT = env_int(
    "EMAIL_TIMEOUT",
    20,
    minimum=1,
    help="Seconds an SMTP conversation may take before it counts as a temporary failure.",
)

# --- Security (secure by default whenever DEBUG is off) --------------------------------
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT", not DEBUG, help="Redirect plain HTTP to HTTPS."
)
SESSION_COOKIE_SECURE = env_bool(
    "SESSION_COOKIE_SECURE", not DEBUG, help="Send the session cookie over HTTPS only."
)
CSRF_COOKIE_SECURE = env_bool(
    "CSRF_COOKIE_SECURE", not DEBUG, help="Send the CSRF cookie over HTTPS only."
)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS",
    0 if DEBUG else 31_536_000,
    minimum=0,
    help="Strict-Transport-Security max-age in seconds (0: no header).",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG, help="HSTS also for every subdomain."
)
SECURE_HSTS_PRELOAD = env_bool(
    "SECURE_HSTS_PRELOAD", not DEBUG, help="Ask browsers to preload HSTS for the domain."
)
if env_bool(
    "SECURE_PROXY_SSL_HEADER",
    False,
    help=(
        "Behind a TLS-terminating proxy that sets X-Forwarded-Proto: trust it to say the request "
        "was HTTPS."
    ),
):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check (clinic/health.py) answers a load balancer's plain-HTTP probe itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
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

# --- Logs (issue 17; clinic/logs.py, README "Logs and error tracking") ---
# Each line names its request (X-Request-ID) and its user by number; LOG_FORMAT=json writes one
# JSON object per line. With DEBUG off an exception is logged as its type and frames only.
LOG_FORMAT = env_choice(
    "LOG_FORMAT",
    "plain",
    choices={"plain", "json"},
    normalise=str.lower,
    help="plain: one readable line per message; json: one JSON object per line.",
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "clinic.logs.RequestContextFilter"}},
    "formatters": {
        "plain": {"()": "clinic.logs.PlainFormatter", "exception_messages": DEBUG},
        "json": {"()": "clinic.logs.JsonFormatter", "exception_messages": DEBUG},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": LOG_FORMAT,
        }
    },
    # Axes logs every login at INFO; the sign-in trail keeps them (issue 14, lockout).
    "loggers": {"axes": {"level": "WARNING"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL",
            "INFO",
            choices={"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"},
            normalise=str.upper,
            help="Lowest level of log messages written to the console.",
        ),
    },
}
# Error tracking (clinic/sentry.py): only with SENTRY_DSN, and sentry-sdk installed
# (`pip install meridian[sentry]`). No personal data, no request bodies, no local variables.
SENTRY_DSN = env_str(
    "SENTRY_DSN", "", help="Send server errors to Sentry at this DSN (needs meridian[sentry])."
)
SENTRY_ENVIRONMENT = env_str(
    "SENTRY_ENVIRONMENT", "production", help="The environment Sentry files errors under."
)
if SENTRY_DSN:
    from clinic.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, exception_messages=DEBUG)
# --- end logs ---

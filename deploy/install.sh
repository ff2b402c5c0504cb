#!/usr/bin/env bash
# Install or upgrade Meridian on a Debian machine: README "Production" in one script.
#
#   sudo deploy/install.sh --hostname clinic.example.org --manager-username ana \
#       --manager-email ana@example.org
#
# Run it again to upgrade (a new checkout or wheel): it installs the package, migrates,
# collects static files, checks and restarts; settings, keys and accounts already made are
# kept. Every path, name and step can be changed (see --help), so CI installs into a
# throwaway folder (.ci/install-test) and the Dockerfile runs the same steps.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

PACKAGE="$(dirname "$HERE")"      # a wheel, or a source folder (this checkout)
PREFIX=/opt/meridian              # the virtualenv goes in $PREFIX/venv, the helper in $PREFIX/bin
VAR_DIR=/var/lib/meridian         # MERIDIAN_VAR_DIR: static files, backups, SMS files
ENV_DIR=/etc/meridian             # meridian.env, owner.env, backup.env (mode 0600)
APP_USER=meridian                 # the system user web server, worker and backups run as
PYTHON=""                         # default: python3.11, else python3
HOSTNAME_="$(hostname -f 2>/dev/null || hostname)"
DB_NAME=meridian
DB_HOST=127.0.0.1
DB_PORT=5432
DB_OWNER=""                       # default: <db name>_owner (runs migrate, owns the tables)
DB_APP_ROLE=""                    # default: <db name> (gunicorn and the worker; owns nothing)
DB_ADMIN_URL=""                   # a superuser's URL; default: psql as the postgres user
BIND=127.0.0.1:8000               # where meridian.socket listens (the proxy's upstream)
MANAGER_USERNAME=""
MANAGER_EMAIL=""
DO_APT=1
DO_USER=1
DO_SYSTEMD=1
STEPS="packages user venv config database migrate static check manager services"

usage() {
    cat <<'EOF'
Usage: deploy/install.sh [options]

  --package PATH         wheel file or source folder to install (default: this checkout)
  --prefix DIR           installation folder: DIR/venv, DIR/bin/meridian-env (/opt/meridian)
  --var-dir DIR          MERIDIAN_VAR_DIR (/var/lib/meridian)
  --env-dir DIR          where the settings files go (/etc/meridian)
  --user NAME            system user to run as (meridian)
  --python PATH          Python 3.11 or 3.12 to make the virtualenv with
  --hostname NAME        ALLOWED_HOSTS, the name the clinic types in the browser
  --db-name NAME         PostgreSQL database (meridian)
  --db-host HOST --db-port PORT   PostgreSQL server (127.0.0.1:5432)
  --db-owner ROLE        role that owns the tables and runs migrate (<db name>_owner)
  --db-app-role ROLE     role the web app and worker connect as (<db name>)
  --db-admin-url URL     a PostgreSQL superuser's URL (default: psql as the postgres user)
  --bind ADDRESS         where meridian.socket listens (127.0.0.1:8000)
  --manager-username NAME --manager-email ADDRESS
                         the first clinic manager (password: MERIDIAN_MANAGER_PASSWORD
                         from the environment, or made up and printed once)
  --skip-apt             do not install Debian packages
  --skip-user            no system user: run everything as the user running this script
  --skip-systemd         do not install or restart the systemd units
  --steps "A B …"        only these steps, in this order, from:
                         packages user venv config database migrate static check manager services
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --package) PACKAGE="$2"; shift ;;
        --prefix) PREFIX="$2"; shift ;;
        --var-dir) VAR_DIR="$2"; shift ;;
        --env-dir) ENV_DIR="$2"; shift ;;
        --user) APP_USER="$2"; shift ;;
        --python) PYTHON="$2"; shift ;;
        --hostname) HOSTNAME_="$2"; shift ;;
        --db-name) DB_NAME="$2"; shift ;;
        --db-host) DB_HOST="$2"; shift ;;
        --db-port) DB_PORT="$2"; shift ;;
        --db-owner) DB_OWNER="$2"; shift ;;
        --db-app-role) DB_APP_ROLE="$2"; shift ;;
        --db-admin-url) DB_ADMIN_URL="$2"; shift ;;
        --bind) BIND="$2"; shift ;;
        --manager-username) MANAGER_USERNAME="$2"; shift ;;
        --manager-email) MANAGER_EMAIL="$2"; shift ;;
        --skip-apt) DO_APT=0 ;;
        --skip-user) DO_USER=0 ;;
        --skip-systemd) DO_SYSTEMD=0 ;;
        --steps) STEPS="$2"; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

DB_OWNER="${DB_OWNER:-${DB_NAME}_owner}"
DB_APP_ROLE="${DB_APP_ROLE:-$DB_NAME}"
[ "$DO_USER" = 1 ] || APP_USER="$(id -un)"
VENV="$PREFIX/venv"
APP_ENV="$ENV_DIR/meridian.env"      # every process: settings, app role's DATABASE_URL
OWNER_ENV="$ENV_DIR/owner.env"       # migrate, grant_app_role, backups: the owner's URL
BACKUP_ENV="$ENV_DIR/backup.env"     # MERIDIAN_BACKUP_KEY, for backup and restore only
HELPER="$PREFIX/bin/meridian-env"

say() { printf '\n--- install.sh: %s\n' "$*"; }
die() { echo "install.sh: $*" >&2; exit 1; }
# Identifiers go into SQL and URLs unquoted: keep them plain.
for name in "$DB_NAME" "$DB_OWNER" "$DB_APP_ROLE"; do
    [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "database and role names are lower-case letters, digits and _: $name"
done

# Runs as the app's user (dropping root when there is one) with its settings loaded; --owner
# adds the owner's DATABASE_URL. The installed helper does the same for the admin later.
as_app() { "$HELPER" "$@"; }

step_packages() {
    [ "$DO_APT" = 1 ] || { echo "skipped (--skip-apt)"; return; }
    export DEBIAN_FRONTEND=noninteractive
    # The PostgreSQL server only when the database is on this machine (not in a container
    # whose database is another); its client tools always (install, backup and restore).
    local server=""
    case "$DB_HOST" in 127.0.0.1 | localhost | ::1) server=postgresql ;; esac
    apt-get update -qq
    # Python and venv; WeasyPrint's Pango and fonts for every script a patient's name may be
    # written in (treatments/homecare/fonts.py).
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends \
        python3 python3-venv python3-pip ca-certificates curl \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
        fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
        $server postgresql-client >/dev/null
}

step_user() {
    [ "$DO_USER" = 1 ] || { echo "skipped (--skip-user): running as $APP_USER"; return; }
    if ! id -u "$APP_USER" >/dev/null 2>&1; then
        useradd --system --home-dir "$VAR_DIR" --no-create-home --shell /usr/sbin/nologin "$APP_USER"
        echo "Created the system user $APP_USER."
    fi
}

write_helper() {
    mkdir -p "$PREFIX/bin"
    local drop=""
    [ "$DO_USER" = 1 ] && drop="[ \"\$(id -u)\" = 0 ] && set -- runuser -u $APP_USER -- \"\$@\""
    cat >"$HELPER" <<EOF
#!/bin/sh
# Written by deploy/install.sh. Runs a command with Meridian's settings, as $APP_USER:
#   $HELPER meridian check --deploy
#   $HELPER --owner meridian migrate      (with the tables' owner's DATABASE_URL)
#   $HELPER --backup meridian backup      (with the owner's URL and the backup key)
set -e
set -a
. "$APP_ENV"
case "\${1:-}" in
    --owner) shift; . "$OWNER_ENV" ;;
    --backup) shift; . "$OWNER_ENV"; . "$BACKUP_ENV" ;;
esac
set +a
# The virtualenv's commands by their full path (runuser may reset PATH).
if [ -x "$VENV/bin/\${1:-}" ]; then command="$VENV/bin/\$1"; shift; set -- "\$command" "\$@"; fi
$drop
exec "\$@"
EOF
    chmod 0755 "$HELPER"
}

step_venv() {
    if [ -z "$PYTHON" ]; then
        # The system user must be able to run it: Debian's own Python, not one under root's
        # home (pyenv); without a system user, whichever python3.11 comes first on PATH.
        local candidates="/usr/bin/python3.11 /usr/bin/python3.12 /usr/bin/python3"
        [ "$DO_USER" = 1 ] || candidates="$(command -v python3.11 || true) $candidates"
        for PYTHON in $candidates; do [ -x "$PYTHON" ] && break; done
    fi
    "$PYTHON" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 12)))' ||
        die "$PYTHON is not Python 3.11 or 3.12 (give one with --python)"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    local wheel="$PACKAGE"
    local build=""
    if [ -d "$PACKAGE" ]; then
        build="$(mktemp -d)"
        "$VENV/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$build" "$PACKAGE"
        wheel="$(ls "$build"/meridian-*.whl)"
    fi
    [ -f "$wheel" ] || die "no wheel or source folder at $PACKAGE"
    # The dependencies as the wheel asks; then the wheel itself again, in case the version
    # number did not change since the last install.
    "$VENV/bin/python" -m pip install --quiet "$wheel"
    "$VENV/bin/python" -m pip install --quiet --no-deps --force-reinstall "$wheel"
    [ -z "$build" ] || rm -rf "$build"
    if [ "$DO_USER" = 1 ] && [ "$(id -u)" = 0 ]; then
        runuser -u "$APP_USER" -- "$VENV/bin/python" -c pass ||
            die "$APP_USER cannot run $VENV/bin/python (made with $PYTHON); give a system-wide Python with --python"
    fi
    write_helper
    "$VENV/bin/python" -c 'import importlib.metadata as m; print("Installed meridian", m.version("meridian"))'
}

new_secret() { "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe($1))"; }
read_var() { sed -n "s/^$1=//p" "$2" | tail -1; }
password_in_url() { sed -E 's|^[a-z]+://[^:]*:([^@]*)@.*|\1|'; }

step_config() {
    mkdir -p "$ENV_DIR" "$VAR_DIR"
    chmod 0700 "$ENV_DIR"
    [ "$DO_USER" = 1 ] && chown "$APP_USER": "$VAR_DIR"
    chmod 0750 "$VAR_DIR"
    umask 077
    if [ ! -f "$APP_ENV" ]; then
        cat >"$APP_ENV" <<EOF
# Meridian's settings (README "Configuration" lists them all). Written by deploy/install.sh;
# keep this file at mode 0600, and a copy of the keys apart from the backups.
DEBUG=false
SECRET_KEY=$(new_secret 50)
MERIDIAN_RECORDS_KEY=$(new_secret 48)
ALLOWED_HOSTS=$HOSTNAME_
CSRF_TRUSTED_ORIGINS=https://$HOSTNAME_
DATABASE_URL=postgres://$DB_APP_ROLE:$(new_secret 24)@$DB_HOST:$DB_PORT/$DB_NAME
MERIDIAN_VAR_DIR=$VAR_DIR
# The reverse proxy (deploy/Caddyfile, deploy/nginx.conf) terminates TLS and sets
# X-Forwarded-Proto and X-Forwarded-For.
SECURE_PROXY_SSL_HEADER=true
TRUSTED_PROXY_COUNT=1
TIME_ZONE=Europe/London
PHONE_REGION=GB
# The mail server for reminders and error reports:
# EMAIL_HOST=smtp.example.org
# EMAIL_PORT=587
# EMAIL_USE_TLS=true
# EMAIL_HOST_USER=
# EMAIL_HOST_PASSWORD=
# DEFAULT_FROM_EMAIL=meridian@example.org
# ADMIN_EMAILS=it@example.org
# Logs: one JSON object per line for a log collector (request id and user id, no patient data).
# LOG_FORMAT=json
# Error tracking, only if the clinic wants reports sent to a Sentry server (needs the sentry
# extra: pip install 'meridian[sentry]'); personal data is stripped before sending.
# SENTRY_DSN=
# /healthz fails below this much free disk for backups (MB), or a worker silent this long (s).
# HEALTH_MIN_FREE_DISK_MB=500
# HEALTH_WORKER_MAX_AGE_SECONDS=120
# Every other setting, with its default and meaning: .env.example in the source.
EOF
        echo "Wrote $APP_ENV with new SECRET_KEY and MERIDIAN_RECORDS_KEY."
    else
        echo "Kept $APP_ENV."
    fi
    if [ ! -f "$OWNER_ENV" ]; then
        cat >"$OWNER_ENV" <<EOF
# The tables' owner: only for migrate, grant_app_role, backup and restore; never the web app's.
DATABASE_URL=postgres://$DB_OWNER:$(new_secret 24)@$DB_HOST:$DB_PORT/$DB_NAME
EOF
        echo "Wrote $OWNER_ENV."
    fi
    if [ ! -f "$BACKUP_ENV" ]; then
        # The helper loads settings; the backup key is made by the command the README names.
        local key
        key="$(as_app meridian backup --new-key)"
        printf '# Encrypts the backups. Keep a copy away from them: without it none can be restored.\nMERIDIAN_BACKUP_KEY=%s\n' \
            "$key" >"$BACKUP_ENV"
        echo "Wrote $BACKUP_ENV with a new MERIDIAN_BACKUP_KEY."
    fi
    chmod 0600 "$APP_ENV" "$OWNER_ENV" "$BACKUP_ENV"
    umask 022
}

# Reads its SQL from stdin.
psql_admin() {
    if [ -n "$DB_ADMIN_URL" ]; then
        psql -X -q -v ON_ERROR_STOP=1 "$DB_ADMIN_URL"
    else
        (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1)
    fi
}

step_database() {
    local app_password owner_password
    app_password="$(read_var DATABASE_URL "$APP_ENV" | password_in_url)"
    owner_password="$(read_var DATABASE_URL "$OWNER_ENV" | password_in_url)"
    # Both roles log in with the passwords in the settings files (set again on every run, so
    # the files stay the truth); the app role is no superuser, cannot create roles and owns
    # nothing (README "Two database roles").
    psql_admin <<EOF
SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY['$DB_OWNER', '$DB_APP_ROLE']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE $DB_OWNER LOGIN NOSUPERUSER NOCREATEROLE PASSWORD '$owner_password';
ALTER ROLE $DB_APP_ROLE LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '$app_password';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_OWNER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
EOF
    echo "Database $DB_NAME (owner $DB_OWNER, app role $DB_APP_ROLE) on $DB_HOST:$DB_PORT."
}

step_migrate() {
    as_app --owner meridian migrate --no-input
    as_app --owner meridian grant_app_role "$DB_APP_ROLE"
}

step_static() {
    as_app meridian collectstatic --no-input --verbosity 0
    echo "Static files collected into $VAR_DIR/staticfiles."
}

step_check() {
    as_app meridian check --deploy --fail-level WARNING
    # The records' protection, seen by the owner (README "Two database roles").
    as_app --owner meridian check --database default --fail-level WARNING
}

step_manager() {
    if [ -z "$MANAGER_USERNAME" ]; then
        echo "skipped: no --manager-username (create one later with: $HELPER meridian create_manager)"
        return
    fi
    [ -n "$MANAGER_EMAIL" ] || die "--manager-email is needed with --manager-username"
    as_app meridian create_manager --username "$MANAGER_USERNAME" --email "$MANAGER_EMAIL"
}

step_services() {
    [ "$DO_SYSTEMD" = 1 ] || { echo "skipped (--skip-systemd)"; return; }
    local unit
    for unit in meridian.socket meridian.service meridian-worker.service \
        meridian-reminders.service meridian-backup.service meridian-backup.timer; do
        # The unit files name the default paths; this installation's replace them.
        sed -e "s|/opt/meridian|$PREFIX|g" -e "s|/var/lib/meridian|$VAR_DIR|g" \
            -e "s|/etc/meridian|$ENV_DIR|g" -e "s|^User=meridian|User=$APP_USER|" \
            -e "s|^Group=meridian|Group=$APP_USER|" \
            -e "s|^ListenStream=127.0.0.1:8000|ListenStream=$BIND|" \
            "$HERE/systemd/$unit" >"/etc/systemd/system/$unit"
    done
    systemctl daemon-reload
    systemctl enable --now meridian.socket meridian-worker.service meridian-reminders.service \
        meridian-backup.timer
    # An upgrade: the running processes load the new code.
    systemctl try-restart meridian.service meridian-worker.service meridian-reminders.service
    systemctl --no-pager --lines=0 status meridian.socket meridian-worker.service || true
}

say "installing into $PREFIX (settings $ENV_DIR, data $VAR_DIR, database $DB_NAME)"
for step in $STEPS; do
    declare -F "step_$step" >/dev/null || die "unknown step $step"
    # Steps after venv need the helper; write it again in case an earlier run's is gone.
    [ "$step" = venv ] || [ ! -x "$VENV/bin/python" ] || [ -x "$HELPER" ] || write_helper
    say "$step"
    started=$SECONDS
    "step_$step"
    echo "($step: $((SECONDS - started)) s)"
done
say "done"

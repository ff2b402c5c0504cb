#!/usr/bin/env bash
# Throughput of the day calendar at scale: gunicorn with 2 workers (one per core of the
# reference machine), wrk with 2 threads and 8 connections for 20 s on the benchmark's busy
# day (200 appointments), logged in as the benchmark's front desk. Production-like settings:
# DEBUG off, the cached template loader, no static manifest needed (only the page is fetched),
# plain HTTP (no TLS proxy in front), and the production default for second factors (front
# desk staff need none).
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/meridian_bench tests/bench/throughput.sh
#   MERIDIAN_VAR_DIR=/tmp/bench tests/bench/throughput.sh
#
# The database must have been built by `manage.py benchmark` (it makes the front-desk
# session this script uses). Needs wrk (Debian: apt-get install wrk). PORT (8000),
# DURATION (20s), CONNECTIONS (8) and WORKERS (2) can be changed from the environment.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-8000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-8}
WORKERS=${WORKERS:-2}
export DEBUG=false STATIC_MANIFEST=false SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=127.0.0.1
# No collected static files: WhiteNoise would warn about the missing STATIC_ROOT.
export PYTHONWARNINGS="ignore:No directory at:UserWarning"
# Benchmark-only secrets when none are given: the scale database holds no real records.
export SECRET_KEY=${SECRET_KEY:-benchmark-secret-key-not-for-production-0123456789}
export MERIDIAN_RECORDS_KEY=${MERIDIAN_RECORDS_KEY:-benchmark-records-key-not-for-production-0123456789}
PYTHON=${PYTHON:-.venv/bin/python}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)." >&2; exit 1; }

session=$("$PYTHON" manage.py benchmark --session)
cookie=$(sed -n 1p <<<"$session")
path=$(sed -n 2p <<<"$session")
url="http://127.0.0.1:$PORT$path"

"$PYTHON" -m gunicorn clinic.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
    --access-logfile /dev/null --error-logfile - --log-level warning &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" && break
    sleep 0.2
done
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$url")
if [ "$status" != 200 ]; then
    echo "$url answered $status to the front desk's session, not 200." >&2
    exit 1
fi
echo "wrk: $url, $WORKERS gunicorn workers, $CONNECTIONS connections, $DURATION ($(nproc) cores)"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s --latency -H "Cookie: $cookie" "$url"

"""`/healthz`: is this install able to work? For a load balancer or a monitor, without login.

Four checks, each answered ok or failing with a short reason, and nothing else: no patient
data, no versions, no host names, no exception texts (a database error names its server).

- database: a trivial query on the default connection;
- migrations: none left to apply (the migration plan is empty); once that holds, this
  process does not ask again (a running app cannot lose a migration, and reading every
  migration file is the costliest part of the check);
- worker: the worker ran its heartbeat task (clinic/tasks.py) less than
  HEALTH_WORKER_MAX_AGE_SECONDS ago;
- disk: the file system holding BACKUP_DIR has at least HEALTH_MIN_FREE_DISK_MB free.

The answer is 200 when all four hold, 503 otherwise. The view needs no login, no second
factor, no password change and is exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT):
a load balancer probes it over plain HTTP. ALLOWED_HOSTS still applies.
"""

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from clinic import idle, two_factor
from clinic.models import WorkerHeartbeat
from clinic.tasks import WORKER

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str = ""

    def as_json(self) -> dict:
        return {"ok": True} if self.ok else {"ok": False, "reason": self.reason}


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check("database", False, "unreachable")
    return Check("database", True)


_migrations_applied = False  # per process: once true, it stays true


def forget_migrations_check() -> None:
    """Ask the database again on the next check (tests; the cache is per process)."""
    global _migrations_applied
    _migrations_applied = False


def check_migrations() -> Check:
    global _migrations_applied
    if _migrations_applied:
        return Check("migrations", True)
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return Check("migrations", False, "not readable")
    if plan:
        return Check("migrations", False, f"{len(plan)} not applied")
    _migrations_applied = True
    return Check("migrations", True)


def check_worker() -> Check:
    try:
        beat = WorkerHeartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    except DatabaseError:
        return Check("worker", False, "not readable")
    if beat is None:
        return Check("worker", False, "no heartbeat yet")
    age = (timezone.now() - beat).total_seconds()
    if age > settings.HEALTH_WORKER_MAX_AGE_SECONDS:
        return Check("worker", False, f"last heartbeat {int(age)} s ago")
    return Check("worker", True)


def _existing(path: Path) -> Path:
    """The folder itself, or its nearest existing parent (`backup` creates it on first use)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk() -> Check:
    try:
        free = shutil.disk_usage(_existing(Path(settings.BACKUP_DIR))).free
    except OSError:
        return Check("disk", False, "not readable")
    if free < settings.HEALTH_MIN_FREE_DISK_MB * 1024 * 1024:
        return Check("disk", False, "free space for backups below the minimum")
    return Check("disk", True)


def run_checks() -> list[Check]:
    database = check_database()
    if not database.ok:
        # The other two read the database: say why they were not asked.
        return [
            database,
            Check("migrations", False, "database unreachable"),
            Check("worker", False, "database unreachable"),
            check_disk(),
        ]
    return [database, check_migrations(), check_worker(), check_disk()]


@login_not_required
@two_factor.exempt
@idle.passive
@csrf_exempt  # a POST is answered 405 below, not 403: nothing here changes anything
@require_safe
def healthz(request):
    checks = run_checks()
    healthy = all(check.ok for check in checks)
    body = {
        "status": "ok" if healthy else "failing",
        "checks": {check.name: check.as_json() for check in checks},
    }
    # Cache-Control: no-store comes from clinic.headers.NoStoreMiddleware, like every answer.
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        # One WARNING naming what fails, instead of Django's ERROR for a 5xx answer: that one
        # is mailed to ADMIN_EMAILS, which a probe every few seconds would flood.
        failing = ", ".join(f"{check.name} ({check.reason})" for check in checks if not check.ok)
        logger.warning("Health check failing: %s", failing)
        response._has_been_logged = True  # read by django.utils.log.log_response
    return response

"""The clinic's own background task: the worker's heartbeat (README "Health check").

`manage.py send_reminders` enqueues `worker_heartbeat` every time it enqueues the reminder
pass (every minute), and the worker (`db_worker`, or `rqworker` with TASKS_BACKEND=rq) runs
it. So a recent beat says that the minute clock and the worker both run and the queue moves;
`/healthz` fails once the newest is older than HEALTH_WORKER_MAX_AGE_SECONDS.
"""

from django.utils import timezone
from django_tasks import task

from clinic.models import WorkerHeartbeat

WORKER = "worker"


@task(priority=100)  # the highest: a queue of deliveries must not hold up the beat
def worker_heartbeat() -> str:
    beat_at = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=WORKER, defaults={"beat_at": beat_at})
    return beat_at.isoformat()

"""The reminders' background tasks (Django's task API; the worker is `manage.py db_worker`).

django-tasks has no clock of its own: `manage.py send_reminders` (run every minute by
`make run`'s loop, or by cron) enqueues `reminder_pass`, which plans the log and enqueues one
`deliver_message` per due message.
"""

from django_tasks import task

from treatments.reminders import services


@task()
def reminder_pass() -> dict:
    figures = services.plan_messages()
    due = services.claim_due()
    for message_id in due:
        deliver_message.enqueue(message_id)
    return {"scheduled": figures.scheduled, "skipped": figures.skipped, "handed_out": len(due)}


@task()
def deliver_message(message_id: int) -> str:
    return services.deliver(message_id=message_id).state

"""The delivery log on the appointment and patient pages (one query each)."""

from django import template

from treatments.models import Message

register = template.Library()

# The patient page shows the newest; the Messages screen has them all.
PATIENT_MESSAGES_SHOWN = 20


@register.inclusion_tag("treatments/_delivery_log.html")
def delivery_log(*, appointment=None, patient=None):
    if appointment is not None:
        messages = Message.objects.filter(appointment=appointment).order_by("send_at", "pk")
        return {"messages": messages, "show_appointment": False}
    messages = Message.objects.filter(patient=patient).order_by("-send_at", "-pk")
    return {"messages": messages[:PATIENT_MESSAGES_SHOWN], "show_appointment": True}

"""The recall contacts shown on the patient page (the patients app does not import
treatments; its template loads this tag)."""

from django import template

from treatments.models import RecallContact

register = template.Library()


@register.inclusion_tag("treatments/_patient_recall_contacts.html", takes_context=True)
def patient_recall_contacts(context, patient):
    """The desk's contacts about the patient's recalls, newest first: one query."""
    return {
        "perms": context.get("perms"),
        "contacts": RecallContact.objects.filter(complaint__patient=patient).select_related(
            "contacted_by"
        ),
    }

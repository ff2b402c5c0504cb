"""The clinic's rule of thumb for the length of a course: a suggestion, never a rule."""

from dataclasses import dataclass

from django.conf import settings

from patients.models import Complaint


@dataclass(frozen=True)
class CourseSuggestion:
    sessions: int
    reason: str


def suggest_course_length(complaint: Complaint) -> CourseSuggestion:
    """One session for an acute complaint; three to six for a chronic one, more the longer
    the pain has lasted (thresholds in settings.COURSE_CHRONIC_SESSIONS)."""
    days = complaint.days_since_onset
    if complaint.is_acute:
        return CourseSuggestion(
            1,
            f"Acute: the pain began {days} day{'s' if days != 1 else ''} ago, so one session "
            f"may be all that is needed.",
        )
    weeks = days // 7
    sessions = next(
        (n for max_days, n in settings.COURSE_CHRONIC_SESSIONS if days <= max_days),
        settings.COURSE_CHRONIC_MAX_SESSIONS,
    )
    lasted = f"{weeks} weeks" if days < 91 else f"about {round(days / 30.4)} months"
    return CourseSuggestion(
        sessions,
        f"Chronic: the pain has lasted {lasted}; chronic pain usually needs three to six "
        f"sessions, more the longer it has lasted.",
    )

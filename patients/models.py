import re
from datetime import date, datetime

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, Lookup, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import formats, timezone
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber
from simple_history.models import HistoricalRecords

from clinic.text import fold

# Oldest plausible patient: a date of birth further back is a typing mistake.
MAX_AGE_YEARS = 130
# A postal address runs to 150 characters or so; 500 leaves room for directions ("side door,
# second bell"). Desk notes are practical (access needs, preferred times): 2,000 characters
# is a page of them; clinical detail belongs in complaints and session notes, not here.
ADDRESS_MAX_LENGTH = 500
DESK_NOTES_MAX_LENGTH = 2000


class PatientQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_archived=False)

    def search(self, query: str):
        """Patients matching a front-desk search box, each kind of query answered by an index.

        A date (day first as 14/03/1958, 14-03-1958 or 14.03.1958, or ISO 1958-03-14)
        matches the date of birth; a query of digits (spaces, dashes, + and brackets
        allowed) matches the phone number from its start (with or without the leading 0 or
        the country code: "07911 12" finds +44 7911 123456) or its last digits ("123456");
        anything else matches names: every word must begin some part of the given, family or
        preferred name ("marg conn" finds Margaret O'Connor-Smith), ignoring case, accents
        and punctuation ("zoe" finds Zoë, "oconnor" and "o'conn" find O'Connor). The same on
        SQLite and PostgreSQL: both look the words up in PatientSearchTerm's index.
        """
        query = query.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
        if not query:
            return self
        birth_date = parse_date_input(query)
        if birth_date is not None:
            return self.filter(date_of_birth=birth_date)
        if re.fullmatch(r"[\d\s()+\-.]+", query):
            digits = re.sub(r"\D", "", query)
            if len(digits) < MIN_PHONE_DIGITS:
                return self.none()
            # The last digits keep their zeros ("000003" ends +44 7900 000003); the start
            # drops the trunk 0 or the 00 before a country code.
            wanted = Q(kind=SearchTermKind.PHONE_END, term__prefix=digits[::-1])
            start = digits.lstrip("0")
            if len(start) >= MIN_PHONE_DIGITS:
                wanted |= Q(kind=SearchTermKind.PHONE, term__prefix=start)
            found = PatientSearchTerm.objects.filter(wanted)
            return self.filter(pk__in=found.values("patient_id")).by_name()
        words = name_parts(query)
        if not words:
            return self.none()
        # One indexed range per word, intersected by the database (INTERSECT): the patients
        # every word begins a name of. Filtering the patients once per word instead makes
        # PostgreSQL check each match of the first word against the second (1,680 probes for
        # "luca lange" among 100,000 patients: 16 ms, against 1.4 ms intersected).
        found = [
            PatientSearchTerm.objects.filter(kind=SearchTermKind.NAME, term__prefix=word).values(
                "patient_id"
            )
            for word in dict.fromkeys(words)
        ]
        matching = found[0].intersection(*found[1:]) if len(found) > 1 else found[0]
        return self.filter(pk__in=matching).by_name()

    def by_name(self):
        """In name order ignoring case ("de Vries" beside "De Vries"). For search results
        this also keeps PostgreSQL from walking the name index in order and checking each
        patient against the terms: "smi" would read every patient from A to S (1.1 s at
        100,000 patients) where fetching the matches and sorting them takes milliseconds."""
        return self.order_by(Lower("family_name"), Lower("given_name"), "date_of_birth", "pk")

    def possible_duplicates_of(
        self, *, given_name: str, family_name: str, date_of_birth
    ) -> list["Patient"]:
        """Patients with this name (ignoring case, accents and spacing: "Zoe Odegard" may well
        be Zoë Ødegård typed on another keyboard) and date of birth."""

        def key(name: str) -> str:
            return " ".join(fold(name).split())

        wanted = (key(given_name), key(family_name))
        return [
            patient
            for patient in self.filter(date_of_birth=date_of_birth)
            if (key(patient.given_name), key(patient.family_name)) == wanted
        ]


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# Day first, as clinics in Europe write dates, with any of the usual separators; the ISO
# form; then whatever else the site's locale accepts.
DAY_FIRST_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def parse_date_input(value: str) -> date | None:
    """The date `value` spells, or None (an impossible date such as 31.02.1958 is none)."""
    for fmt in (*DAY_FIRST_FORMATS, *formats.get_format("DATE_INPUT_FORMATS")):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


# Fewer digits than this match too many numbers to be worth a search (and are more likely
# part of a date or a typo).
MIN_PHONE_DIGITS = 3


def name_parts(text: str) -> list[str]:
    """The parts of a name as search compares them: folded (lower case, no accents) and split
    at spaces and punctuation: "O'Connor-Smith" has the parts o, connor and smith."""
    return re.findall(r"[^\W_]+", fold(text))


def search_terms_for(patient: "Patient") -> list[tuple[str, str]]:
    """What the search box finds `patient` by, as (kind, term) pairs: each part of each name
    and each name written without its gaps and punctuation from any part on ("oconnorsmith",
    "connorsmith"), so "oconnor" finds O'Connor; the phone number's digits from the start,
    nationally and with the country code; and its digits reversed, for the last digits."""
    names = set()
    for name in (patient.given_name, patient.family_name, patient.preferred_name):
        parts = name_parts(name or "")
        names.update(parts)
        names.update("".join(parts[i:]) for i in range(len(parts) - 1))
    terms = [(SearchTermKind.NAME, name) for name in sorted(names)]
    national, international = phone_digits(patient.phone)
    if national:
        terms += [(SearchTermKind.PHONE, term) for term in sorted({national, international})]
        terms.append((SearchTermKind.PHONE_END, international[::-1]))
    return terms


def phone_digits(phone) -> tuple[str, str]:
    """A phone number's digits as the desk types them from the start: without the leading 0
    (national) and with the country code (international), e.g. ("7911123456",
    "447911123456"); empty strings for no number."""
    if not phone:
        return "", ""
    if isinstance(phone, PhoneNumber) and phone.national_number:
        significant = phonenumbers.national_significant_number(phone)
        return significant.lstrip("0"), f"{phone.country_code}{significant}"
    digits = re.sub(r"\D", "", str(phone)).lstrip("0")  # not a parsed number: as it is
    return digits, digits


def search_name_for(*names: str) -> str:
    """Names as the patient search compares them: folded (lower case, no accents), one space
    apart."""
    return " ".join(fold(name) for name in names if name)


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"


class ContactConsent(models.TextChoices):
    """Whether the patient agreed to be contacted on a channel (reminders, notices)."""

    NOT_ASKED = "", "Not asked"
    YES = "yes", "Yes"
    OPTED_OUT = "opted_out", "Opted out"


def patient_display_name(given_name: str, preferred_name: str, family_name: str) -> str:
    """`Patient.display_name` from the three names, for lists that load only the names."""
    if preferred_name and preferred_name != given_name:
        return f"{given_name} ({preferred_name}) {family_name}"
    return f"{given_name} {family_name}"


class Patient(models.Model):
    """A person treated at the clinic. Patients are archived, never deleted."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the patient likes to be called, if different."
    )
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex, blank=True)
    phone = PhoneNumberField(help_text="Numbers without a country code are read as local numbers.")
    email = models.EmailField(blank=True, help_text="Optional: many patients have none.")
    # Limits as validators, not max_length: a text column's length is not the database's
    # business, and the model form and the service's full_clean() both run them.
    address = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(ADDRESS_MAX_LENGTH)],
        help_text=f"Up to {ADDRESS_MAX_LENGTH} characters.",
    )
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)
    front_desk_notes = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(DESK_NOTES_MAX_LENGTH)],
        help_text="Practical notes for the desk (access needs, preferred times), up to "
        f"{DESK_NOTES_MAX_LENGTH:,} characters.",
    )
    consent_given_on = models.DateField(
        null=True, blank=True, help_text="When the patient consented to treatment."
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Consent to be contacted (issue 16): per channel, with when and by whom it was last
    # recorded; earlier answers are in the patient's history.
    email_contact = models.CharField(
        "Reminders by e-mail",
        max_length=10,
        choices=ContactConsent,
        blank=True,
        default="",
        db_default="",
    )
    sms_contact = models.CharField(
        "Reminders by text message",
        max_length=10,
        choices=ContactConsent,
        blank=True,
        default="",
        db_default="",
    )
    contact_consent_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # The names folded for search ("zoe odegard peggy"); set by clean(), so by the service.
    search_name = models.TextField(blank=True, editable=False)
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()
    # Who changed what and when (shown to the clinic manager); search_name follows the names.
    history = HistoricalRecords(excluded_fields=["search_name", "updated_at"])

    class Meta:
        ordering = ["family_name", "given_name", "date_of_birth"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["-created_at"], name="patient_created_idx"),
            # Prefix lookups of the whole folded name (LIKE 'zoe odeg%'; text_pattern_ops lets
            # PostgreSQL use it whatever its collation): the benchmark's raw baseline. The
            # search box itself uses PatientSearchTerm.
            models.Index(
                fields=["search_name"],
                name="patient_search_name_idx",
                opclasses=["text_pattern_ops"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_given_on__isnull=True, consent_recorded_by__isnull=True)
                | Q(consent_given_on__isnull=False, consent_recorded_by__isnull=False),
                name="patient_consent_has_date_and_recorder",
            ),
            models.CheckConstraint(
                condition=Q(is_archived=False, archived_at__isnull=True)
                | Q(is_archived=True, archived_at__isnull=False),
                name="patient_archived_has_time",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self) -> str:
        """The name staff use, e.g. 'Margaret (Peggy) Okafor'."""
        return patient_display_name(self.given_name, self.preferred_name, self.family_name)

    @property
    def age(self) -> int:
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def has_consent(self) -> bool:
        return self.consent_given_on is not None

    def contact_refusal(self, *, by_email: bool) -> str:
        """Why the clinic may not write to this patient by e-mail (or text message): "" when
        it may. Reminders, notices and e-mailed sheets all ask this one rule."""
        if self.is_archived:
            return "Patient archived"
        consent = self.email_contact if by_email else self.sms_contact
        name = "e-mail" if by_email else "text message"
        if consent == ContactConsent.OPTED_OUT:
            return f"Patient opted out of {name}"
        if consent != ContactConsent.YES:
            return f"No consent to contact by {name}"
        if by_email and not self.email:
            return "No e-mail address"
        if not by_email and not self.phone:
            return "No phone number"
        return ""

    @property
    def email_refusal(self) -> str:
        return self.contact_refusal(by_email=True)

    def clean(self):
        super().clean()
        for field in ("given_name", "family_name", "preferred_name"):
            setattr(self, field, " ".join(getattr(self, field).split()))
        self.search_name = search_name_for(self.given_name, self.family_name, self.preferred_name)
        if self.date_of_birth:
            today = timezone.localdate()
            if self.date_of_birth > today:
                raise ValidationError({"date_of_birth": "The date of birth is in the future."})
            if self.date_of_birth < years_before(today, MAX_AGE_YEARS):
                raise ValidationError(
                    {"date_of_birth": f"That is more than {MAX_AGE_YEARS} years ago; please check."}
                )
        if self.consent_given_on and self.consent_given_on > timezone.localdate():
            raise ValidationError({"consent_given_on": "Consent cannot be dated in the future."})


class SearchTermKind(models.TextChoices):
    NAME = "name", "Part of a name"
    PHONE = "phone", "Phone digits from the start"
    PHONE_END = "phone end", "Phone digits from the end, reversed"


class Prefix(Lookup):
    """`term__prefix="marg"`: the term begins with "marg", by the term's index on both
    databases. PostgreSQL reads LIKE 'marg%' from a pattern_ops index; SQLite uses an index
    for GLOB 'marg*' (for LIKE only on case-insensitive columns), so it gets GLOB, with the
    value's own wildcards bracketed. For plain values (a word typed), not columns."""

    lookup_name = "prefix"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, (value,) = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE %s", [*lhs_params, connection.ops.prep_for_like_query(value) + "%"]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, (value,) = self.process_rhs(compiler, connection)
        return f"{lhs} GLOB %s", [*lhs_params, re.sub(r"([*?\[])", r"[\1]", value) + "*"]


class PatientSearchTerm(models.Model):
    """One thing the search box finds a patient by: a part of a name (folded), or phone
    digits. Kept by the patient service (patients.services.patient_index), whole for each
    patient, so every search is a prefix lookup in one index instead of a scan of every
    patient's names."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="search_terms")
    kind = models.CharField(max_length=10, choices=SearchTermKind)
    term = models.CharField(max_length=200)

    class Meta:
        indexes = [
            # Serves every search: kind, then the term's prefix; the patient's id beside it
            # answers the search from the index alone. varchar_pattern_ops lets PostgreSQL
            # use it for LIKE 'prefix%' whatever the database's collation.
            models.Index(
                fields=["kind", "term", "patient"],
                name="patient_search_term_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.term}"


PatientSearchTerm._meta.get_field("term").register_lookup(Prefix)


class BodyRegion(models.TextChoices):
    LOWER_BACK = "lower_back", "Lower back"
    HIP = "hip", "Hip"
    BUTTOCK = "buttock", "Buttock"
    THIGH = "thigh", "Thigh"
    KNEE = "knee", "Knee"
    LOWER_LEG = "lower_leg", "Calf / lower leg"
    FOOT = "foot", "Foot"
    OTHER = "other", "Other"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both"
    CENTRAL = "central", "Central"


class RedFlag(models.TextChoices):
    INFLAMMATION = "inflammation", "Signs of inflammation (swelling, redness, heat)"
    NUMBNESS = "numbness", "Numbness or tingling"
    WEAKNESS = "weakness", "Muscle weakness"
    BELOW_KNEE = "below_knee", "Pain radiating below the knee"
    BLADDER_BOWEL = "bladder_bowel", "Bladder or bowel changes"
    FEVER_WEIGHT = "fever_weight", "Fever or unexplained weight loss"
    TRAUMA = "trauma", "Recent trauma"


# Signs that point to nerve-root involvement (sciatica) rather than a muscle spasm.
SCIATICA_LIKE_FLAGS = frozenset({RedFlag.BELOW_KNEE, RedFlag.NUMBNESS, RedFlag.WEAKNESS})


class ComplaintStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    REFERRED = "referred", "Referred"


class ComplaintQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ComplaintStatus.ACTIVE)

    def resolved_with_date(self):
        """Resolved complaints, each with `resolved_at`: when it was last marked resolved,
        read from its history (the first resolved version with no later unresolved one).
        One subquery, whatever else the query filters."""
        versions = self.model.history.model.objects
        reopened_later = versions.filter(
            id=OuterRef("id"), history_date__gt=OuterRef("history_date")
        ).exclude(status=ComplaintStatus.RESOLVED)
        since = (
            versions.filter(id=OuterRef("pk"), status=ComplaintStatus.RESOLVED)
            .exclude(Exists(reopened_later))
            .order_by("history_date")
            .values("history_date")[:1]
        )
        return self.filter(status=ComplaintStatus.RESOLVED).annotate(resolved_at=Subquery(since))


class Complaint(models.Model):
    """One presenting problem of a patient. Acute or chronic follows from its onset."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="complaints")
    title = models.CharField(max_length=120, help_text="e.g. Right hip and leg pain")
    regions = models.JSONField(default=list, help_text="Body regions affected.")
    side = models.CharField(max_length=10, choices=Side)
    onset_date = models.DateField(help_text="When the pain began.")
    onset_story = models.TextField(
        "How it began", blank=True, help_text='e.g. "Hill walk, then a long bus ride home."'
    )
    pain_at_intake = models.PositiveSmallIntegerField(
        "Pain at intake (0–10)", help_text="0 = no pain, 10 = worst pain imaginable."
    )
    aggravating_factors = models.TextField(blank=True)
    easing_factors = models.TextField(blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ComplaintStatus, default=ComplaintStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-onset_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_at_intake__gte=0, pain_at_intake__lte=10),
                name="complaint_pain_0_to_10",
            ),
        ]

    def __str__(self):
        return self.title

    # --- acute or chronic ---------------------------------------------------------------
    @property
    def days_since_onset(self) -> int:
        return (timezone.localdate() - self.onset_date).days

    @property
    def is_acute(self) -> bool:
        """Acute while the pain began at most ACUTE_ONSET_MAX_DAYS ago; chronic after."""
        return self.days_since_onset <= settings.ACUTE_ONSET_MAX_DAYS

    @property
    def is_chronic(self) -> bool:
        return not self.is_acute

    @property
    def phase(self) -> str:
        return "Acute" if self.is_acute else "Chronic"

    # --- red flags ----------------------------------------------------------------------
    @property
    def has_red_flags(self) -> bool:
        return bool(self.red_flags)

    @property
    def has_inflammation(self) -> bool:
        """Heat is not advised with inflammation: home-care sheets leave it out."""
        return RedFlag.INFLAMMATION in self.red_flags

    @property
    def is_sciatica_like(self) -> bool:
        return bool(SCIATICA_LIKE_FLAGS.intersection(self.red_flags))

    @property
    def red_flag_labels(self) -> list[str]:
        return [label for value, label in RedFlag.choices if value in self.red_flags]

    @property
    def region_labels(self) -> list[str]:
        return [label for value, label in BodyRegion.choices if value in self.regions]

    def clean(self):
        super().clean()
        errors = {}
        if not isinstance(self.regions, list) or not self.regions:
            errors["regions"] = "Choose at least one body region."
        elif unknown := set(self.regions) - set(BodyRegion.values):
            errors["regions"] = f"Unknown body regions: {', '.join(sorted(unknown))}."
        if not isinstance(self.red_flags, list):
            errors["red_flags"] = "Red flags must be a list."
        elif unknown := set(self.red_flags) - set(RedFlag.values):
            errors["red_flags"] = f"Unknown red flags: {', '.join(sorted(unknown))}."
        if self.onset_date:
            if self.onset_date > timezone.localdate():
                errors["onset_date"] = "The onset date is in the future."
            elif self.patient_id and self.onset_date < self.patient.date_of_birth:
                errors["onset_date"] = "The onset date is before the patient's date of birth."
        if self.pain_at_intake is not None and not 0 <= self.pain_at_intake <= 10:
            errors["pain_at_intake"] = "Pain is scored from 0 to 10."
        if errors:
            raise ValidationError(errors)
        # Stored in the order of the choices, so the same set always looks the same.
        self.regions = [value for value in BodyRegion.values if value in self.regions]
        self.red_flags = [value for value in RedFlag.values if value in self.red_flags]

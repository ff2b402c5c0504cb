"""Fill a database with a believable demo clinic: staff, rooms, patients and their complaints,
working hours and time off, treatment courses and a diary of appointments around today.

    python manage.py seed_demo             # create the demo clinic (once; a rerun is a no-op)
    python manage.py seed_demo --if-empty  # only when there are no users and no patients yet

Every write goes through the services, so the demo data passes the same validation as real
data. Faker runs with a fixed seed, so the same people and stories come out every time; dates
are counted back from today, so acute complaints are still acute on the day of the demo.

The diary centres on the demo day (today, or Monday when today is a Sunday): about a dozen
appointments that day, courses that began one to three weeks ago with their first sessions
completed ("2 of 4"), courses and acute visits over the next weeks, one cancellation.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

try:
    from faker import Faker
except ImportError:  # the `demo` extra: production installs leave it out
    Faker = None

from clinic.models import ClinicProfile, Practitioner, User
from clinic.roles import Role
from clinic.services import clinic_profile_save, room_save, staff_create
from patients.models import BodyRegion as R
from patients.models import ContactConsent, Patient, RedFlag, Sex, Side
from patients.services import complaint_record, patient_register
from treatments.demo import notes as demo_notes
from treatments.demo import recalls as demo_recalls
from treatments.demo.diary import SCHEDULE_SEED, DemoDiary

DEMO_PASSWORD = "meridian-demo"
FAKER_SEED = 5102
PATIENT_COUNT = 200

# (username, first name, last name, role, practitioner profile)
STAFF = (
    ("manager", "Helen", "Marsh", Role.MANAGER, None),
    ("frontdesk", "Tom", "Okafor", Role.FRONT_DESK, None),
    ("frontdesk2", "Grace", "Lindqvist", Role.FRONT_DESK, None),
    ("practitioner", "Ana", "Reyes", Role.PRACTITIONER,
     {"display_name": "Dr Ana Reyes", "credentials": "L.Ac.", "colour": "#2a9d8f"}),
    ("practitioner2", "James", "Whitfield", Role.PRACTITIONER,
     {"display_name": "James Whitfield", "credentials": "MBAcC", "colour": "#e76f51"}),
    ("practitioner3", "Priya", "Natarajan", Role.PRACTITIONER,
     {"display_name": "Priya Natarajan", "credentials": "MBAcC, BSc", "colour": "#6a4c93"}),
)  # fmt: skip
ROOMS = ("Room 1 – Willow", "Room 2 – Birch", "Room 3 – Cedar")
# The demo clinic's details for its sheets, unless the clinic's own are already there. The
# phone is in Ofcom's drama range for Manchester: the London one below is the patients'.
CLINIC = {
    "phone": "0161 496 0000",
    "email": "desk@meridian-clinic.example",
    "address": "12 Mill Lane\nManchester M1 1AA",
    "sheet_footer": "Open Monday to Friday 8:00–20:00 and Saturday 9:00–14:00.",
}

# Ofcom keeps 020 7946 0xxx for drama, so no real person gets called. Its drama mobile range
# (07700 900xxx) fails phonenumbers' validation, which the model field applies.
PHONE_NUMBERS = tuple(f"020 7946 0{n:03d}" for n in range(1000))

PREFERRED_NAMES = {
    Sex.FEMALE: {"Margaret": "Peggy", "Elizabeth": "Liz", "Catherine": "Kate",
                 "Rebecca": "Becky", "Susan": "Sue", "Victoria": "Tori"},
    Sex.MALE: {"William": "Bill", "Robert": "Rob", "Edward": "Ted", "Anthony": "Tony",
               "Christopher": "Kit", "Jonathan": "Jon"},
}  # fmt: skip
DESK_NOTES = (
    "Prefers morning appointments.",
    "Works shifts: call after 4pm.",
    "Uses a walking stick; ground-floor room please.",
    "Hard of hearing: text rather than call.",
    "Often brings a toddler; needs space for the buggy.",
    "Self-funding; asks for a receipt each visit.",
)

# (weight, title, regions, possible sides): most clinics see back, hip, buttock and leg.
LR = (Side.LEFT, Side.RIGHT)
COMPLAINTS = (
    (6, "{Side} hip and leg pain", (R.HIP, R.THIGH), LR),
    (6, "Lower back and {side} buttock pain", (R.LOWER_BACK, R.BUTTOCK), LR),
    (5, "Low back pain spreading into the {side} hip", (R.LOWER_BACK, R.HIP), LR),
    (4, "{Side} hip, buttock and leg pain", (R.HIP, R.BUTTOCK, R.THIGH), LR),
    (4, "{Side} buttock pain down the back of the thigh", (R.BUTTOCK, R.THIGH), LR),
    (3, "Lower back stiffness", (R.LOWER_BACK,), (Side.CENTRAL,)),
    (3, "Lower back and hip pain on both sides", (R.LOWER_BACK, R.HIP), (Side.BOTH,)),
    (2, "{Side}-sided low back pain", (R.LOWER_BACK,), LR),
    (1, "{Side} knee pain", (R.KNEE,), LR),
    (1, "{Side} heel and arch pain", (R.FOOT,), LR),
    (1, "Neck and shoulder tension", (R.OTHER,), (Side.BOTH,)),
)
# Overdoing it, then a long stretch of sitting: the pattern behind most muscle spasms.
ONSET_STORIES = (
    "Round of golf at the company outing, then an hour sitting at lunch.",
    "Hill walk, then a long coach ride home.",
    "First charity run, then a film in the evening.",
    "Moved house over the weekend, then a four-hour drive to return the van.",
    "Dug over the allotment all morning, then fell asleep in the armchair.",
    "Two sets of tennis after a winter off, then a long train journey.",
    "Painted the spare-room ceiling, then an evening on the sofa.",
    "Five-a-side with colleagues, then a three-hour drive back.",
    "Carried luggage through the airport, then a nine-hour flight.",
    "Danced at a wedding until midnight, then the coach home next morning.",
    "Cleared out the garage, then a full day at the desk.",
    "Laid a patio over the bank holiday, then straight back to a desk job.",
    "No single cause; came on during a week of double shifts at the till.",
)
AGGRAVATING = (
    "Sitting for more than 20 minutes.", "Getting out of the car.", "Putting on socks.",
    "Stairs, especially going down.", "Worst first thing in the morning.", "Standing in queues.",
)  # fmt: skip
EASING = (
    "Gentle walking.", "A hot bath.", "Lying on the back with knees bent.",
    "Moving about; stiffens up if still.", "Ibuprofen takes the edge off.",
)  # fmt: skip
INFLAMMATION_FLAGS = ((RedFlag.INFLAMMATION,), (RedFlag.INFLAMMATION, RedFlag.TRAUMA))
# Nerve-root signs only make sense for one-sided pain from the back, buttock or hip.
RED_FLAG_SETS = (
    *INFLAMMATION_FLAGS,
    (RedFlag.BELOW_KNEE,),
    (RedFlag.BELOW_KNEE, RedFlag.NUMBNESS),
    (RedFlag.NUMBNESS,),
    (RedFlag.BELOW_KNEE, RedFlag.NUMBNESS, RedFlag.WEAKNESS),
)


class Command(BaseCommand):
    help = (
        "Create a demo clinic: 6 staff logins, 3 rooms, working hours, 200 patients with "
        "complaints, treatment courses and appointments around today."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any user or patient exists (used by `make run`).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (the demo logins share one published password).",
        )

    def handle(self, *args, if_empty: bool, allow_production: bool, **options):
        if Faker is None:
            raise CommandError(
                "seed_demo needs Faker, which is only installed with the demo extra: "
                "pip install 'meridian[demo]' (or, in a checkout, `make install`)."
            )
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates logins whose password is published; it runs only with "
                "DEBUG=true (as `make run` sets), or with --allow-production on a database "
                "that is not a real clinic's."
            )
        if if_empty and (User.objects.exists() or Patient.objects.exists()):
            self.stdout.write("seed_demo: the database already has users or patients; skipped.")
            return
        usernames = [username for username, *_ in STAFF]
        existing = set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        if "manager" in existing:
            self.stdout.write("The demo data is already there; nothing was created.")
        elif existing:
            # Creating the rest around someone's real accounts would leave a half demo.
            raise CommandError(f"Users {', '.join(sorted(existing))} exist but no demo manager.")
        else:
            with transaction.atomic():
                summary = self._create_clinic()
            self.stdout.write(self.style.SUCCESS(f"Created the demo clinic with {summary}."))
        self._write_logins()

    def _create_clinic(self) -> int:
        users = {}
        for username, first, last, role, profile in STAFF:
            users[username] = staff_create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@example.com".lower(),
                password=DEMO_PASSWORD,
                roles=[role],
                practitioner=profile,
                by=users.get("manager"),
            )
        for name in ROOMS:
            room_save(name=name, by=users["manager"])
        profile = ClinicProfile.objects.current()
        if not profile.phone:
            clinic_profile_save(name=profile.name, **CLINIC, by=users["manager"])

        fake = Faker("en_GB")
        fake.seed_instance(FAKER_SEED)
        rng = fake.random
        today = timezone.localdate()
        phones = rng.sample(PHONE_NUMBERS, len(PHONE_NUMBERS))
        desk = [users["frontdesk"], users["frontdesk2"]]
        practitioners = [users[name] for name in ("practitioner", "practitioner2", "practitioner3")]
        # Consent to reminders from a generator of its own, so the rest of the demo stays as
        # it was before reminders existed.
        answers = random.Random(FAKER_SEED + 16)
        for i in range(PATIENT_COUNT):
            patient = patient_register(
                by=desk[i % 2],
                consent_given=rng.random() < 0.88,
                **_patient(fake, phones, today),
                **_contact_consent(answers),
            )
            for story in rng.sample(ONSET_STORIES, rng.choice((1, 1, 2))):
                complaint_record(
                    patient=patient,
                    by=practitioners[i % 3],
                    **_complaint(fake, today, patient.date_of_birth, story),
                )
        diary = DemoDiary(users, today)
        diary.create()
        recalled = demo_recalls.create_recalls(diary, desk[0])
        demo_notes.create_point_sets(Practitioner.objects.all())
        written = demo_notes.write_notes(random.Random(SCHEDULE_SEED))
        return (
            f"{PATIENT_COUNT} patients, {diary.summary()}, {written} signed session notes, "
            f"{recalled} patients to recall"
        )

    def _write_logins(self):
        self.stdout.write(f"\nDemo logins (every password is {DEMO_PASSWORD!r}):")
        self.stdout.write(f"  {'username':<15}{'role':<17}password")
        for username, _, _, role, _ in STAFF:
            self.stdout.write(f"  {username:<15}{role.label:<17}{DEMO_PASSWORD}")


def _patient(fake: Faker, phones: list[str], today) -> dict:
    rng = fake.random
    sex = rng.choices((Sex.FEMALE, Sex.MALE, ""), weights=(53, 44, 3))[0]
    nicknames = PREFERRED_NAMES.get(sex, {})
    if nicknames and rng.random() < 0.12:
        given = rng.choice(list(nicknames))
        preferred = nicknames[given]
    else:
        given = fake.first_name_male() if sex == Sex.MALE else fake.first_name_female()
        preferred = ""
    family = fake.last_name()
    # Adults, most of them of working age: the people who overdo it at the weekend.
    age_days = int(rng.triangular(18, 88, 45) * 365.25)
    fields = {
        "given_name": given,
        "family_name": family,
        "preferred_name": preferred,
        "date_of_birth": today - timedelta(days=age_days),
        "sex": sex,
        "phone": phones.pop(),
    }
    if rng.random() < 0.6:
        # example.com/.org/.net are reserved, so a demo email can never reach anyone.
        local = "".join(
            c for c in f"{preferred or given}.{family}".lower() if c.isalpha() or c == "."
        )
        fields["email"] = f"{local}@example.{rng.choice(('com', 'org', 'net'))}"
    if rng.random() < 0.75:
        fields["address"] = fake.address()
    if rng.random() < 0.5:
        fields["emergency_contact_name"] = (
            f"{fake.first_name()} {rng.choice((family, fake.last_name()))}"
        )
        fields["emergency_contact_phone"] = phones.pop()
    if rng.random() < 0.15:
        fields["front_desk_notes"] = rng.choice(DESK_NOTES)
    return fields


def _contact_consent(answers: random.Random) -> dict:
    """Most demo patients agreed to reminders; a few opted out of one channel; some were
    never asked (their reminders are skipped with that reason)."""

    def one() -> str:
        roll = answers.random()
        if roll < 0.8:
            return ContactConsent.YES
        return ContactConsent.OPTED_OUT if roll < 0.87 else ContactConsent.NOT_ASKED

    return {"email_contact": one(), "sms_contact": one()}


def _complaint(fake: Faker, today, born, story: str) -> dict:
    rng = fake.random
    (_, title, regions, sides) = rng.choices(COMPLAINTS, weights=[c[0] for c in COMPLAINTS])[0]
    side = rng.choice(sides)
    acute_days = settings.ACUTE_ONSET_MAX_DAYS
    if rng.random() < 0.4:
        onset, pain = today - timedelta(days=rng.randint(0, acute_days)), rng.randint(5, 9)
    else:
        # Weeks to months, as chronic pain presents; none sits on the acute/chronic boundary.
        onset = today - timedelta(days=rng.randint(acute_days + 7, 540))
        pain = rng.randint(3, 8)
    nerve_root_possible = side in LR and {R.LOWER_BACK, R.BUTTOCK, R.HIP} & set(regions)
    flag_sets = RED_FLAG_SETS if nerve_root_possible else INFLAMMATION_FLAGS
    red_flags = list(rng.choice(flag_sets)) if rng.random() < 0.18 else []
    if RedFlag.BELOW_KNEE in red_flags:
        regions = (*regions, R.LOWER_LEG)
    return {
        "title": title.format(side=side.value, Side=side.label),
        "regions": list(regions),
        "side": side,
        # The model rejects pain that began before birth; cheap insurance for the youngest.
        "onset_date": max(onset, born),
        "onset_story": story,
        "pain_at_intake": pain,
        "aggravating_factors": rng.choice(AGGRAVATING) if rng.random() < 0.7 else "",
        "easing_factors": rng.choice(EASING) if rng.random() < 0.6 else "",
        "red_flags": red_flags,
    }

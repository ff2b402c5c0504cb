"""Small builders for test data. They write rows directly: tests of the services call the
services themselves."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.models import Practitioner, Room, User
from clinic.roles import Role
from patients.models import BodyRegion, Complaint, Patient, Side

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory, roles=[Role.PRACTITIONER])
    display_name = factory.LazyAttribute(lambda p: f"{p.user.first_name} {p.user.last_name}")
    credentials = "L.Ac."


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=85)
    phone = factory.Sequence(lambda n: f"+44 7911 {n % 1000000:06d}")


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    patient = factory.SubFactory(PatientFactory)
    title = "Right hip and leg pain"
    regions = factory.LazyFunction(lambda: [BodyRegion.LOWER_BACK, BodyRegion.HIP])
    side = Side.RIGHT
    onset_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=5))
    pain_at_intake = 6

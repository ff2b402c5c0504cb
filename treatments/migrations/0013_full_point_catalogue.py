"""The full point catalogue from treatments/data/acupuncture_points.csv (see its README):
the WHO standard's 361 meridian points and 48 extra points. Points already in the catalogue
keep their rows (notes point at them) and take the file's names; any other point (ASHI, or a
clinic's own) keeps its place after them. Managers may add and retire points."""

import csv
from pathlib import Path

from django.db import migrations

from clinic.roles import Role, grant_permissions

DATA = Path(__file__).resolve().parent.parent / "data" / "acupuncture_points.csv"
AFTER_THE_STANDARD = 10_000


def load(apps, schema_editor):
    AcupuncturePoint = apps.get_model("treatments", "AcupuncturePoint")
    with DATA.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    codes = set()
    for position, row in enumerate(rows, start=1):
        AcupuncturePoint.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["pinyin"],
                "english": row["english"],
                "meridian": row["meridian"],
                "position": position,
            },
        )
        codes.add(row["code"])
    AcupuncturePoint.objects.exclude(code__in=codes).update(position=AFTER_THE_STANDARD)
    grant_permissions(
        apps,
        "treatments",
        {Role.MANAGER: ["add_acupuncturepoint", "change_acupuncturepoint"]},
    )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0012_point_catalogue_fields")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

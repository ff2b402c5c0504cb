"""The clinic's standard home-care advice (DOMAIN.md, "Home care"), who may use it, and on
PostgreSQL a trigger that keeps issued sheets exactly as they were printed."""

from django.db import migrations

from clinic.roles import Role, grant_permissions

BACK = ["lower_back", "buttock", "hip"]
ITEMS = [
    # title, kind, instructions, dose, regions, not with inflammation, position
    (
        "Moist heat on the lower back and buttock",
        "heat",
        "Lay a moist heating pad over the muscles of your lower back and buttock.\n"
        "Keep it there for 20 minutes.\n"
        "Do this before your stretches, so that the muscles are warm.",
        "20 minutes, once or twice a day",
        BACK,
        True,
        10,
    ),
    (
        "A hot bath instead of the heating pad",
        "heat",
        "Soak in a hot bath, deep enough to cover your lower back.\n"
        "Get out slowly and keep warm afterwards.",
        "15 to 20 minutes",
        BACK,
        True,
        20,
    ),
    (
        "Knees to chest",
        "stretch",
        "Only once your back is warm.\n"
        "Lie on your back on a firm surface.\n"
        "Slowly pull both knees towards your chest.\n"
        "Hold, then lower your feet to the floor slowly.",
        "Hold 20 to 30 seconds, 3 times",
        ["lower_back", "buttock", "hip"],
        False,
        30,
    ),
    (
        "Knee towards the opposite shoulder",
        "stretch",
        "Only once your back is warm.\n"
        "Lie on your back.\n"
        "Take the knee of the painful leg in both hands.\n"
        "Slowly move it towards the opposite shoulder until you feel a gentle stretch in "
        "the hip and buttock.",
        "Hold 20 to 30 seconds, 3 times, twice a day",
        ["hip", "buttock", "thigh"],
        False,
        40,
    ),
    (
        "Keep moving between long sits",
        "movement",
        "Avoid sitting for long stretches: stand up and walk a little every 30 to 45 "
        "minutes.\n"
        "After unusual effort (a round of golf, a long walk, a run), walk gently for a while "
        "before you sit down for long.",
        "",
        [],
        False,
        50,
    ),
    (
        "Cautions with every stretch",
        "caution",
        "Everything in moderation.\n"
        "Stretch only when your back is warm.\n"
        "Move slowly.\n"
        "Never stretch to the point of pain.\n"
        "Never push or pull too hard.",
        "",
        [],
        False,
        60,
    ),
    (
        "When to contact us",
        "seek_help",
        "If the pain persists or gets worse, contact the clinic: your practitioner can give "
        "quick relief.\n"
        "Contact us or your doctor straight away if you notice numbness or weakness, pain "
        "spreading below the knee, changes in bladder or bowel, or a fever.",
        "",
        [],
        False,
        70,
    ),
]

GRANTS = {
    Role.FRONT_DESK: ["view_homecaresheet"],
    Role.PRACTITIONER: [
        "view_homecareitem",
        "add_homecareitem",
        "change_homecareitem",
        "view_homecaresheet",
        "add_homecaresheet",
    ],
    Role.MANAGER: [
        "view_homecareitem",
        "add_homecareitem",
        "change_homecareitem",
        "view_homecaresheet",
    ],
}

TRIGGER = """
CREATE TRIGGER home_care_sheet_is_final
    BEFORE UPDATE OR DELETE ON treatments_homecaresheet
    FOR EACH ROW EXECUTE FUNCTION meridian_refuse_change();
"""


def forwards(apps, schema_editor):
    HomeCareItem = apps.get_model("treatments", "HomeCareItem")
    for title, kind, instructions, dose, regions, no_inflammation, position in ITEMS:
        HomeCareItem.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind,
                "instructions": instructions,
                "dose": dose,
                "regions": regions,
                "not_with_inflammation": no_inflammation,
                "position": position,
            },
        )
    grant_permissions(apps, "treatments", GRANTS)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS home_care_sheet_is_final ON treatments_homecaresheet"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0008_home_care"),
        ("treatments", "0007_note_triggers_on_postgresql"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""The acupuncture point catalogue, and who may read and write session notes.

Front-desk staff get no permission on notes: they see that a note exists and is signed
(shown from the appointment), never its content.
"""

from django.db import migrations

from clinic.roles import Role, grant_permissions

POINTS = [
    # code, name, meridian
    ("GB29", "Juliao", "Gallbladder"),
    ("GB30", "Huantiao", "Gallbladder"),
    ("GB31", "Fengshi", "Gallbladder"),
    ("GB34", "Yanglingquan", "Gallbladder"),
    ("GB39", "Xuanzhong", "Gallbladder"),
    ("GB41", "Zulinqi", "Gallbladder"),
    ("BL23", "Shenshu", "Bladder"),
    ("BL24", "Qihaishu", "Bladder"),
    ("BL25", "Dachangshu", "Bladder"),
    ("BL26", "Guanyuanshu", "Bladder"),
    ("BL36", "Chengfu", "Bladder"),
    ("BL37", "Yinmen", "Bladder"),
    ("BL40", "Weizhong", "Bladder"),
    ("BL54", "Zhibian", "Bladder"),
    ("BL57", "Chengshan", "Bladder"),
    ("BL60", "Kunlun", "Bladder"),
    ("BL62", "Shenmai", "Bladder"),
    ("GV3", "Yaoyangguan", "Governing Vessel"),
    ("GV4", "Mingmen", "Governing Vessel"),
    ("SI3", "Houxi", "Small Intestine"),
    ("ST36", "Zusanli", "Stomach"),
    ("SP6", "Sanyinjiao", "Spleen"),
    ("KI3", "Taixi", "Kidney"),
    ("LI4", "Hegu", "Large Intestine"),
    ("LR3", "Taichong", "Liver"),
    ("EX-B2", "Huatuojiaji", "Extra point"),
    ("EX-UE7", "Yaotongdian", "Extra point"),
    ("ASHI", "Ashi point (tender point)", ""),
]

NOTES = ["view_sessionnote", "add_sessionnote", "change_sessionnote", "view_noteaddendum"]
GRANTS = {
    Role.PRACTITIONER: [
        *NOTES,
        "add_noteaddendum",
        "view_acupuncturepoint",
        "view_pointset",
        "add_pointset",
        "change_pointset",
        "delete_pointset",
    ],
    Role.MANAGER: [
        "view_sessionnote",
        "view_noteaddendum",
        "view_acupuncturepoint",
        "view_accesslog",
        "view_historicalsessionnote",
        "view_historicalnoteaddendum",
    ],
}


def seed(apps, schema_editor):
    AcupuncturePoint = apps.get_model("treatments", "AcupuncturePoint")
    for code, name, meridian in POINTS:
        AcupuncturePoint.objects.get_or_create(
            code=code, defaults={"name": name, "meridian": meridian}
        )
    grant_permissions(apps, "treatments", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0005_session_notes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

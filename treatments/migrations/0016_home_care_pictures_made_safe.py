"""Issue 15: library pictures kept before the picture checks existed go through them now.

An SVG is rebuilt from the safe subset, a PNG or JPEG saved again within the pixel cap; a
picture that fails (a nested-<use> SVG that hung sheets' PDFs and the library page in
Chromium, a 12000 × 12000 PNG) is removed from its item, which then prints without one.
Sheets already issued keep their snapshot: their pages show each picture through
clinic.pictures.shown_picture instead."""

from django.db import migrations

from clinic.pictures import stored_picture_made_safe


def make_pictures_safe(apps, schema_editor) -> int:
    """How many items' pictures changed."""
    HomeCareItem = apps.get_model("treatments", "HomeCareItem")
    changed = 0
    for pk, picture in HomeCareItem.objects.exclude(illustration="").values_list(
        "pk", "illustration"
    ):
        safe = stored_picture_made_safe(picture)
        if safe != picture:
            HomeCareItem.objects.filter(pk=pk).update(illustration=safe)
            changed += 1
    return changed


class Migration(migrations.Migration):
    dependencies = [("treatments", "0015_home_care_heat_not_with_inflammation")]

    operations = [migrations.RunPython(make_pictures_safe, migrations.RunPython.noop)]

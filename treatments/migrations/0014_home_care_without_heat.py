"""Home-care advice that needs warm muscles says what to do instead on a sheet without heat,
and the hip stretch is tagged for the lower back and hip presentation like the other relief
advice (the matching rule in treatments.homecare.matching covers leg-only complaints)."""

from django.db import migrations, models

WALK_FIRST = (
    "Warm up first with five minutes of gentle walking about the house, then "
    "stretch. If you are not sure, ask your practitioner before you start."
)
WITHOUT_HEAT = {
    "Knees to chest": WALK_FIRST,
    "Knee towards the opposite shoulder": WALK_FIRST,
    "Cautions with every stretch": (
        "Your back is warm enough after five minutes of gentle walking; if you are not sure, "
        "ask your practitioner first."
    ),
}
HIP_STRETCH = "Knee towards the opposite shoulder"
HIP_STRETCH_REGIONS = (["hip", "buttock", "thigh"], ["lower_back", "hip", "buttock"])


def forwards(apps, schema_editor):
    HomeCareItem = apps.get_model("treatments", "HomeCareItem")
    for title, text in WITHOUT_HEAT.items():
        HomeCareItem.objects.filter(title=title, without_heat="").update(without_heat=text)
    old, new = HIP_STRETCH_REGIONS
    for item in HomeCareItem.objects.filter(title=HIP_STRETCH):
        if item.regions == old:  # as the clinic received it, not as a manager changed it
            item.regions = new
            item.save(update_fields=["regions"])


def backwards(apps, schema_editor):
    HomeCareItem = apps.get_model("treatments", "HomeCareItem")
    new, old = HIP_STRETCH_REGIONS
    for item in HomeCareItem.objects.filter(title=HIP_STRETCH):
        if item.regions == old:
            item.regions = new
            item.save(update_fields=["regions"])


class Migration(migrations.Migration):
    dependencies = [("treatments", "0013_full_point_catalogue")]

    operations = [
        migrations.AddField(
            model_name="homecareitem",
            name="without_heat",
            field=models.TextField(
                blank=True,
                help_text=(
                    "What to do instead when the sheet has no heat (for steps that need warmth)."
                ),
                verbose_name="Without heat",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]

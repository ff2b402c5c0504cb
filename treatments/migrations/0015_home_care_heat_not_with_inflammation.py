"""A heat item is always "not advised with inflammation". Heat items saved without the tick
(the item form used to preselect Heat with the box empty) get it first, so the constraint
can be added: the safe direction, since such an item is then left out of the suggestion
only when inflammation is recorded."""

from django.db import migrations, models


def tick_heat_items(apps, schema_editor):
    HomeCareItem = apps.get_model("treatments", "HomeCareItem")
    HomeCareItem.objects.filter(kind="heat", not_with_inflammation=False).update(
        not_with_inflammation=True
    )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0014_home_care_without_heat")]

    operations = [
        migrations.RunPython(tick_heat_items, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="homecareitem",
            constraint=models.CheckConstraint(
                condition=~models.Q(kind="heat") | models.Q(not_with_inflammation=True),
                name="home_care_heat_not_with_inflammation",
                violation_error_message="Heat is not advised with inflammation.",
            ),
        ),
    ]

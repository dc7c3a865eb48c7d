from django.db import migrations


def load(apps, schema_editor):
    from firms.reference import reference_load

    reference_load(
        province_model=apps.get_model("firms", "Province"),
        sector_model=apps.get_model("firms", "Sector"),
    )
    apps.get_model("auth", "Group").objects.get_or_create(name="analysts")


class Migration(migrations.Migration):
    dependencies = [("firms", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.db import migrations


def create_default(apps, schema_editor):
    from rankings.methodology import spec_default

    Methodology = apps.get_model("rankings", "Methodology")
    if not Methodology.objects.exists():
        Methodology.objects.create(
            version=1,
            name="SME index, default",
            notes="Five equally weighted pillars (OECD/JRC Handbook steps).",
            spec=spec_default(),
            is_active=True,
        )


class Migration(migrations.Migration):
    dependencies = [("rankings", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]

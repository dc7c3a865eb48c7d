"""Discovered clusters were linked to the Sector whose primary key equals their division
code (e.g. 14 -> a class), not to the division itself. Relink them from their code."""

from django.db import migrations


def relink(apps, schema_editor):
    Cluster = apps.get_model("clusters", "Cluster")
    Sector = apps.get_model("firms", "Sector")
    divisions = dict(Sector.objects.filter(level="division").values_list("code", "pk"))
    for cluster in Cluster.objects.filter(kind="discovered", code__startswith="D-"):
        division = cluster.code.rsplit("-", 1)[-1]
        if division in divisions:
            cluster.sectors.set([divisions[division]])


class Migration(migrations.Migration):
    dependencies = [("clusters", "0001_initial"), ("firms", "0002_reference_data")]

    operations = [migrations.RunPython(relink, migrations.RunPython.noop)]

"""Persian titles for every ISIC Rev.4 group and class.

Databases migrated before `firms/fixtures/isic_titles_fa.csv` covered groups and classes got
Persian titles only for sections and divisions from 0002. This sets `title_fa` of every
sector from the CSV, read by the same loader 0002 uses, so old and new databases agree.
"""

from django.db import migrations


def set_persian_titles(apps, schema_editor):
    from firms.reference import _fa_titles

    sector_model = apps.get_model("firms", "Sector")
    titles = _fa_titles()
    changed = []
    for sector in sector_model.objects.only("pk", "code", "title_fa"):
        title = titles.get(sector.code, sector.title_fa)
        if title != sector.title_fa:
            sector.title_fa = title
            changed.append(sector)
    sector_model.objects.bulk_update(changed, ["title_fa"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("firms", "0003_lean_firm_indexes")]

    operations = [migrations.RunPython(set_persian_titles, migrations.RunPython.noop)]

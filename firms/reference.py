"""Loading the shipped reference data (provinces and ISIC Rev.4) into the database.

Used by a data migration and by `manage.py load_reference`; idempotent.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _rows(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _fa_titles() -> dict[str, str]:
    path = FIXTURES / "isic_titles_fa.csv"
    if not path.exists():
        return {}
    return {row["code"]: row["title_fa"] for row in _rows(path.name)}


def reference_load(*, province_model: Any, sector_model: Any) -> tuple[int, int]:
    """Insert or update the 31 provinces and the ISIC hierarchy. Returns the counts.

    Takes the model classes so the data migration can pass its historical models.
    """
    for row in _rows("iran_provinces.csv"):
        province_model.objects.update_or_create(
            code=row["iso_3166_2"],
            defaults={
                "name_fa": row["name_fa"],
                "name_en": row["name_en"],
                "name_iso": row["name_iso"],
                "capital_fa": row["capital_fa"],
                "capital_en": row["capital_en"],
            },
        )
    titles_fa = _fa_titles()
    parent_of = {"division": "section", "group": "division", "class": "group"}
    existing = {s.code: s for s in sector_model.objects.all()}
    # Rows come parent-first (section, division, group, class), so parents exist in time.
    for row in _rows("isic_rev4.csv"):
        level = row["level"]
        parent_code = row[parent_of[level]] if level in parent_of else ""
        values = {
            "level": level,
            "section": row["section"],
            "division": row["division"],
            "title_en": row["title_en"],
            "title_fa": titles_fa.get(row["code"], ""),
            "parent": existing.get(parent_code),
        }
        sector = existing.get(row["code"])
        if sector is None:
            sector = sector_model.objects.create(code=row["code"], **values)
            existing[sector.code] = sector
        else:
            for key, value in values.items():
                setattr(sector, key, value)
            sector.save()
    return province_model.objects.count(), sector_model.objects.count()

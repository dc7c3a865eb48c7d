import csv
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from firms.models import Province, Sector
from firms.reference import FIXTURES, reference_load

pytestmark = pytest.mark.django_db

TITLE_2511_FA = "ساخت محصولات فلزی ساختمانی"


def test_all_31_provinces_are_loaded_with_iso_codes_and_both_names() -> None:
    provinces = Province.objects.all()
    assert provinces.count() == 31
    tehran = Province.objects.get(code="IR-23")
    assert (tehran.name_fa, tehran.name_en, tehran.capital_fa) == ("تهران", "Tehran", "تهران")
    assert sorted(p.code for p in provinces) == [f"IR-{i:02d}" for i in range(31)]


def test_the_full_isic_rev4_hierarchy_is_loaded() -> None:
    counts = {level: Sector.objects.filter(level=level).count() for level in Sector.Level.values}
    assert counts == {"section": 21, "division": 88, "group": 238, "class": 419}


def test_each_isic_class_hangs_under_its_group_division_and_section() -> None:
    sector = Sector.objects.select_related("parent__parent__parent").get(code="2511")
    assert sector.parent.code == "251"
    assert sector.parent.parent.code == "25"
    assert sector.parent.parent.parent.code == "C"
    assert sector.division == "25" and sector.section == "C"


def test_every_section_division_group_and_class_has_a_persian_title() -> None:
    missing = Sector.objects.filter(title_fa__regex=r"^\s*$")
    assert list(missing.values_list("code", flat=True)) == []
    assert Sector.objects.exclude(title_fa="").count() == 766
    assert Sector.objects.get(code="C").title_fa == "تولید صنعتی (ساخت)"


def test_the_persian_titles_file_follows_the_isic_file_row_for_row() -> None:
    def codes(name: str) -> list[str]:
        with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
            return [row["code"] for row in csv.DictReader(handle)]

    assert codes("isic_titles_fa.csv") == codes("isic_rev4.csv")


def test_persian_titles_use_persian_letters_and_no_latin_text() -> None:
    titles = dict(Sector.objects.values_list("code", "title_fa"))
    arabic = {code: t for code, t in titles.items() if re.search("[يك]", t)}
    latin = {code: t for code, t in titles.items() if re.search("[A-Za-z]", t)}
    # Plural suffixes are joined with a ZWNJ (فعالیت‌های), never written as a separate word.
    loose_suffix = {code: t for code, t in titles.items() if re.search(r"(^|\s)های?(\s|$)", t)}
    assert (arabic, latin, loose_suffix) == ({}, {}, {})
    assert titles["0161"] == "فعالیت‌های پشتیبانی تولید محصولات زراعی"


def test_an_isic_class_shows_its_persian_title() -> None:
    sector = Sector.objects.get(code="2511")
    assert sector.title_fa == TITLE_2511_FA
    assert sector.parent.title_fa.startswith("ساخت محصولات فلزی ساختمانی،")
    with translation.override("fa"):
        assert sector.title == TITLE_2511_FA
        assert str(sector) == f"2511 {TITLE_2511_FA}"


def test_the_firm_profile_in_persian_shows_the_persian_isic_title(client, world) -> None:
    client.force_login(world.analyst)
    body = client.get(reverse("firm-profile", args=[world.firm.pk])).content.decode()
    assert '<html lang="fa" dir="rtl">' in body
    assert TITLE_2511_FA in body
    assert "Manufacture of structural metal products" not in body


def test_migration_0004_gives_an_old_database_the_group_and_class_titles() -> None:
    # A database migrated before the CSV had group and class titles.
    Sector.objects.filter(level__in=["group", "class"]).update(title_fa="")
    migration = importlib.import_module("firms.migrations.0004_isic_titles_fa")
    migration.set_persian_titles(apps, None)
    assert Sector.objects.filter(title_fa="").count() == 0
    assert Sector.objects.get(code="2511").title_fa == TITLE_2511_FA


def test_loading_the_reference_data_again_changes_nothing() -> None:
    assert reference_load(province_model=Province, sector_model=Sector) == (31, 766)
    assert reference_load(province_model=Province, sector_model=Sector) == (31, 766)

import pytest

from firms.models import Province, Sector
from firms.reference import reference_load

pytestmark = pytest.mark.django_db


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


def test_sections_and_divisions_have_persian_titles() -> None:
    missing = Sector.objects.filter(level__in=["section", "division"], title_fa="")
    assert list(missing.values_list("code", flat=True)) == []
    assert Sector.objects.get(code="C").title_fa == "تولید صنعتی (ساخت)"


def test_loading_the_reference_data_again_changes_nothing() -> None:
    assert reference_load(province_model=Province, sector_model=Sector) == (31, 766)
    assert reference_load(province_model=Province, sector_model=Sector) == (31, 766)

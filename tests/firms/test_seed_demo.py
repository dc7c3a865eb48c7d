import io

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from firms.models import Firm, FirmYear, Park, Province
from firms.national_id import legal_id_is_valid
from firms.roles import Role, user_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command(
        "seed_demo",
        firms=1500,
        parks=40,
        years=3,
        password="pw-demo-1403",
        no_recompute=True,
        stdout=io.StringIO(),
    )


def test_every_province_gets_at_least_one_park(seeded: None) -> None:
    assert Park.objects.count() == 40
    assert Province.objects.filter(parks__isnull=False).distinct().count() == 31


def test_firms_have_valid_national_ids_persian_names_and_three_years(seeded: None) -> None:
    assert Firm.objects.count() == 1500
    ids = list(Firm.objects.values_list("national_id", flat=True))
    assert all(legal_id_is_valid(i) for i in ids)
    assert all(
        any("\u0600" <= ch <= "\u06ff" for ch in name)
        for name in Firm.objects.values_list("name_fa", flat=True)[:100]
    )
    assert sorted(FirmYear.objects.values_list("year", flat=True).order_by().distinct()) == [
        1401,
        1402,
        1403,
    ]
    assert FirmYear.objects.count() == 4500


def test_figures_are_plausible(seeded: None) -> None:
    frame = pd.DataFrame(FirmYear.objects.values("employees", "sales", "exports", "net_profit"))
    assert (frame["exports"].dropna() <= frame.loc[frame["exports"].notna(), "sales"]).all()
    assert (frame["net_profit"].dropna() < 0).mean() > 0.05  # some loss-makers
    assert frame["exports"].isna().mean() > 0.005  # some missing values
    sizes = pd.cut(frame["employees"], [0, 9, 49, 10_000], labels=["micro", "small", "medium"])
    shares = sizes.value_counts(normalize=True)
    assert shares["micro"] > 0.1 and shares["small"] > 0.3 and shares["medium"] > 0.1


def test_activities_concentrate_by_region(seeded: None) -> None:
    rows = pd.DataFrame(Firm.objects.values("park__province__code", "isic__division"))
    share = pd.crosstab(rows["park__province__code"], rows["isic__division"], normalize="index")
    national = rows["isic__division"].value_counts(normalize=True)
    lq = share / national
    # Specialised provinces have divisions at well above twice their national share.
    assert (lq.max(axis=1) > 2).mean() > 0.8


def test_demo_users_have_their_roles(seeded: None) -> None:
    analyst = User.objects.get(username="demo-analyst")
    manager = User.objects.get(username="demo-manager")
    firm_user = User.objects.get(username="demo-firm")
    assert [user_role(u) for u in (analyst, manager, firm_user)] == [
        Role.ANALYST,
        Role.PARK_MANAGER,
        Role.FIRM,
    ]
    first_park = Park.objects.order_by("id").first()
    assert manager.park_manager.park == first_park
    assert firm_user.firm_user.firm.park == first_park
    assert analyst.check_password("pw-demo-1403")


def test_seeding_twice_changes_nothing(seeded: None) -> None:
    before = (Firm.objects.count(), FirmYear.objects.count(), User.objects.count())
    sample = list(FirmYear.objects.order_by("id").values_list("sales", flat=True)[:50])
    call_command(
        "seed_demo",
        firms=1500,
        parks=40,
        years=3,
        password="pw-demo-1403",
        no_recompute=True,
        stdout=io.StringIO(),
    )
    assert (Firm.objects.count(), FirmYear.objects.count(), User.objects.count()) == before
    assert list(FirmYear.objects.order_by("id").values_list("sales", flat=True)[:50]) == sample


def test_too_few_parks_is_refused() -> None:
    with pytest.raises(CommandError, match="--parks must be at least 31"):
        call_command("seed_demo", firms=10, parks=5)


def test_seeding_with_in_process_tasks_ranks_and_publishes_the_latest_year(
    django_capture_on_commit_callbacks,
) -> None:
    from rankings.models import Edition, YearState

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", firms=400, parks=31, years=2, stdout=io.StringIO())
    state = YearState.objects.get(year=1403)
    assert state.current_run is not None and state.current_run.status == "succeeded"
    edition = Edition.objects.get(year=1403)
    assert edition.title == "SME100 1403" and edition.run == state.current_run

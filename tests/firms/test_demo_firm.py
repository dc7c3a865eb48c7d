"""`demo-firm` signs in as a ranked SME of the demo manager's park, never a micro firm."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from firms.demo import demo_firm_choice
from firms.models import Firm, FirmYear, Park
from rankings.models import FirmScore, YearState

BAND = {"employees_min": 10, "employees_max": 150, "sales_max": None}


def _figures(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["national_id", "year", "employees"])
    return frame.assign(sales=1000, exports=10, rd_spend=5)


def test_a_micro_firm_is_passed_over_for_one_in_the_sme_band() -> None:
    figures = _figures([("10000000001", 1403, 4), ("10000000002", 1403, 40)])
    assert demo_firm_choice(figures=figures, year=1403, eligibility=BAND) == "10000000002"


def test_firms_above_the_band_or_the_sales_cap_are_passed_over() -> None:
    figures = _figures([("10000000001", 1403, 151), ("10000000002", 1403, 150)])
    assert demo_firm_choice(figures=figures, year=1403, eligibility=BAND) == "10000000002"
    capped = {**BAND, "sales_max": 500}
    assert demo_firm_choice(figures=figures, year=1403, eligibility=capped) is None


def test_only_ranked_firms_are_chosen_once_the_year_is_ranked() -> None:
    figures = _figures([("10000000001", 1403, 40), ("10000000002", 1403, 40)])
    chosen = demo_firm_choice(figures=figures, year=1403, eligibility=BAND, ranked={"10000000002"})
    assert chosen == "10000000002"
    assert demo_firm_choice(figures=figures, year=1403, eligibility=BAND, ranked=set()) is None


def test_a_full_history_and_complete_figures_are_preferred() -> None:
    figures = _figures(
        [
            ("10000000001", 1402, 8),  # micro the year before: no rank to show for 1402
            ("10000000001", 1403, 30),
            ("10000000002", 1402, 30),
            ("10000000002", 1403, 30),
            ("10000000003", 1402, 30),
            ("10000000003", 1403, 30),
        ]
    )
    figures.loc[figures["national_id"] == "10000000002", "exports"] = None
    assert demo_firm_choice(figures=figures, year=1403, eligibility=BAND) == "10000000003"


def _seed(**options: object) -> None:
    # Seed 8: the first firm of the first park (by national id) is a micro firm.
    options = {"firms": 400, "parks": 31, "years": 2, "seed": 8, **options}
    call_command("seed_demo", stdout=io.StringIO(), **options)


@pytest.mark.django_db
def test_the_seeded_demo_firm_is_ranked_in_the_managers_park(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _seed()
    firm_user = User.objects.get(username="demo-firm")
    manager = User.objects.get(username="demo-manager")
    firm = firm_user.firm_user.firm
    first_park = Park.objects.order_by("id").first()
    assert manager.park_manager.park == first_park == firm.park
    employees = FirmYear.objects.get(firm=firm, year=1403).employees
    assert 10 <= employees <= 150
    run = YearState.objects.get(year=1403).current_run
    score = FirmScore.objects.get(run=run, firm=firm)
    assert score.eligible and score.rank is not None
    # What the demo shows: the firm's own page with its rank, not an explanation why not.
    client = Client()
    client.force_login(firm_user)
    client.cookies["django_language"] = "en"
    body = client.get("/my-firm/").content.decode()
    assert 'data-testid="rank"' in body and 'data-testid="gap"' in body
    assert "not ranked" not in body.lower()

    # Seeding again keeps the login on the same firm.
    _seed()
    assert User.objects.get(username="demo-firm").firm_user.firm == firm


@pytest.mark.django_db
def test_without_a_recompute_the_demo_firm_is_still_in_the_sme_band() -> None:
    # As test_seed_demo seeds: the park's first firm by national id has 6 employees.
    _seed(firms=1500, parks=40, years=3, seed=1403, no_recompute=True)
    firm = User.objects.get(username="demo-firm").firm_user.firm
    park = Park.objects.order_by("id").first()
    assert firm.park == park
    assert 10 <= FirmYear.objects.get(firm=firm, year=1403).employees <= 150
    first = Firm.objects.filter(park=park).order_by("national_id").first()
    assert FirmYear.objects.get(firm=first, year=1403).employees < 10  # passed over

"""A ranked demo world for the browser tests, built in a few seconds.

Browser tests use `transaction=True` (the live server reads through its own connection),
and a transactional test ends with a flush that also empties the reference tables the
migrations loaded. `demo_world()` therefore puts the reference data and the default
methodology back first, then seeds a few hundred demo firms in a handful of parks, the
three demo users, a ranking run of the last year and (optionally) a published edition.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from firms import demo, services
from firms.models import Firm, Park, Province, Sector
from firms.reference import reference_load
from firms.roles import analysts_group
from rankings.methodology import spec_default
from rankings.models import Edition, Methodology, RankingRun, YearState

PASSWORD = "e2e-demo-password-1403"
YEAR = 1403
# Four provinces with readable names in both languages; the first park is the manager's.
PROVINCES = ("IR-23", "IR-10", "IR-07", "IR-02")


@dataclass
class DemoWorld:
    analyst: User
    manager: User
    firm_user: User
    park: Park
    firm: Firm
    other_firm: Firm
    run: RankingRun
    edition: Edition | None


def reference_ensure() -> None:
    """Provinces, ISIC, the analysts group and the default methodology (after a flush)."""
    if not Province.objects.exists() or not Sector.objects.exists():
        reference_load(province_model=Province, sector_model=Sector)
    analysts_group()
    if not Methodology.objects.exists():
        Methodology.objects.create(
            version=1,
            name="SME index, default",
            notes="Five equally weighted pillars (OECD/JRC Handbook steps).",
            spec=spec_default(),
            is_active=True,
        )


def demo_world(
    *, firms: int = 300, parks: int = 6, years: int = 2, publish: bool = True
) -> DemoWorld:
    from rankings.services import data_changed, edition_publish, ranking_recompute

    reference_ensure()
    provinces = list(
        Province.objects.filter(code__in=PROVINCES).values("code", "capital_fa", "capital_en")
    )
    provinces.sort(key=lambda p: PROVINCES.index(p["code"]))
    park_frame = demo.demo_parks(parks=parks, provinces=provinces)
    firm_frame = demo.demo_firms(
        firms=firms,
        parks=park_frame,
        classes_by_division=services.sector_classes_by_division(),
        seed=YEAR,
    )
    year_frame = demo.demo_years(firms=firm_frame, years=years, last_year=YEAR, seed=YEAR)
    services.demo_seed(parks=park_frame, firms=firm_frame, years=year_frame)
    park = Park.objects.get(code=park_frame["code"].iloc[0])
    analyst = services.user_with_role_ensure(
        username="demo-analyst", password=PASSWORD, role="analyst"
    )
    manager = services.user_with_role_ensure(
        username="demo-manager", password=PASSWORD, role="park_manager", park=park
    )
    # The firm user's firm: placeholder until the run exists, then a ranked firm of the
    # park just outside the top 100, so the page has a rank and "the way to the top" text.
    placeholder = Firm.objects.filter(park=park).order_by("national_id").first()
    firm_user = services.user_with_role_ensure(
        username="demo-firm", password=PASSWORD, role="firm", firm=placeholder
    )
    data_changed(years=sorted({int(y) for y in year_frame["year"]}))
    # With in-process tasks the commit above already ranked both years; this is a no-op then.
    ranking_recompute(year=YEAR)
    run = YearState.objects.select_related("current_run").get(year=YEAR).current_run
    firm = _firm_outside_top(run, park=park) or placeholder
    if firm != placeholder:
        firm_user = services.user_with_role_ensure(
            username="demo-firm", password=PASSWORD, role="firm", firm=firm
        )
    other = (
        run.scores.filter(rank__isnull=False)
        .exclude(firm__park=park)
        .order_by("rank")
        .select_related("firm")
        .first()
    )
    edition = None
    if publish:
        edition = edition_publish(run=run, title=f"SME100 {YEAR}", user=analyst)
    return DemoWorld(
        analyst=analyst,
        manager=manager,
        firm_user=firm_user,
        park=park,
        firm=firm,
        other_firm=other.firm,
        run=run,
        edition=edition,
    )


def _firm_outside_top(run: RankingRun, *, park: Park) -> Firm | None:
    """The park's best-ranked firm below the top-N cut-off (else its last ranked firm)."""
    top_n = run.methodology.spec.get("top_n", 100)
    ranked = run.scores.filter(firm__park=park, rank__isnull=False).select_related("firm")
    score = (
        ranked.filter(rank__gt=top_n).order_by("rank").first() or ranked.order_by("-rank").first()
    )
    return score.firm if score else None

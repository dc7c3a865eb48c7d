"""Ranked firms for the dashboard, map, methodology and preview tests."""

from __future__ import annotations

from firms.models import Firm, FirmYear, Park
from rankings.models import RankingRun
from rankings.services import data_changed, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory


def figures_for(firms: list[Firm], *, year: int = 1403) -> None:
    """Different figures for every firm, all inside the default SME band (10-150)."""
    for i, firm in enumerate(firms):
        FirmYearFactory(
            firm=firm,
            year=year,
            sales=5_000 + 97 * i,
            exports=31 * i,
            employees=15 + i % 100,
            net_profit=(i % 7) * 40 - 60,
            rd_spend=10 * (i % 13),
        )


def recompute(year: int = 1403) -> RankingRun:
    data_changed(years=[year])
    run = ranking_recompute(year=year)
    assert run is not None and run.status == RankingRun.Status.SUCCEEDED
    return run


def ranked(world, *, extra: int = 30, park: Park | None = None, year: int = 1403) -> RankingRun:
    """The world's two firms and `extra` more (in the other park unless told), ranked."""
    firms = [
        world.firm,
        world.other_firm,
        *FirmFactory.create_batch(extra, park=park or world.other_park),
    ]
    figures_for(firms, year=year)
    return recompute(year)


def reshuffled(*, year: int = 1403) -> RankingRun:
    """A second run of `year` in which the order changes, so firms have a rank change."""
    for i, fy in enumerate(FirmYear.objects.filter(year=year).order_by("firm_id")):
        fy.sales = 5_000 + 97 * ((i * 7) % 23) * 3
        fy.exports = min(fy.sales, 31 * ((i * 5) % 17) * 4)
        fy.save()
    return recompute(year)

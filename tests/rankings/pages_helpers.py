"""Rankings computed for the page tests (firms, figures, a run, an edition)."""

from __future__ import annotations

from firms.models import Firm
from rankings.models import Edition, RankingRun
from rankings.services import data_changed, edition_publish, ranking_recompute
from tests.factories import FirmFactory, FirmYearFactory


def rank_firms(firms: list[Firm], *, year: int = 1403) -> RankingRun:
    """Figures for every firm (all inside the SME band, all different) and a run."""
    for i, firm in enumerate(firms):
        FirmYearFactory(
            firm=firm,
            year=year,
            sales=5_000 + 97 * i,
            exports=31 * i,
            employees=15 + i % 100,
            net_profit=(i % 7) * 40 - 60,
        )
    data_changed(years=[year])
    run = ranking_recompute(year=year)
    assert run is not None and run.status == RankingRun.Status.SUCCEEDED
    return run


def ranked_world(world, *, extra: int = 110, year: int = 1403) -> RankingRun:
    """The world's two firms plus `extra` firms in the other park, ranked for `year`."""
    firms = [world.firm, world.other_firm, *FirmFactory.create_batch(extra, park=world.other_park)]
    return rank_firms(firms, year=year)


def publish(run: RankingRun, title: str | None = None) -> Edition:
    return edition_publish(run=run, title=title or f"SME100 {run.year}", user=None)

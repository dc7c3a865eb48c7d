import pytest

from tests.factories import FirmYearFactory


@pytest.fixture
def ranked_world(world):
    """The world with figures for 1403 and a computed ranking (the ranking a bad upload
    must leave untouched)."""
    from rankings.services import data_changed, ranking_recompute

    for i, firm in enumerate([world.firm, world.other_firm]):
        FirmYearFactory(firm=firm, year=1403, sales=10_000 + i, exports=100)
    data_changed(years=[1403])
    ranking_recompute(year=1403)
    return world

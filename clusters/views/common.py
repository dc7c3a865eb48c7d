"""What every cluster page needs: the year asked for and its current run."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from rankings.models import RankingRun
from rankings.selectors import current_run, years_with_runs


def year_run(request: HttpRequest) -> tuple[list[int], RankingRun | None]:
    """The years with a ranking and the current run of the one asked for (default: the
    latest). A year without a ranking is a 404, as in the API, not a silent other year."""
    years = years_with_runs()
    raw = request.GET.get("year", "").strip()
    if not raw:
        return years, current_run(year=years[0]) if years else None
    try:
        year = int(raw)
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    return years, current_run(year=year)

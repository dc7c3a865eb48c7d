"""The reusable includes: the rank-band sentence and the sensitivity panel."""

import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from rankings.models import FirmScore, RunAnalysis


def band(**fields) -> str:
    score = FirmScore(rank=37, rank_low=31, rank_high=45, rank_median=38.0, top_probability=0.92)
    for name, value in fields.items():
        setattr(score, name, value)
    html = render_to_string("rankings/_rank_band.html", {"score": score, "top_n": 100})
    return re.sub(r"\s+", " ", html).strip()


def test_the_band_reads_rank_likely_range_and_top_probability_in_persian_digits() -> None:
    with translation.override("fa"):
        html = band()
    assert 'data-testid="rank-band"' in html
    for shown in ("۳۷", "۳۱", "۴۵", "۱۰۰", "۹۲٪"):
        assert shown in html


def test_the_band_reads_in_english_digits_on_english_pages() -> None:
    with translation.override("en"):
        html = band()
    assert "rank 37, likely 31–45, in the top-100 with probability 92%" in html


def test_a_band_of_one_rank_is_said_so_and_no_band_shows_nothing() -> None:
    with translation.override("en"):
        assert "rank 37, 37 in every scenario" in band(rank_low=37, rank_high=37)
        assert band(rank_low=None, rank_high=None, top_probability=None) == ""


def analysis(**fields) -> RunAnalysis:
    values = {
        "status": "succeeded",
        "params": {"replications": 200},
        "sensitivity": {
            "weights": {"first_order": 0.05, "total": 0.1},
            "normalisation": {"first_order": 0.3, "total": 0.7},
            "winmax": {"first_order": None, "total": None},
        },
    }
    return RunAnalysis(**{**values, **fields})


def test_the_sensitivity_panel_names_the_choice_that_matters_most() -> None:
    with translation.override("en"):
        html = render_to_string("rankings/_sensitivity.html", {"analysis": analysis()})
    assert "The choice that matters most is the normalisation method." in html
    assert html.count('data-testid="sensitivity-row"') == 3
    assert html.index("the normalisation method") < html.index("the weights of the pillars")
    assert "inline-size: 70%" in html  # the total bar of the normalisation


def test_choices_with_close_total_indices_are_named_together() -> None:
    close = analysis(
        sensitivity={
            "normalisation": {"first_order": 0.3, "total": 0.6},
            "aggregation": {"first_order": 0.4, "total": 0.5},
            "weights": {"first_order": 0.0, "total": 0.05},
        }
    )
    with translation.override("en"):
        html = render_to_string("rankings/_sensitivity.html", {"analysis": close})
    assert (
        "The choices that matter most, about equally, are the normalisation method and "
        "arithmetic or geometric aggregation." in html
    )


@pytest.mark.parametrize("status", ["queued", "running", "failed", "superseded"])
def test_the_panel_says_when_there_is_nothing_to_show_yet(status) -> None:
    html = render_to_string("rankings/_sensitivity.html", {"analysis": analysis(status=status)})
    assert 'id="sensitivity"' in html
    assert 'data-testid="sensitivity-row"' not in html


def test_without_an_analysis_the_panel_is_left_out() -> None:
    assert render_to_string("rankings/_sensitivity.html", {"analysis": None}).strip() == ""

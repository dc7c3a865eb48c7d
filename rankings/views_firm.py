"""Firm pages (HTML, thin): the firm profile for analysts and park managers, and the
firm user's own page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from firms.roles import Role, user_role
from rankings.insights import IndicatorFinding, PillarPoint
from rankings.selectors import firm_for
from rankings.selectors_firm import FirmProfile, firm_insight, firm_profile
from smerank.formatting import number_format
from smerank.permissions import any_role_required, firm_required

# What a weak indicator means, in plain words. `%(value)s` is the raw value as read
# (a percentage for ratios), `%(label)s` the indicator's name, `%(norm)s` its 0-100 score.
_ABSENT = {
    "export_share": _("No exports recorded"),
    "export_markets": _("No export markets recorded"),
    "rd_intensity": _("No R&D spending recorded"),
    "new_products": _("No new products recorded"),
    "tech_level": _("Technology adoption reported at level zero"),
    "knowledge_based": _("Not registered as a knowledge-based firm"),
    "certifications": _("No quality certificate recorded"),
    "national_standard": _("No national standard mark (INSO)"),
}
_NEGATIVE = {
    "sales_growth": _("Sales fell by %(value)s%% on the year before"),
    "employment_growth": _("Employment fell by %(value)s%% on the year before"),
    "export_growth": _("Exports fell (by %(value)s%% of last year's sales)"),
    "profit_margin": _("A loss: the profit margin is −%(value)s%%"),
    "return_on_assets": _("A loss: the return on assets is −%(value)s%%"),
}
_GENERIC = {
    "absent": _("%(label)s: none recorded"),
    "negative": _("%(label)s is negative"),
    "high": _("Debts are %(value)s%% of assets, high among ranked firms"),
    "missing": _("%(label)s: not reported, so estimated from similar firms"),
    "low": _("%(label)s is low among ranked firms (%(norm)s out of 100)"),
}


def _lang() -> str:
    return (get_language() or "fa")[:2]


def withheld_notice(*, lang: str) -> str:
    """Why a peer statistic shows as "—" (see `rankings.selectors_firm`)."""
    return _(
        "Fewer than %(n)s firms in this peer group: not shown, to keep other firms' "
        "figures confidential."
    ) % {"n": number_format(settings.AGGREGATE_MIN_FIRMS, lang=lang)}


def finding_text(finding: IndicatorFinding, *, lang: str) -> str:
    """One weak indicator in plain words, in the current language."""
    if finding.issue == "absent":
        text = _ABSENT.get(finding.code, _GENERIC["absent"])
    elif finding.issue == "negative":
        text = _NEGATIVE.get(finding.code, _GENERIC["negative"])
    else:
        text = _GENERIC[finding.issue]
    shown = finding.shown
    value = abs(shown) if finding.issue == "negative" and shown is not None else shown
    return str(text) % {
        "label": finding.label_fa if lang == "fa" else finding.label_en,
        "value": number_format(value, lang=lang, decimals=1),
        "norm": number_format(finding.normalised, lang=lang),
    }


def _label(point: PillarPoint, lang: str) -> str:
    return point.label_fa if lang == "fa" else point.label_en


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def profile_charts(*, profile: FirmProfile, lang: str, national: bool = False) -> dict[str, Any]:
    """Data for firm.js: the pillar chart against peers and the history chart. The median
    of a group withheld from the user is left out, not sent as nulls."""
    points = profile.points
    series = [{"name": str(_("This firm")), "values": [_round(p.score) for p in points]}]
    if "sector" not in profile.withheld:
        series.append(
            {"name": str(_("Sector median")), "values": [_round(p.sector) for p in points]}
        )
    if "province" not in profile.withheld:
        series.append(
            {"name": str(_("Province median")), "values": [_round(p.province) for p in points]}
        )
    if national:
        series.append(
            {"name": str(_("National median")), "values": [_round(p.national) for p in points]}
        )
    scored = [h for h in profile.history if h.score is not None and h.score.score is not None]
    return {
        "lang": lang,
        "pillars": {
            "labels": [_label(p, lang) for p in points],
            "max": 100,
            "series": series,
            "title": str(_("Pillar scores against peers")),
        }
        if points
        else None,
        "history": {
            "years": [number_format(h.year, lang=lang, grouping=False) for h in scored],
            "score": [_round(h.score.score) for h in scored],
            "rank": [h.score.rank for h in scored],
            "labels": {"score": str(_("Score")), "rank": str(_("Rank"))},
            "title": str(_("Score and rank by year")),
        }
        if scored
        else None,
    }


@any_role_required
@require_GET
def firm_profile_page(request: HttpRequest, firm_id: int) -> HttpResponse:
    if user_role(request.user) == Role.FIRM:
        firm_for(user=request.user, firm_id=firm_id)  # another firm's page: 404
        return redirect("my-firm")
    profile = firm_profile(user=request.user, firm_id=firm_id)
    lang = _lang()
    context = {
        "p": profile,
        "charts": profile_charts(profile=profile, lang=lang),
        "withheld_notice": withheld_notice(lang=lang),
    }
    return render(request, "rankings/firm_profile.html", context)


@firm_required
@require_GET
def my_firm_page(request: HttpRequest) -> HttpResponse:
    insight = firm_insight(user=request.user)
    lang = _lang()
    context = {
        "i": insight,
        "p": insight.profile,
        "findings": [finding_text(f, lang=lang) for f in insight.findings],
        "charts": profile_charts(profile=insight.profile, lang=lang, national=True),
        "withheld_notice": withheld_notice(lang=lang),
    }
    return render(request, "rankings/firm_my.html", context)

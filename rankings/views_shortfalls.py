"""The shortfall report pages (HTML, thin): groups by level, one group's firms, XLSX."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from rankings.analysis_labels import LEVEL_LABELS
from rankings.selectors import years_with_runs
from rankings.selectors_shortfalls import (
    firm_rows,
    group_firm_ids,
    levels_for,
    shortfall_report,
)
from rankings.shortfalls_export import shortfalls_workbook
from smerank.permissions import staff_roles_required

FIRMS_PER_PAGE = 50
GROUPS_PER_PAGE = 50


class ShortfallForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False, label=gettext_lazy("Year"))
    level = forms.ChoiceField(required=False, label=gettext_lazy("Level"))
    group = forms.CharField(required=False, max_length=32)
    page = forms.IntegerField(required=False, min_value=1)
    gpage = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: object, years: list[int], levels: tuple[str, ...], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["level"].choices = [(lv, LEVEL_LABELS[lv]) for lv in levels]


def _form(request: HttpRequest) -> tuple[ShortfallForm, dict[str, object]]:
    """The validated filters; a bad value falls back to its default rather than an error."""
    years = years_with_runs()
    levels = levels_for(request.user)
    form = ShortfallForm(request.GET, years=years, levels=levels)
    form.is_valid()
    data = form.cleaned_data
    return form, {
        "year": data.get("year") or (years[0] if years else None),
        "level": data.get("level") or levels[0],
        "group": data.get("group") or "",
        "page": data.get("page") or 1,
        "gpage": data.get("gpage") or 1,
        "years": years,
        "levels": [(lv, LEVEL_LABELS[lv]) for lv in levels],
    }


@staff_roles_required
@require_GET
def shortfalls_page(request: HttpRequest) -> HttpResponse:
    form, f = _form(request)
    report = shortfall_report(user=request.user, level=f["level"], year=f["year"])
    context: dict[str, object] = {"form": form, "f": f, "report": report}
    if report is not None:
        context["groups"] = Paginator(report.groups, GROUPS_PER_PAGE).get_page(f["gpage"])
        chosen = report.group(f["group"]) if f["group"] else None
        context["chosen"] = chosen
        if chosen is not None:
            ids = group_firm_ids(report=report, key=chosen.key)
            page = Paginator(ids, FIRMS_PER_PAGE).get_page(f["page"])
            context["firm_page"] = page
            context["firm_rows"] = firm_rows(report=report, firm_ids=list(page.object_list))
    return render(request, "rankings/shortfalls.html", context)


@staff_roles_required
@require_GET
def shortfalls_xlsx(request: HttpRequest) -> HttpResponse:
    f = _form(request)[1]
    rtl = (translation.get_language() or "fa")[:2] == "fa"
    content = shortfalls_workbook(user=request.user, year=f["year"], rtl=rtl)
    if content is None:
        return HttpResponse(_("No ranking has been computed yet."), status=404)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"shortfalls-{f['year']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

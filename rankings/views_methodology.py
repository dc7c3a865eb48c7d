"""Analyst pages: methodology versions side by side, and a new version with a preview."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rankings.forms_methodology import MethodologyForm
from rankings.methodology_compare import spec_compare
from rankings.methodology_versions import methodology_list, methodology_pair, methodology_save
from rankings.preview import PreviewError, methodology_preview, preview_year
from rankings.selectors import current_run
from rankings.selectors_shortfalls import run_analysis_of
from rankings.services import methodology_active
from smerank.permissions import analyst_required


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label=gettext_lazy("Version"), coerce=int, required=False)
    b = forms.TypedChoiceField(label=gettext_lazy("compared with"), coerce=int, required=False)

    def __init__(self, *args: object, versions: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            self.fields[name].choices = [(v, v) for v in versions]


@analyst_required
@require_GET
def methodology_index(request: HttpRequest) -> HttpResponse:
    versions = list(methodology_list())
    form = CompareForm(request.GET, versions=[m.version for m in versions])
    chosen = form.cleaned_data if form.is_valid() else {}
    pair = methodology_pair(versions=versions, left=chosen.get("a"), right=chosen.get("b"))
    lang = (get_language() or "fa")[:2]
    context = {
        "versions": versions,
        "pair": pair,
        "form": form,
        "sections": spec_compare(pair.left.spec, pair.right.spec, lang=lang) if pair.left else [],
        # Which uncertain choice moves the latest ranking most (sensitivity analysis).
        "analysis": run_analysis_of(current_run()),
    }
    return render(request, "rankings/methodology_list.html", context)


@analyst_required
@require_http_methods(["GET", "POST"])
def methodology_new(request: HttpRequest) -> HttpResponse:
    base = methodology_active()
    form = MethodologyForm(
        request.POST if request.method == "POST" else None,
        base_spec=base.spec,
        initial={"name": base.name},
    )
    year, preview = preview_year(), None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "save":
            methodology = methodology_save(
                user=request.user,
                base=base,
                name=data["name"],
                notes=data["notes"],
                spec=form.spec,
                activate=data["activate"],
                ip_address=get_client_ip_address(request),
            )
            text = (
                _("Version %(v)s is saved and active; the ranking of every year is recomputed.")
                if data["activate"]
                else _("Version %(v)s is saved. It is not active yet.")
            )
            messages.success(request, text % {"v": methodology.version})
            url = reverse("analyst-methodology")
            return redirect(f"{url}?a={base.version}&b={methodology.version}")
        if year is None:
            form.add_error(None, _("There is no firm data to preview yet."))
        else:
            try:
                preview = methodology_preview(spec=form.spec, year=year)
            except PreviewError as exc:
                form.add_error(
                    None,
                    _("The ranking cannot be computed with these settings: %(reason)s")
                    % {"reason": exc},
                )
    context = {"form": form, "base": base, "year": year, "preview": preview}
    return render(request, "rankings/methodology_new.html", context)

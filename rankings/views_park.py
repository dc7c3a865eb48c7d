"""The park manager's dashboard (HTML, thin)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from firms.roles import Role
from rankings.selectors_park import OPTIONAL_FIELDS, park_dashboard
from smerank.permissions import role_required


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)


@role_required(Role.PARK_MANAGER)
@require_GET
def park_dashboard_page(request: HttpRequest) -> HttpResponse:
    form = PageForm(request.GET)
    # A mistyped page number shows the first page rather than an error.
    page = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    dashboard = park_dashboard(user=request.user, page=page)
    context = {"d": dashboard, "field_count": len(OPTIONAL_FIELDS)}
    return render(request, "rankings/park_dashboard.html", context)

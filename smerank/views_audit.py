"""The audit log page for analysts: browse and filter the append-only events."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from firms.models import AuditEvent
from smerank.permissions import analyst_required


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateField(
        label=_("From (Gregorian date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Until (Gregorian date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def audit_events_filter(
    *,
    action: str = "",
    user: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all().order_by("-created_at", "-id")
    if action:
        events = events.filter(action__startswith=action)
    if user:
        events = events.filter(actor_username=user)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


@require_GET
@analyst_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events_filter(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "actions": list(actions), "query": query.urlencode()},
    )

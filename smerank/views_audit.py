"""The audit log page for analysts: browse and filter the append-only events.

Dates are typed and shown in the Jalali calendar, with Persian or Latin digits, like every
other date of the application; each event's details read as a list of labelled values.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import jdatetime
from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from firms.models import AuditEvent
from smerank.formatting import number_format
from smerank.permissions import analyst_required

# Persian (U+06F0...) and Arabic-Indic (U+0660...) digits read as ASCII ones.
_ASCII_DIGITS = str.maketrans(
    {**{chr(0x06F0 + d): str(d) for d in range(10)}, **{chr(0x0660 + d): str(d) for d in range(10)}}
)
_DATE = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
# Jalali years of this application are 13xx and 14xx; a year this large is Gregorian, as
# in links made by the page's earlier Gregorian date picker.
_FIRST_GREGORIAN_YEAR = 1700


def jalali_date_parse(text: str) -> dt.date:
    """ "۱۴۰۳/۰۵/۰۱", "1403-5-1" (Jalali) or "2024-07-22" (Gregorian) as a Gregorian date.

    Raises ValueError for anything else, or a day that does not exist (1403/12/31)."""
    match = _DATE.match(text.strip().translate(_ASCII_DIGITS))
    if match is None:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    if year >= _FIRST_GREGORIAN_YEAR:
        return dt.date(year, month, day)
    return jdatetime.date(year, month, day).togregorian()


class JalaliDateField(forms.CharField):
    """A date typed in the Jalali calendar (Persian or Latin digits), cleaned to a
    Gregorian `datetime.date`, the calendar the database stores."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter a Jalali date such as ۱۴۰۳/۰۵/۰۱."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": "۱۴۰۳/۰۵/۰۱",
                    "dir": "ltr",
                    "class": "form-control",
                    "maxlength": 10,
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return jalali_date_parse(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=gettext_lazy("Action"), required=False, max_length=64)
    user = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    since = JalaliDateField(label=gettext_lazy("From (Jalali date)"))
    until = JalaliDateField(label=gettext_lazy("Until (Jalali date)"))


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


# --- an event's details, readable ------------------------------------------------------------

# The keys the application writes (see every `audit_record(detail=...)`); others show as is.
DETAIL_LABELS = {
    "activated": gettext_lazy("Activated"),
    "after": gettext_lazy("After"),
    "base_version": gettext_lazy("Based on version"),
    "before": gettext_lazy("Before"),
    "changed_years": gettext_lazy("Changed firm-years"),
    "code": gettext_lazy("Code"),
    "diff": gettext_lazy("Changes"),
    "errors": gettext_lazy("Errors"),
    "file_error": gettext_lazy("File error"),
    "format": gettext_lazy("Format"),
    "is_active": gettext_lazy("Active"),
    "name": gettext_lazy("File name"),
    "name_en": gettext_lazy("Latin name"),
    "name_fa": gettext_lazy("Persian name"),
    "new": gettext_lazy("New"),
    "new_firms": gettext_lazy("New firms"),
    "new_years": gettext_lazy("New firm-years"),
    "object_id": gettext_lazy("Object id"),
    "object_type": gettext_lazy("Object type"),
    "old": gettext_lazy("Old"),
    "park": gettext_lazy("Industrial park"),
    "parks": gettext_lazy("Industrial parks"),
    "provinces": gettext_lazy("Provinces"),
    "query": gettext_lazy("Query"),
    "run": gettext_lazy("Run"),
    "sectors": gettext_lazy("Activities"),
    "sha256": gettext_lazy("File hash (SHA-256)"),
    "size": gettext_lazy("Size (bytes)"),
    "title": gettext_lazy("Title"),
    "username": gettext_lazy("Username"),
    "version": gettext_lazy("Version"),
}
# A methodology change nests {path: {old, new}}: two levels are listed, deeper ones are
# written as compact JSON rather than an ever deeper list.
_MAX_DEPTH = 2


@dataclass(frozen=True)
class DetailItem:
    label: str
    value: str = ""
    children: list[DetailItem] = field(default_factory=list)


def detail_items(detail: object, *, depth: int = 1) -> list[DetailItem]:
    """An event's `detail` as labelled values, keys translated where the application
    knows them, in the order of the keys (PostgreSQL's jsonb keeps no order of its own)."""
    if not isinstance(detail, dict):
        return [] if detail in (None, "", [], {}) else [DetailItem(label="", value=_text(detail))]
    items = []
    for key, value in sorted(detail.items()):
        label = str(DETAIL_LABELS.get(key, key))
        if isinstance(value, dict) and value and depth < _MAX_DEPTH:
            items.append(DetailItem(label=label, children=detail_items(value, depth=depth + 1)))
        else:
            items.append(DetailItem(label=label, value=_text(value)))
    return items


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        # Counts and sizes in the page's digits; ids and hashes are strings and stay as written.
        return number_format(value, lang=get_language() or "fa", grouping=False)
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# --- the page ------------------------------------------------------------------------------------


@analyst_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    # A malformed field is shown with its error and left out; the valid ones still apply
    # (a bound form keeps the fields that cleaned in cleaned_data).
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        filters = form.cleaned_data
    events = audit_events_filter(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": [{"e": e, "details": detail_items(e.detail)} for e in page],
            "since": filters.get("since"),
            "until": filters.get("until"),
            "actions": list(actions),
            "query": query.urlencode(),
        },
    )

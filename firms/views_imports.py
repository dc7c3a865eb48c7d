"""Upload pages: upload form and history, the job page (progress, report, preview, confirm),
templates and the annotated error workbook."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from firms import imports, parsing
from firms.models import Firm, FirmYear, ImportJob
from firms.roles import Role, user_role
from firms.selectors import import_jobs_visible_to
from smerank.audit import client_ip
from smerank.permissions import role_required, staff_roles_required

RUNNING = {ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING}
COLUMNS = {column.key: column for column in parsing.COLUMNS}
# CommitRefused carries an English sentence meant for logs and the API; the page says it in
# the reader's language. Keyed by that sentence, with a general fallback for new reasons.
REFUSALS = {
    "Only a validated file that is ready can be committed.": gettext_lazy(
        "Only a checked file that is ready can be confirmed. Reload the page to see its status."
    ),
    "A firm in this file was registered in another park meanwhile.": gettext_lazy(
        "A firm in this file was registered in another park meanwhile. Nothing was saved."
    ),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Data file (CSV or Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "class": "form-control"}),
    )


@staff_roles_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm()
    is_manager = user_role(request.user) == Role.PARK_MANAGER
    if request.method == "POST":
        if not is_manager:
            return HttpResponse(status=403)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_job_create(
                    park=request.user.park_manager.park,
                    uploader=request.user,
                    stream=upload,
                    name=upload.name,
                    ip_address=client_ip(request),
                )
            except imports.UploadRejected as exc:
                lang = request.LANGUAGE_CODE
                form.add_error(
                    "file", exc.error.message_fa if lang == "fa" else exc.error.message_en
                )
            else:
                return redirect("import-detail", job_id=job.pk)
    jobs = import_jobs_visible_to(request.user).order_by("-created_at")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "firms/import_list.html",
        {
            "form": form,
            "page": page,
            "can_upload": is_manager,
            "max_mb": imports.upload_limits().max_upload_bytes // 2**20,
        },
    )


@staff_roles_required
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
    errors = Paginator(job.errors, 100).get_page(request.GET.get("page"))
    preview = job.preview if isinstance(job.preview, dict) else {}
    context = {
        "job": job,
        "errors": errors,
        "error_rows": [_error_row(e) for e in errors],
        # Only the first errors are stored; the preview keeps the exact total (older jobs
        # may not have it: then the stored list is the count).
        "error_count": int(preview.get("error_count") or 0) or len(job.errors),
        "changes": [_change_row(c) for c in preview.get("changes") or []],
        "running": job.status in RUNNING,
        "can_confirm": job.status == ImportJob.Status.READY
        and user_role(request.user) == Role.PARK_MANAGER,
    }
    if request.htmx and request.GET.get("poll"):
        if not context["running"]:
            # Done: reload the whole page so the report or the preview appears.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "firms/_import_status.html", context)
    return render(request, "firms/import_detail.html", context)


@role_required(Role.PARK_MANAGER)
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
    try:
        imports.import_job_commit(job=job, user=request.user)
    except imports.CommitRefused as exc:
        messages.error(request, REFUSALS.get(str(exc), _("This file could not be saved.")))
    else:
        messages.success(request, _("The file was committed. The ranking is being updated."))
    return redirect("import-detail", job_id=job.pk)


@staff_roles_required
@require_GET
def import_annotated(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
    with job.file.open("rb") as handle:
        data = handle.read()
    try:
        result = parsing.parse_file(
            data=data, valid_isic=imports.valid_isic_classes(), limits=imports.upload_limits()
        )
        lang = "fa" if request.LANGUAGE_CODE == "fa" else "en"
        content = parsing.annotated_xlsx(
            data=data, result=result, lang=lang, limits=imports.upload_limits()
        )
    except parsing.FileRejected:
        return HttpResponse(
            _("This file could not be read, so it cannot be annotated."),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response


@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The blank template, in Persian, as CSV (UTF-8 with BOM) or XLSX."""
    if fmt == "csv":
        return FileResponse(
            iter([parsing.template_csv()]),
            as_attachment=True,
            filename="smerank-template.csv",
            content_type="text/csv",
        )
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(
        iter([parsing.template_xlsx()]),
        as_attachment=True,
        filename="smerank-template.xlsx",
        content_type=content_type,
    )


def field_label(key: str) -> str:
    """A column's name for people: in Persian the template's header (the one the manager
    filled in, units included), otherwise the model field's name; the key as a last resort."""
    column = COLUMNS.get(key)
    if column is not None and (get_language() or "fa")[:2] == "fa":
        return column.header_fa
    for model in (FirmYear, Firm):
        try:
            return capfirst(str(model._meta.get_field(key).verbose_name))
        except FieldDoesNotExist:
            continue
    return key


def _error_row(error: dict[str, Any]) -> dict[str, Any]:
    """A stored error with the column named for people. Some checks name a column by its
    key (e.g. "national_id"), which the manager never typed: show its label instead."""
    column, header = error.get("column"), error.get("header")
    if column == "*":
        return {**error, "header": ""}  # a whole row (e.g. ragged): the message says why
    if column and (not header or header == column) and column in COLUMNS:
        header = field_label(column)
    return {**error, "header": header or column or ""}


def _change_row(change: dict[str, Any]) -> dict[str, Any]:
    """A changed firm-year with each field labelled, and whether its values are numbers
    (formatted by the template) or text (shown as stored, e.g. certification codes)."""
    fields = [
        {
            "label": field_label(key),
            "old": values.get("old"),
            "new": values.get("new"),
            "numeric": COLUMNS[key].kind == "integer" if key in COLUMNS else False,
        }
        for key, values in (change.get("fields") or {}).items()
    ]
    return {**change, "fields": fields}

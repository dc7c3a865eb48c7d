"""Upload pages: upload form and history, the job page (progress, report, preview, confirm),
templates and the annotated error workbook."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from firms import imports, parsing
from firms.models import ImportJob
from firms.roles import Role, user_role
from firms.selectors import import_jobs_visible_to
from smerank.audit import client_ip
from smerank.permissions import role_required, staff_roles_required

RUNNING = {ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Data file (CSV or Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "class": "form-control"}),
    )


@require_http_methods(["GET", "POST"])
@staff_roles_required
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


@require_GET
@staff_roles_required
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
    errors = Paginator(job.errors, 100).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "errors": errors,
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


@require_POST
@role_required(Role.PARK_MANAGER)
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
    try:
        imports.import_job_commit(job=job, user=request.user)
    except imports.CommitRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file was committed. The ranking is being updated."))
    return redirect("import-detail", job_id=job.pk)


@require_GET
@staff_roles_required
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

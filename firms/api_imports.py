"""Upload API: send a file, follow its validation, confirm it."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from firms import imports
from firms.selectors import import_jobs_visible_to
from smerank.api_docs import error_responses, id_parameter
from smerank.audit import client_ip
from smerank.permissions import IsAnalystOrParkManager, IsParkManager


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    park = serializers.CharField(source="park.code")
    original_name = serializers.CharField()
    sha256 = serializers.CharField()
    size_bytes = serializers.IntegerField()
    file_type = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    rows_valid = serializers.IntegerField()
    rows_invalid = serializers.IntegerField()
    firms_new = serializers.IntegerField()
    years_new = serializers.IntegerField()
    years_changed = serializers.IntegerField()
    years_unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    committed_at = serializers.DateTimeField(allow_null=True)


class ImportCreateApi(APIView):
    permission_classes = [IsParkManager]
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "upload"

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        sha256 = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={202: OutputSerializer, **error_responses(400, 401, 403, 413, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            job = imports.import_job_create(
                park=request.user.park_manager.park,
                uploader=request.user,
                stream=upload,
                name=upload.name or "",
                ip_address=client_ip(request._request),
            )
        except imports.UploadRejected as exc:
            return Response({"errors": [exc.error.as_dict()]}, status=exc.error.http_status)
        job.refresh_from_db()  # validation already ran when tasks are in-process
        return Response(self.OutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    permission_classes = [IsAnalystOrParkManager]

    @extend_schema(
        parameters=[id_parameter("job_id", "An upload's id.")],
        responses={200: ImportJobSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
        return Response(ImportJobSerializer(job).data)


class ImportConfirmApi(APIView):
    permission_classes = [IsParkManager]

    @extend_schema(
        request=None,
        parameters=[id_parameter("job_id", "An upload's id.")],
        responses={200: ImportJobSerializer, **error_responses(401, 403, 404, 409)},
    )
    def post(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(import_jobs_visible_to(request.user), pk=job_id)
        try:
            job = imports.import_job_commit(job=job, user=request.user)
        except imports.CommitRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(ImportJobSerializer(job).data)

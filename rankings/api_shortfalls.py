"""Shortfall report API and a run's uncertainty/sensitivity analysis."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rankings.selectors import run_list
from rankings.selectors_shortfalls import GroupRow, run_analysis_of, shortfall_report
from rankings.shortfalls import LEVELS
from smerank.api_docs import error_responses, id_parameter
from smerank.permissions import IsAnalystOrParkManager


class _GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    name_fa = serializers.CharField()
    name_en = serializers.CharField()
    firms = serializers.IntegerField()
    in_top = serializers.IntegerField()
    weak = serializers.DictField(child=serializers.FloatField(), help_text="pillar -> share 0-1")
    gaps = serializers.DictField(child=serializers.FloatField(), help_text="gap -> share 0-1")
    top_gaps = serializers.ListField(child=serializers.CharField())


def _group(row: GroupRow) -> dict[str, object]:
    return {
        "key": row.key,
        "name_fa": row.name_fa,
        "name_en": row.name_en,
        "firms": row.firms,
        "in_top": row.in_top,
        "weak": {s.code: round(s.share, 6) for s in row.weak},
        "gaps": {s.code: round(s.share, 6) for s in row.gaps},
        "top_gaps": [s.code for s in row.top_gaps],
    }


class ShortfallApi(APIView):
    """Per group of a level: firms, share weak in each pillar, share with each concrete
    gap and the most common gaps. Analysts: every level; park managers: their park."""

    permission_classes = [IsAuthenticated, IsAnalystOrParkManager]

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=1300, max_value=1499)
        level = serializers.ChoiceField(choices=LEVELS, required=False, default="park")

    class OutputSerializer(serializers.Serializer):
        run = serializers.IntegerField()
        year = serializers.IntegerField()
        level = serializers.CharField()
        top_n = serializers.IntegerField()
        threshold = serializers.FloatField(allow_null=True)
        pillars = serializers.ListField(child=serializers.CharField())
        national = _GroupSerializer(allow_null=True)
        groups = _GroupSerializer(many=True)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF would ignore a blank parameter (`?year=`)
        # that the schema forbids; it is refused with a 400 instead.
        params = self.FilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        report = shortfall_report(user=request.user, level=data["level"], year=data.get("year"))
        if report is None:
            raise Http404("No ranking has been computed for this year yet.")
        payload = {
            "run": report.run.pk,
            "year": report.run.year,
            "level": report.level,
            "top_n": report.top_n,
            "threshold": report.threshold,
            "pillars": [code for code, _label in report.pillars],
            "national": _group(report.national) if report.national else None,
            "groups": [_group(g) for g in report.groups],
        }
        return Response(self.OutputSerializer(payload).data)


class RunAnalysisApi(APIView):
    """The status and sensitivity indices of a run's uncertainty analysis."""

    class OutputSerializer(serializers.Serializer):
        run = serializers.IntegerField(source="run_id")
        status = serializers.CharField()
        params = serializers.DictField()
        sensitivity = serializers.DictField(
            child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
            help_text="choice -> {first_order: S_i, total: ST_i}",
        )
        seconds = serializers.FloatField(allow_null=True)
        failure_reason = serializers.CharField()
        started_at = serializers.DateTimeField(allow_null=True)
        finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        parameters=[id_parameter("run_id", "A ranking run's id.")],
        responses={200: OutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, run_id: int) -> Response:
        run = run_list().filter(pk=run_id).first()
        analysis = run_analysis_of(run)
        if analysis is None:
            raise Http404("This run has no analysis.")
        return Response(self.OutputSerializer(analysis).data)

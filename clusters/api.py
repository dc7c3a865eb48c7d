"""Cluster API: the clusters of a year, one cluster with its members, the regional map."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters import selectors
from rankings.api import ScopedNationalIdField, visible_firm_ids
from rankings.models import RankingRun
from rankings.selectors import current_run
from smerank.api_docs import error_responses, id_parameter


class YearFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1300, max_value=1499)


WITHHELD_HELP = (
    "True when the group has fewer firms than AGGREGATE_MIN_FIRMS (default 5) and the user "
    "is not an analyst: its sums and means are then null (or empty), because they would "
    "show single firms' figures."
)


def _withheld_field(**kwargs: object) -> serializers.BooleanField:
    return serializers.BooleanField(help_text=WITHHELD_HELP, **kwargs)


def _run_or_404(year: int | None) -> RankingRun:
    run = current_run(year=year)
    if run is None:
        raise Http404("No ranking has been computed for this year yet.")
    return run


class ClusterListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="cluster.id")
        code = serializers.CharField(source="cluster.code")
        name_fa = serializers.CharField(source="cluster.name_fa")
        name_en = serializers.CharField(source="cluster.name_en")
        kind = serializers.CharField(source="cluster.kind")
        members = serializers.IntegerField()
        ranked = serializers.IntegerField()
        employment = serializers.IntegerField(allow_null=True)
        sales = serializers.IntegerField(allow_null=True)
        exports = serializers.IntegerField(allow_null=True)
        score_mean = serializers.FloatField(allow_null=True)
        in_top = serializers.IntegerField()
        weakest_pillars = serializers.ListField(child=serializers.CharField())
        withheld = _withheld_field()

    @extend_schema(
        parameters=[YearFilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF would ignore a blank parameter (`?year=`)
        # that the schema forbids; it is refused with a 400 instead.
        params = YearFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        run = _run_or_404(params.validated_data.get("year"))
        profiles = selectors.withheld_last(
            [
                selectors.profile_for(user=request.user, profile=p)
                for p in selectors.cluster_profiles_for(run=run)
            ],
            code=lambda p: p.cluster.code,
        )
        return Response(self.OutputSerializer(profiles, many=True).data)


class ClusterDetailApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class MemberSerializer(serializers.Serializer):
            firm_id = serializers.IntegerField()
            national_id = ScopedNationalIdField(source="firm")
            name_fa = serializers.CharField(source="firm.name_fa")
            province = serializers.CharField(source="firm.park.province.code")
            park = serializers.CharField(source="firm.park.code")
            isic = serializers.CharField(source="firm.isic_id")
            rank_in_cluster = serializers.IntegerField(allow_null=True)

        id = serializers.IntegerField(source="profile.cluster.id")
        code = serializers.CharField(source="profile.cluster.code")
        name_fa = serializers.CharField(source="profile.cluster.name_fa")
        name_en = serializers.CharField(source="profile.cluster.name_en")
        kind = serializers.CharField(source="profile.cluster.kind")
        year = serializers.IntegerField(source="profile.run.year")
        members = serializers.IntegerField(source="profile.members")
        employment = serializers.IntegerField(source="profile.employment", allow_null=True)
        sales = serializers.IntegerField(source="profile.sales", allow_null=True)
        exports = serializers.IntegerField(source="profile.exports", allow_null=True)
        score_mean = serializers.FloatField(source="profile.score_mean", allow_null=True)
        pillars = serializers.DictField(source="profile.pillars")
        pillars_national = serializers.DictField(source="profile.pillars_national")
        weakest_pillars = serializers.ListField(source="profile.weakest_pillars")
        gaps = serializers.DictField(source="profile.gaps")
        withheld = _withheld_field(source="profile.withheld")
        member_list = MemberSerializer(many=True)

    @extend_schema(
        parameters=[id_parameter("cluster_id", "A cluster's id."), YearFilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, cluster_id: int) -> Response:
        params = YearFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        run = _run_or_404(params.validated_data.get("year"))
        # The cluster first: a primary-key lookup answers 404 for any id, even one beyond
        # the database's integer range (the profile's foreign-key lookup would not).
        cluster = selectors.cluster_get(cluster_id=cluster_id)
        profile = selectors.cluster_profile_get(run=run, cluster_id=cluster.pk)
        profile = selectors.profile_for(user=request.user, profile=profile)
        members = selectors.cluster_members_for(user=request.user, run=run, cluster=profile.cluster)
        members = list(members[:500])
        visible = visible_firm_ids(request.user, [m.firm_id for m in members])
        data = {"profile": profile, "member_list": members}
        serializer = self.OutputSerializer(data, context={"visible_firm_ids": visible})
        return Response(serializer.data)


class RegionListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        province = serializers.CharField(source="province.code")
        division = serializers.CharField()
        employment = serializers.IntegerField(allow_null=True)
        establishments = serializers.IntegerField()
        lq = serializers.FloatField(allow_null=True)
        qualifying = serializers.BooleanField()
        significant = serializers.BooleanField()
        strong = serializers.BooleanField()
        strong10 = serializers.BooleanField()
        stars = serializers.IntegerField()
        withheld = _withheld_field()

    @extend_schema(
        parameters=[YearFilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = YearFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        run = _run_or_404(params.validated_data.get("year"))
        cells = [
            selectors.cell_for(user=request.user, cell=c)
            for c in selectors.region_stats_for(run=run)
        ]
        return Response(self.OutputSerializer(cells, many=True).data)

"""Ranking API: runs, the current ranking of a year, a firm's score history."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from firms.selectors import firms_visible_to
from rankings import selectors, selectors_browse, selectors_firm
from smerank.api_docs import error_responses, id_parameter


class RunListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=1300, max_value=1499)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        year = serializers.IntegerField()
        status = serializers.CharField()
        methodology_version = serializers.IntegerField(source="methodology.version")
        generation = serializers.IntegerField()
        firm_count = serializers.IntegerField()
        eligible_count = serializers.IntegerField()
        timings = serializers.DictField(child=serializers.FloatField())
        failure_reason = serializers.CharField()
        data_fingerprint = serializers.CharField()
        created_at = serializers.DateTimeField()
        finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict, not the QueryDict: DRF would ignore a blank parameter (`?year=`)
        # that the schema forbids; it is refused with a 400 instead.
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        runs = selectors.run_list(year=filters.validated_data.get("year"))
        runs = runs[: filters.validated_data["limit"]]
        return Response(self.OutputSerializer(runs, many=True).data)


class ScopedNationalIdField(serializers.CharField):
    """A firm's national id, or null for a firm whose detail the user may not see: the
    public top-N lists other parks' firms by name, never by national id. Reads the ids
    the user may see from the context key `visible_firm_ids`; without it, always null."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, firm: object) -> str | None:
        if firm.pk in self.context.get("visible_firm_ids", ()):
            return firm.national_id
        return None


def visible_firm_ids(user: object, firm_ids: list[int]) -> set[int]:
    """Which of `firm_ids` this user may see the detail of (one query)."""
    return set(firms_visible_to(user).filter(pk__in=firm_ids).values_list("pk", flat=True))


class FirmBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    national_id = ScopedNationalIdField()
    name_fa = serializers.CharField()
    name_en = serializers.CharField()
    province = serializers.CharField(source="park.province.code")
    park = serializers.CharField(source="park.code")
    isic = serializers.CharField(source="isic_id")


class CurrentRankingApi(APIView):
    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=1300, max_value=1499)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=100)
        offset = serializers.IntegerField(required=False, min_value=0, default=0)
        province = serializers.RegexField(r"^IR-\d{2}$", required=False)
        park = serializers.CharField(required=False, max_length=16)
        sector = serializers.RegexField(r"^([A-Ua-u]|\d{2,4})$", required=False)
        search = serializers.CharField(required=False, max_length=100)

    class OutputSerializer(serializers.Serializer):
        class RowSerializer(serializers.Serializer):
            rank = serializers.IntegerField()
            score = serializers.FloatField()
            pillars = serializers.DictField(child=serializers.FloatField(allow_null=True))
            previous_rank = serializers.IntegerField(allow_null=True)
            rank_change = serializers.IntegerField(allow_null=True)
            rank_low = serializers.IntegerField(allow_null=True)
            rank_high = serializers.IntegerField(allow_null=True)
            top_probability = serializers.FloatField(allow_null=True)
            firm = FirmBriefSerializer()

        run = serializers.IntegerField()
        year = serializers.IntegerField()
        methodology_version = serializers.IntegerField()
        count = serializers.IntegerField()
        results = RowSerializer(many=True)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        run = selectors.current_run(year=data.get("year"))
        if run is None:
            raise Http404("No ranking has been computed for this year yet.")
        filters = selectors.RankingFilters(
            province=data.get("province"), park=data.get("park"), sector=data.get("sector")
        )
        rows = selectors.ranking_for(user=request.user, run=run, filters=filters)
        if data.get("search"):
            # Scoped like the ranking table: a national id finds only firms one may see.
            rows = selectors_browse.ranking_search(rows, user=request.user, term=data["search"])
        page = list(rows[data["offset"] : data["offset"] + data["limit"]])
        payload = {
            "run": run.pk,
            "year": run.year,
            "methodology_version": run.methodology.version,
            "count": selectors.rows_count_cached(
                rows=rows, user=request.user, run=run, what=repr((filters, data.get("search")))
            ),
            "results": page,
        }
        visible = visible_firm_ids(request.user, [row.firm_id for row in page])
        serializer = self.OutputSerializer(payload, context={"visible_firm_ids": visible})
        return Response(serializer.data)


GROUP_RANK_WITHHELD_HELP = (
    "True when one of the firm's ranks within a group (province, park, sector) is null "
    "because the group has fewer ranked firms than AGGREGATE_MIN_FIRMS (default 5) and the "
    "user is not an analyst: a rank among two or three firms shows where the others stand. "
    "A park manager sees the park ranks of their own park."
)


class GroupRankField(serializers.IntegerField):
    """The firm's rank within its province, park or sector, or null where that group is
    withheld from the user: the context key `withheld` maps run ids to withheld groups."""

    def __init__(self, group: str, **kwargs: object) -> None:
        self.group = group
        kwargs.setdefault("source", "*")
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, score: object) -> int | None:
        if self.group in self.context.get("withheld", {}).get(score.run_id, ()):
            return None
        value = getattr(score, f"rank_{self.group}")
        return None if value is None else int(value)


class GroupRanksWithheldField(serializers.BooleanField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("source", "*")
        super().__init__(read_only=True, help_text=GROUP_RANK_WITHHELD_HELP, **kwargs)

    def to_representation(self, score: object) -> bool:
        groups = self.context.get("withheld", {}).get(score.run_id, ())
        return any(getattr(score, f"rank_{g}") is not None for g in groups)


class FirmScoreHistoryApi(APIView):
    class OutputSerializer(serializers.Serializer):
        run = serializers.IntegerField(source="run_id")
        year = serializers.IntegerField(source="run.year")
        methodology_version = serializers.IntegerField(source="run.methodology.version")
        run_created_at = serializers.DateTimeField(source="run.created_at")
        eligible = serializers.BooleanField()
        ineligible_reason = serializers.CharField()
        score = serializers.FloatField(allow_null=True)
        rank = serializers.IntegerField(allow_null=True)
        rank_province = GroupRankField("province")
        rank_park = GroupRankField("park")
        rank_sector = GroupRankField("sector")
        withheld = GroupRanksWithheldField()
        rank_change = serializers.IntegerField(allow_null=True)
        pillars = serializers.DictField(child=serializers.FloatField(allow_null=True))
        indicators_raw = serializers.DictField(child=serializers.FloatField(allow_null=True))
        indicators_norm = serializers.DictField(child=serializers.FloatField(allow_null=True))

    @extend_schema(
        parameters=[id_parameter("firm_id", "A firm's id.")],
        responses={200: OutputSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, firm_id: int) -> Response:
        history = list(selectors.firm_score_history(user=request.user, firm_id=firm_id)[:100])
        withheld = selectors_firm.group_ranks_withheld(
            user=request.user, firm_id=firm_id, run_ids=[s.run_id for s in history]
        )
        serializer = self.OutputSerializer(history, many=True, context={"withheld": withheld})
        return Response(serializer.data)

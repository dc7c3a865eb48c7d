"""Reference-data endpoints (public facts: provinces and parks)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from firms import selectors
from smerank.api_docs import error_responses


class ProvinceListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name_fa = serializers.CharField()
        name_en = serializers.CharField()
        parks = serializers.IntegerField()
        firms = serializers.IntegerField()

    @extend_schema(responses={200: OutputSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        rows = selectors.province_summary()
        return Response(self.OutputSerializer(rows, many=True).data)


class ParkListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        code = serializers.CharField()
        name_fa = serializers.CharField()
        name_en = serializers.CharField()
        province = serializers.CharField(source="province.code")
        firms = serializers.IntegerField(source="firm_count")

    @extend_schema(responses={200: OutputSerializer(many=True), **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        parks = selectors.park_list()
        return Response(self.OutputSerializer(parks, many=True).data)

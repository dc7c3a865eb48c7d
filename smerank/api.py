"""Authentication endpoints: token creation and "who am I"."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from firms.roles import user_role
from smerank.api_docs import error_responses, token_throttle_responses


class TokenCreateApi(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            **error_responses(400, 415),
            **token_throttle_responses(),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            return Response(
                {"detail": "Unable to log in with the given username and password."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response(self.OutputSerializer({"token": token.key}).data)


class MeApi(APIView):
    """The signed-in user: username, role, and the park or firm they belong to."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        role = serializers.CharField()
        park = serializers.DictField(allow_null=True)
        firm = serializers.DictField(allow_null=True)

    @extend_schema(responses={200: OutputSerializer, **error_responses(401)})
    def get(self, request: Request) -> Response:
        user = request.user
        park = firm = None
        if hasattr(user, "park_manager"):
            p = user.park_manager.park
            park = {"id": p.id, "code": p.code, "name_fa": p.name_fa, "name_en": p.name_en}
        if hasattr(user, "firm_user"):
            f = user.firm_user.firm
            firm = {"id": f.id, "national_id": f.national_id, "name_fa": f.name_fa}
            p = f.park
            park = {"id": p.id, "code": p.code, "name_fa": p.name_fa, "name_en": p.name_en}
        data = {
            "username": user.username,
            "role": user_role(user).value,
            "park": park,
            "firm": firm,
        }
        return Response(self.OutputSerializer(data).data)

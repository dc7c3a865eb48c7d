"""Shared pieces of the API's OpenAPI schema: error answers and id path parameters.

Every operation lists the error statuses it can really give, so that clients (and the
schemathesis tests) know every status and body shape in advance:

    @extend_schema(responses={200: OutputSerializer, **error_responses(400, 401, 404)})
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """DRF's error body: one message."""

    detail = serializers.CharField()


class UploadErrorSerializer(serializers.Serializer):
    """A refused upload: what was wrong with the file, in Persian and English."""

    errors = serializers.ListField(child=serializers.DictField())


_DESCRIPTIONS = {
    400: "Invalid input: an object naming each wrong field (or `detail`) with its messages.",
    401: "Not signed in: no token, or an invalid one.",
    403: "Signed in, but this role may not use the operation.",
    404: "No such object, or one this user may not see (never told apart).",
    409: "The object is not in a state that allows this.",
    413: "The file is larger than the upload limit.",
    415: "The request body has a media type the operation does not accept.",
    429: "Too many requests: try again after the number of seconds in Retry-After.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given error statuses."""
    responses = {}
    for code in codes:
        if code == 400:
            body = OpenApiTypes.OBJECT
        elif code == 413:
            body = UploadErrorSerializer
        else:
            body = ErrorSerializer
        responses[code] = OpenApiResponse(response=body, description=_DESCRIPTIONS[code])
    return responses


def token_throttle_responses() -> dict[int, OpenApiResponse]:
    """429 from the token endpoint: DRF's throttle, or django-axes once a username has
    failed five times from one address (smerank.views.lockout_response); both JSON."""
    description = (
        "Too many requests (the throttle), or this username is locked out for 15 minutes "
        "after five failed passwords from this address; Retry-After gives the seconds."
    )
    return {429: OpenApiResponse(ErrorSerializer, description=description)}


def id_parameter(name: str, description: str) -> OpenApiParameter:
    """An object id in the path: what Django's `<int:...>` converter accepts (digits only,
    so never negative). An id that matches no object the user may see answers 404."""
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 0}, OpenApiParameter.PATH, description=description
    )

"""OpenAPI schema naming for view-nested serializers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


class SmeRankAutoSchema(AutoSchema):
    """Names `ParkListApi.OutputSerializer` as `ParkListOutput`.

    Every API view nests its own `InputSerializer`/`OutputSerializer`; without this, all
    of them would collide on the component name "Output".
    """

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace("Api.", "").replace("Serializer", "").replace(".", "")
        return super().get_serializer_name(serializer, direction)

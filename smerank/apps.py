from django.apps import AppConfig


class SmeRankConfig(AppConfig):
    name = "smerank"
    verbose_name = "SME Rank"

    def ready(self) -> None:
        from smerank import audit  # noqa: F401  (connects the signal receivers)

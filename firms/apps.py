from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FirmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "firms"
    verbose_name = _("Firms and parks")

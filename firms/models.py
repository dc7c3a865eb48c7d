"""Reference data (provinces, parks, ISIC sectors), firms and their yearly figures,
user roles, import jobs and the audit log.

Money is in million rials, stored as integers. Years are Jalali fiscal years.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.national_id import legal_id_is_valid

JALALI_YEAR_MIN = 1300
JALALI_YEAR_MAX = 1499
FISCAL_YEAR_MIN = 1390

CERTIFICATION_CODES = ("ISO9001", "ISO14001", "ISO45001", "ISO22000", "HACCP", "GMP", "CE", "INSO")


def validate_legal_id(value: str) -> None:
    if not legal_id_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid 11-digit national id (check digit mismatch)."),
            params={"value": value},
            code="bad_checksum",
        )


def validate_certifications(value: str) -> None:
    unknown = [code for code in value.split(";") if code and code not in CERTIFICATION_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown certification codes: %(codes)s"), params={"codes": ", ".join(unknown)}
        )


class Province(models.Model):
    code = models.CharField(_("ISO 3166-2 code"), max_length=5, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64)
    name_iso = models.CharField(_("ISO name"), max_length=64, blank=True)
    capital_fa = models.CharField(_("capital (Persian)"), max_length=64, blank=True)
    capital_en = models.CharField(_("capital (English)"), max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_fa


class Park(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="parks", verbose_name=_("province")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("industrial park")
        verbose_name_plural = _("industrial parks")

    def __str__(self) -> str:
        return self.name_fa


class Sector(models.Model):
    """One node of ISIC Rev.4: section (A), division (10), group (101) or class (1010)."""

    class Level(models.TextChoices):
        SECTION = "section", _("section")
        DIVISION = "division", _("division")
        GROUP = "group", _("group")
        CLASS = "class", _("class")

    code = models.CharField(_("ISIC code"), max_length=4, unique=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    section = models.CharField(_("section"), max_length=1)
    division = models.CharField(_("division"), max_length=2, blank=True)
    title_en = models.CharField(_("English title"), max_length=255)
    title_fa = models.CharField(_("Persian title"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISIC sector")
        verbose_name_plural = _("ISIC sectors")
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title_fa or self.title_en}"

    @property
    def title(self) -> str:
        return self.title_fa or self.title_en


class Firm(models.Model):
    national_id = models.CharField(
        _("national id"), max_length=11, unique=True, validators=[validate_legal_id]
    )
    name_fa = models.CharField(_("Persian name"), max_length=255)
    name_en = models.CharField(_("Latin name"), max_length=255, blank=True)
    # No index of its own: the (park, name_fa) index below serves lookups by park, and one
    # index fewer per row counts when 100,000 firms are written at once.
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        related_name="firms",
        verbose_name=_("park"),
        db_index=False,
    )
    isic = models.ForeignKey(
        Sector,
        to_field="code",
        on_delete=models.PROTECT,
        related_name="firms",
        limit_choices_to={"level": Sector.Level.CLASS},
        verbose_name=_("ISIC class"),
    )
    founded_year = models.PositiveSmallIntegerField(
        _("founded (Jalali year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(JALALI_YEAR_MIN), MaxValueValidator(JALALI_YEAR_MAX)],
    )
    knowledge_based = models.BooleanField(_("knowledge-based"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("firm")
        verbose_name_plural = _("firms")
        indexes = [models.Index(fields=["park", "name_fa"])]

    def __str__(self) -> str:
        return self.name_fa


class FirmYear(models.Model):
    """A firm's figures for one Jalali fiscal year (money in million rials)."""

    # The unique (firm, year) constraint's index serves lookups by firm.
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="years", db_index=False)
    year = models.PositiveSmallIntegerField(
        _("fiscal year"),
        validators=[MinValueValidator(FISCAL_YEAR_MIN), MaxValueValidator(JALALI_YEAR_MAX)],
    )
    employees = models.PositiveIntegerField(_("employees"))
    sales = models.BigIntegerField(_("sales"), validators=[MinValueValidator(0)])
    exports = models.BigIntegerField(
        _("exports"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    export_countries = models.PositiveIntegerField(_("export markets"), null=True, blank=True)
    rd_spend = models.BigIntegerField(
        _("R&D spend"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    net_profit = models.BigIntegerField(_("net profit"), null=True, blank=True)
    total_assets = models.BigIntegerField(
        _("total assets"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    total_debt = models.BigIntegerField(
        _("total debt"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    certifications = models.CharField(
        _("certifications"),
        max_length=128,
        blank=True,
        default="",
        validators=[validate_certifications],
        help_text=_("Codes separated by ';', e.g. ISO9001;HACCP"),
    )
    new_products = models.PositiveIntegerField(_("new products"), null=True, blank=True)
    tech_level = models.PositiveSmallIntegerField(
        _("technology-adoption level"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
    )
    source_import = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="firm_years",
        verbose_name=_("source import"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["firm_id", "year"]
        verbose_name = _("firm-year figures")
        verbose_name_plural = _("firm-year figures")
        constraints = [
            models.UniqueConstraint(fields=["firm", "year"], name="firmyear_unique_firm_year"),
            models.CheckConstraint(
                condition=models.Q(exports__isnull=True) | models.Q(exports__lte=models.F("sales")),
                name="firmyear_exports_within_sales",
            ),
            models.CheckConstraint(
                condition=models.Q(tech_level__isnull=True) | models.Q(tech_level__lte=5),
                name="firmyear_tech_level_0_5",
            ),
        ]
        indexes = [models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"

    def clean(self) -> None:
        if self.exports is not None and self.sales is not None and self.exports > self.sales:
            raise ValidationError({"exports": _("Exports cannot exceed sales.")})

    @property
    def certification_list(self) -> list[str]:
        return [c for c in self.certifications.split(";") if c]


class ParkManager(models.Model):
    """A user who manages one industrial park (uploads and corrects its firms' data)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="park_manager"
    )
    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="managers")

    class Meta:
        verbose_name = _("park manager")
        verbose_name_plural = _("park managers")

    def __str__(self) -> str:
        return f"{self.user} → {self.park}"


class FirmUser(models.Model):
    """A user who speaks for one firm and sees only that firm's scores."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="firm_user"
    )
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="users")

    class Meta:
        verbose_name = _("firm user")
        verbose_name_plural = _("firm users")

    def __str__(self) -> str:
        return f"{self.user} → {self.firm}"


def _import_upload_path(instance: ImportJob, filename: str) -> str:
    # Never use the uploader's file name in a path.
    return f"imports/{instance.uuid}"


class ImportJob(models.Model):
    """One uploaded file on its way from validation to a committed, all-or-nothing write."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        VALIDATING = "validating", _("validating")
        INVALID = "invalid", _("invalid")
        READY = "ready", _("ready to commit")
        COMMITTING = "committing", _("committing")
        COMMITTED = "committed", _("committed")
        FAILED = "failed", _("failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="import_jobs")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_jobs",
    )
    file = models.FileField(_("file"), upload_to=_import_upload_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    file_type = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    firms_new = models.PositiveIntegerField(default=0)
    years_new = models.PositiveIntegerField(default=0)
    years_changed = models.PositiveIntegerField(default=0)
    years_unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["park", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class AuditEvent(models.Model):
    """Append-only record of who did what and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValidationError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events are append-only.")

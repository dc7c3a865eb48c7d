"""Methodology versions, ranking runs, firm scores, the per-year pointer and editions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.models import Firm


class Methodology(models.Model):
    """A versioned ranking method. Immutable once a run has used it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=128)
    notes = models.TextField(_("notes"), blank=True)
    spec = models.JSONField(_("specification"))
    is_active = models.BooleanField(_("active"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="methodology_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and self.runs.exists():
            stored = Methodology.objects.filter(pk=self.pk).values_list("spec", flat=True).first()
            if stored != self.spec:
                raise ValidationError(
                    _("This methodology has been used by a run; create a new version instead.")
                )
        super().save(*args, **kwargs)


class YearState(models.Model):
    """Per fiscal year: how often its data changed, and which run is current.

    `generation` is bumped in the same transaction as every data change; the current
    run records the generation it was computed from, so a worker can tell whether it
    must run again. Readers follow `current_run` and never see a half-written run.
    """

    year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    generation = models.PositiveBigIntegerField(default=0)
    current_run = models.ForeignKey(
        "RankingRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dirty_since = models.DateTimeField(null=True, blank=True)
    # A lease for databases without advisory locks (SQLite): who runs, until when.
    lease_until = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("year state")
        verbose_name_plural = _("year states")

    def __str__(self) -> str:
        return f"{self.year} (generation {self.generation})"


class RankingRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    year = models.PositiveSmallIntegerField(_("fiscal year"), db_index=True)
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="runs")
    generation = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    data_fingerprint = models.CharField(max_length=64, blank=True)
    firm_count = models.PositiveIntegerField(default=0)
    eligible_count = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    treatment = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ranking run")
        verbose_name_plural = _("ranking runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.year} ({self.get_status_display()})"


class FirmScore(models.Model):
    """One firm's result in one run. Written in bulk by the worker, never edited."""

    # A run writes 100,000 rows in one transaction. The unique (run, firm) and the
    # (firm, run) indexes already serve every lookup by run or by firm, so the FKs get no
    # index of their own; and no database constraint: the worker writes only ids it read in
    # the same transaction, deletions cascade through Django, and the commit would
    # otherwise check 200,000 foreign keys (bench/recompute.md).
    run = models.ForeignKey(
        RankingRun,
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,
        db_constraint=False,
    )
    firm = models.ForeignKey(
        Firm, on_delete=models.CASCADE, related_name="scores", db_index=False, db_constraint=False
    )
    eligible = models.BooleanField(default=False)
    ineligible_reason = models.CharField(max_length=32, blank=True)
    score = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)
    rank_province = models.PositiveIntegerField(null=True)
    rank_park = models.PositiveIntegerField(null=True)
    rank_sector = models.PositiveIntegerField(null=True)
    rank_cluster = models.PositiveIntegerField(null=True)
    previous_rank = models.PositiveIntegerField(null=True)
    rank_change = models.IntegerField(null=True)
    pillars = models.JSONField(default=dict)
    indicators_raw = models.JSONField(default=dict)
    indicators_norm = models.JSONField(default=dict)
    # The rank band from the uncertainty analysis (filled after the run is published).
    rank_median = models.FloatField(null=True)
    rank_low = models.PositiveIntegerField(null=True)
    rank_high = models.PositiveIntegerField(null=True)
    top_probability = models.FloatField(null=True)

    class Meta:
        verbose_name = _("firm score")
        verbose_name_plural = _("firm scores")
        constraints = [
            models.UniqueConstraint(fields=["run", "firm"], name="firmscore_unique_run_firm")
        ]
        indexes = [
            models.Index(fields=["run", "rank"]),
            models.Index(fields=["firm", "run"]),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} in run {self.run_id}: {self.rank}"


class Edition(models.Model):
    """A published run, e.g. "SME100 1403": what the public sees."""

    run = models.OneToOneField(RankingRun, on_delete=models.PROTECT, related_name="edition")
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    title = models.CharField(_("title"), max_length=64)
    notes = models.TextField(_("notes"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self) -> str:
        return self.title


class RunAnalysis(models.Model):
    """The uncertainty and sensitivity analysis of a run, computed by the worker after the
    run is published. The rank bands themselves go to the run's FirmScore rows."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        # The run was no longer its year's current run (or its data moved on): not worth it.
        SUPERSEDED = "superseded", _("superseded")

    run = models.OneToOneField(RankingRun, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    # Per uncertain choice: {"first_order": S_i, "total": ST_i} (null when undefined).
    sensitivity = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("run analysis")
        verbose_name_plural = _("run analyses")

    def __str__(self) -> str:
        return f"analysis of run {self.run_id} ({self.get_status_display()})"

    def sensitivity_rows(self) -> list[dict[str, object]]:
        """One row per uncertain choice, the one that matters most (largest total) first."""
        from rankings.analysis_labels import sensitivity_rows

        return sensitivity_rows(self.sensitivity)

    def most_important(self) -> dict[str, object] | None:
        rows = [r for r in self.sensitivity_rows() if r["total"] is not None]
        return rows[0] if rows else None

    def leading_choices(self) -> list[dict[str, object]]:
        """The choice that matters most, with any whose total index is close to it."""
        from rankings.analysis_labels import leading_choices

        return leading_choices(self.sensitivity_rows())

"""Industrial clusters: definitions, the province x division map and membership per run."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from firms.models import Firm, Park, Province, Sector
from rankings.models import RankingRun


class Cluster(models.Model):
    """A cluster: activities (ISIC divisions, groups or classes) in places (provinces or
    parks). Official ones are defined by analysts; discovered ones are proposed by the
    mapping from strong province x division cells."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official")
        DISCOVERED = "discovered", _("discovered")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OFFICIAL)
    sectors = models.ManyToManyField(
        Sector,
        related_name="clusters",
        verbose_name=_("ISIC activities"),
        help_text=_("Divisions, groups or classes; a firm matches when its class starts with one."),
    )
    provinces = models.ManyToManyField(
        Province, related_name="clusters", blank=True, verbose_name=_("provinces")
    )
    parks = models.ManyToManyField(
        Park, related_name="clusters", blank=True, verbose_name=_("industrial parks")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")

    def __str__(self) -> str:
        return self.name_fa


class RegionSectorStat(models.Model):
    """One province x ISIC division cell of a run: employment, LQ and the cluster flags."""

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="region_stats")
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    division = models.CharField(max_length=2)
    employment = models.BigIntegerField()
    establishments = models.PositiveIntegerField()
    lq = models.FloatField(null=True)
    qualifying = models.BooleanField(default=False)
    significant = models.BooleanField(default=False)
    strong = models.BooleanField(default=False)
    strong10 = models.BooleanField(default=False)
    stars = models.PositiveSmallIntegerField(default=0)
    star_size = models.BooleanField(default=False)
    star_specialisation = models.BooleanField(default=False)
    star_focus = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("province x division statistic")
        verbose_name_plural = _("province x division statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "province", "division"], name="regionstat_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.province_id}/{self.division} LQ {self.lq}"


class ClusterMembership(models.Model):
    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="memberships")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="cluster_memberships")
    rank_in_cluster = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "cluster", "firm"], name="membership_unique_run_cluster_firm"
            )
        ]
        indexes = [models.Index(fields=["run", "firm"]), models.Index(fields=["run", "cluster"])]

    def __str__(self) -> str:
        return f"{self.firm_id} in {self.cluster_id}"


class ClusterProfile(models.Model):
    """A cluster's figures in a run, computed with the run so pages read one row."""

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="cluster_profiles")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="profiles")
    members = models.PositiveIntegerField(default=0)
    ranked = models.PositiveIntegerField(default=0)
    employment = models.BigIntegerField(default=0)
    sales = models.BigIntegerField(default=0)
    exports = models.BigIntegerField(default=0)
    score_mean = models.FloatField(null=True)
    in_top = models.PositiveIntegerField(default=0)
    pillars = models.JSONField(default=dict)  # cluster mean per pillar
    pillars_national = models.JSONField(default=dict)
    weakest_pillars = models.JSONField(default=list)
    gaps = models.JSONField(default=dict)  # share of members with no exports, ...
    top_members = models.JSONField(default=list)  # firm ids, best first

    class Meta:
        verbose_name = _("cluster profile")
        verbose_name_plural = _("cluster profiles")
        constraints = [
            models.UniqueConstraint(fields=["run", "cluster"], name="profile_unique_run_cluster")
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id} in run {self.run_id}"

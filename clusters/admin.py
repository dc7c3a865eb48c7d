from django.contrib import admin

from clusters.models import Cluster, ClusterMembership, ClusterProfile, RegionSectorStat


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_fa", "name_en"]
    filter_horizontal = ["sectors", "provinces", "parks"]


@admin.register(RegionSectorStat)
class RegionSectorStatAdmin(admin.ModelAdmin):
    list_display = ["run", "province", "division", "employment", "lq", "strong", "stars"]
    list_filter = ["strong", "stars"]
    raw_id_fields = ["run"]


@admin.register(ClusterMembership)
class ClusterMembershipAdmin(admin.ModelAdmin):
    list_display = ["run", "cluster", "firm", "rank_in_cluster"]
    raw_id_fields = ["run", "cluster", "firm"]


@admin.register(ClusterProfile)
class ClusterProfileAdmin(admin.ModelAdmin):
    list_display = ["run", "cluster", "members", "employment", "score_mean"]
    raw_id_fields = ["run", "cluster"]

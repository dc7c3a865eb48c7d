from django.contrib import admin

from rankings.models import Edition, FirmScore, Methodology, RankingRun, YearState


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "is_active", "author", "created_at"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        # A changed spec is a new version: the old one may have been used by a run.
        from rankings.services import methodology_activate, methodology_create

        if change and obj.runs.exists():
            obj = methodology_create(
                name=obj.name,
                spec=obj.spec,
                author=request.user,
                notes=obj.notes,
                activate=obj.is_active,
            )
            return
        if not change:
            created = methodology_create(
                name=obj.name,
                spec=obj.spec,
                author=request.user,
                notes=obj.notes,
                activate=obj.is_active,
            )
            obj.pk = created.pk
            return
        super().save_model(request, obj, form, change)
        if obj.is_active:
            methodology_activate(methodology=obj)


@admin.register(YearState)
class YearStateAdmin(admin.ModelAdmin):
    list_display = ["year", "generation", "current_run", "failed_attempts", "dirty_since"]
    readonly_fields = ["year", "generation", "current_run", "dirty_since", "lease_until"]


@admin.register(RankingRun)
class RankingRunAdmin(admin.ModelAdmin):
    list_display = ["id", "year", "status", "methodology", "firm_count", "created_at"]
    list_filter = ["status", "year"]
    readonly_fields = [f.name for f in RankingRun._meta.fields]


@admin.register(FirmScore)
class FirmScoreAdmin(admin.ModelAdmin):
    list_display = ["run", "firm", "rank", "score", "eligible"]
    list_filter = ["eligible"]
    raw_id_fields = ["run", "firm"]
    search_fields = ["firm__national_id", "firm__name_fa"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "run", "published_by", "published_at"]
    raw_id_fields = ["run"]

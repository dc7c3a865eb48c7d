from django.contrib import admin

from firms.models import (
    AuditEvent,
    Firm,
    FirmUser,
    FirmYear,
    ImportJob,
    Park,
    ParkManager,
    Province,
    Sector,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "name_en", "capital_fa"]
    search_fields = ["code", "name_fa", "name_en"]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "name_en", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_fa", "name_en"]
    list_select_related = ["province"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "title_en", "title_fa"]
    list_filter = ["level", "section"]
    search_fields = ["code", "title_en", "title_fa"]
    raw_id_fields = ["parent"]


class FirmYearInline(admin.TabularInline):
    model = FirmYear
    extra = 0
    raw_id_fields = ["source_import"]


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ["national_id", "name_fa", "park", "isic", "knowledge_based"]
    list_filter = ["knowledge_based", "park__province"]
    search_fields = ["national_id", "name_fa", "name_en"]
    raw_id_fields = ["park", "isic"]
    list_select_related = ["park", "isic"]
    inlines = [FirmYearInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        from firms.services import firm_years_changed

        firm_years_changed(years={fy.year for fy in form.instance.years.all()})


@admin.register(FirmYear)
class FirmYearAdmin(admin.ModelAdmin):
    list_display = ["firm", "year", "employees", "sales", "exports"]
    list_filter = ["year"]
    search_fields = ["firm__national_id", "firm__name_fa"]
    raw_id_fields = ["firm", "source_import"]
    list_select_related = ["firm"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from firms.services import firm_years_changed

        firm_years_changed(years={obj.year})


@admin.register(ParkManager)
class ParkManagerAdmin(admin.ModelAdmin):
    list_display = ["user", "park"]
    raw_id_fields = ["user", "park"]


@admin.register(FirmUser)
class FirmUserAdmin(admin.ModelAdmin):
    list_display = ["user", "firm"]
    raw_id_fields = ["user", "firm"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "park", "uploader", "status", "rows_total", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_username", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["actor_username", "action", "object_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Provincial admins: search, filter and export the registry. Records are changed only in the offices' pages
(through graduates.actions), so the admin shows them read-only, history included."""

from django.contrib import admin
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from core.audit import record_audit

from .models import FollowUpVisit, Graduate, GraduateChange, GraduateSource
from .resources import GraduateExportResource


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChangeInline(ReadOnlyInline):
    model = GraduateChange
    fields = ["at", "kind", "actor", "office", "changes", "note"]
    readonly_fields = fields
    verbose_name_plural = "变更记录（只读）"


class VisitInline(ReadOnlyInline):
    model = FollowUpVisit
    fields = ["visited_on", "method", "outcome", "destination", "employer", "note", "staff", "office"]
    readonly_fields = fields


class SourceInline(ReadOnlyInline):
    model = GraduateSource
    fields = ["channel", "reference", "received_at", "office"]
    readonly_fields = fields


@admin.register(Graduate)
class GraduateAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [GraduateExportResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    list_display = [
        "name",
        "masked_id_number",
        "cohort",
        "education",
        "state",
        "responsible_office",
        "updated_at",
    ]
    list_filter = ["state", "cohort", "education", "category", "destination", "location_intention"]
    search_fields = ["^name", "=id_number", "=mobile"]
    search_help_text = "姓名（前缀）、完整身份证号或手机号"
    list_select_related = ["responsible_office"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [SourceInline, VisitInline, ChangeInline]

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj: Graduate) -> str:
        return obj.masked_id_number

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope_of(request.user)

    def get_search_results(self, request, queryset, search_term):
        from .checks import normalize_text

        return super().get_search_results(
            request, queryset, normalize_text(search_term).upper() or search_term
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        record_audit(
            action="graduate.exported",
            actor=request.user,
            request=request,
            data={"rows": queryset.count(), "format": file_format.get_title()},
        )
        return data

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            record_audit(
                action="graduate.viewed", actor=request.user, request=request, data={"id": object_id}
            )
        return response

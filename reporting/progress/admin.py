"""Read-only admin listing of the stored weekly progress tables (immutable: no add, change or delete)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import WeeklyProgressSnapshot


@admin.register(WeeklyProgressSnapshot)
class WeeklyProgressSnapshotAdmin(admin.ModelAdmin):
    list_display = ("week", "cohort", "office", "submitter", "generated_at", "row_count")
    list_filter = ("cohort", "week", "office__kind")
    list_select_related = ("office", "generated_by")
    date_hierarchy = "week"
    ordering = ("-week", "office__region_id")
    exclude = ("content",)
    readonly_fields = (
        "cohort", "week", "office", "filename", "sha256", "row_count", "rows", "as_of", "generated_by",
        "generated_at",
    )  # fmt: skip
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("content", "rows")

    @admin.display(description="报送人")
    def submitter(self, obj: WeeklyProgressSnapshot) -> str:
        if obj.generated_by is None:
            return "系统"
        return obj.generated_by.full_name or obj.generated_by.get_username()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

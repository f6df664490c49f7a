"""The service log in the admin: read-only and narrowed to the admin's scope (entries are logged and voided only
through services/actions.py, so every one has its audit row)."""

from django.contrib import admin

from core.scope import scope_for

from .models import ServiceEntry


@admin.register(ServiceEntry)
class ServiceEntryAdmin(admin.ModelAdmin):
    list_display = ["date", "graduate", "service_type", "channel", "office", "staff", "origin", "voided_at"]
    list_filter = ["service_type", "channel", "origin", ("voided_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "date"
    list_select_related = ["graduate", "office", "staff"]
    show_full_result_count = False
    readonly_fields = [f.name for f in ServiceEntry._meta.fields]

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request), office_field="office")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The report recipients per office, edited by the bureau in the admin; the delivery log, read-only."""

from django.contrib import admin

from .models import Delivery, ReportRecipient


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ["office", "name", "email", "active"]
    list_filter = ["active", "office__kind"]
    search_fields = ["office__name", "office__region__code", "name", "email"]
    list_select_related = ["office"]
    ordering = ["office__region_id", "email"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "period", "office", "recipient", "status", "attempts", "claimed_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["period", "recipient", "office__name"]
    list_select_related = ["office"]
    date_hierarchy = "claimed_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

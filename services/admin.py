"""The service log in the admin: read-only and narrowed to the admin's scope (entries are logged and voided only
through services/actions.py, so every one has its audit row)."""

from django.contrib import admin

from core.audit import record_audit
from core.scope import scope_for

from .models import JobPosting, OneOnOne, RecruitmentEvent, ServiceEntry, ServiceStandard, StandardRule


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


class StandardRuleInline(admin.TabularInline):
    model = StandardRule
    extra = 0
    fields = [
        "position",
        "applies_to",
        "codes",
        "service_type",
        "required",
        "window_unit",
        "window_length",
        "fixed_month",
        "fixed_day",
        "anchor",
        "citation",
    ]


@admin.register(ServiceStandard)
class ServiceStandardAdmin(admin.ModelAdmin):
    """Provincial admins edit their standards' rules and switch one on (the plans follow at once)."""

    list_display = ["name", "code", "province", "is_active", "notice"]
    list_filter = ["is_active"]
    inlines = [StandardRuleInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        from django.conf import settings

        return queryset.filter(province=settings.PROVINCE_CODE)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(
            action="services.standard.saved",
            actor=request.user,
            obj=obj,
            data={"code": obj.code, "active": obj.is_active, "fields": sorted(form.changed_data)},
        )


@admin.register(JobPosting)
class JobPostingAdmin(admin.ModelAdmin):
    list_display = [
        "employer",
        "title",
        "category",
        "location",
        "education",
        "head_count",
        "valid_until",
        "source",
    ]
    list_filter = ["source", "education"]
    search_fields = ["employer", "title", "category"]
    list_select_related = ["location", "office"]
    raw_id_fields = ["location"]
    readonly_fields = ["office", "created_by", "created_at"]

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request), office_field="office")

    def has_add_permission(self, request):
        return False  # added on the postings page (services/actions.py create_posting)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(action="services.posting.changed", actor=request.user, obj=obj, data={})


@admin.register(RecruitmentEvent)
class RecruitmentEventAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "online", "place", "office"]
    list_filter = ["kind", "online"]
    date_hierarchy = "date"
    search_fields = ["name", "place"]
    list_select_related = ["office"]
    filter_horizontal = ["postings"]
    readonly_fields = ["office", "created_by", "created_at"]

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request), office_field="office")

    def has_add_permission(self, request):
        return False  # added on the events page (services/actions.py create_event)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(action="services.event.changed", actor=request.user, obj=obj, data={})


@admin.register(OneOnOne)
class OneOnOneAdmin(admin.ModelAdmin):
    """Read-only: specialists are named on the record page (services/actions.py assign_specialist, audited)."""

    list_display = ["graduate", "specialist", "office", "follow_up_days", "started_on"]
    list_select_related = ["graduate", "specialist", "office"]
    readonly_fields = [f.name for f in OneOnOne._meta.fields]

    def get_queryset(self, request):
        return scope_for(request.user).filter(
            super().get_queryset(request), office_field="graduate__responsible_office"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

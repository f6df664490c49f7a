from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Office, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "level", "valid_from", "valid_to", "successor"]
    list_filter = ["level", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "full_name"]
    readonly_fields = [f.name for f in Region._meta.fields] + ["names"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "parent", "school_code", "is_province_run", "is_active"]
    list_filter = ["kind", "is_province_run", "is_active"]
    search_fields = ["name", "school_code", "region__code", "region__full_name"]
    raw_id_fields = ["region", "parent"]
    list_select_related = ["region", "parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "office", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "office__name"]
    list_select_related = ["office"]
    raw_id_fields = ["office"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["full_name", "email", "phone"]}),
        ("机构与角色", {"fields": ["office", "role"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "office", "role", "password1", "password2"],
            },
        ),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, edits or deletes audit rows through the admin."""

    list_display = ["at", "action", "actor", "office", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_id", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "office"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

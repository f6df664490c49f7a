from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from .demo import PROVINCE_ADMIN_GROUP
from .models import AuditEvent, Office, Region, Role, User
from .security.admin import locked_out, reset_second_factor, unlock_users
from .security.lockout import with_lockout

# Fields only a superuser sets: with them a provincial admin could raise itself above its role.
PRIVILEGE_FIELDS = frozenset({"is_superuser", "is_staff", "groups", "user_permissions"})


def managed_province_prefix(user: User) -> str | None:
    """The region prefix of the province whose users USER manages; None for a superuser (every user)."""
    if user.is_superuser:
        return None
    if user.office is None or user.role != Role.PROVINCE_ADMIN:
        return "-"  # matches no region code: such a user manages nobody
    return user.office.region_id[:2]


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
    """Superusers manage everyone. A provincial admin manages the users of its province's offices only, never a
    superuser, and never sets privileges: staff status and the admin group follow the role."""

    list_display = ["username", "full_name", "role", "office", "is_active", "last_login", locked_out]
    actions = [unlock_users, reset_second_factor]
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
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        queryset = with_lockout(super().get_queryset(request))
        prefix = managed_province_prefix(request.user)
        if prefix is None:
            return queryset
        return queryset.filter(is_superuser=False, office__region__code__startswith=prefix)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in PRIVILEGE_FIELDS]})
            for name, options in fieldsets
            if any(f not in PRIVILEGE_FIELDS for f in options["fields"])
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        prefix = managed_province_prefix(request.user)
        if db_field.name == "office" and prefix is not None:
            field.queryset = field.queryset.filter(region__code__startswith=prefix)
            field.error_messages["invalid_choice"] = "只能选择本省的机构。"
        return field

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.is_superuser = False
            obj.is_staff = obj.role == Role.PROVINCE_ADMIN
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if request.user.is_superuser:
            return
        # Only the provincial admins' group follows the role; groups a superuser gave stay as they are.
        admin_group = Group.objects.filter(name=PROVINCE_ADMIN_GROUP).first()
        if admin_group is None:
            return
        if form.instance.role == Role.PROVINCE_ADMIN:
            form.instance.groups.add(admin_group)
        else:
            form.instance.groups.remove(admin_group)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log for provincial admins: searched by person, office, action, object and time; read-only for
    everybody (the database refuses changes anyway: core/migrations/0004)."""

    list_display = ["at", "action", "actor", "office", "object_link", "rows", "purpose", "ip_address"]
    list_filter = ["action", "office"]
    search_fields = [
        "actor__username",
        "actor__full_name",
        "office__name",
        "action",
        "object_type",
        "=object_id",
        "data__purpose",
    ]
    search_help_text = "操作人（用户名、姓名）、机构、操作、对象类型或编号、使用目的；多个词同时满足"
    date_hierarchy = "at"
    list_select_related = ["actor", "office"]
    readonly_fields = ["at", "action", "actor", "office", "object_type", "object_id", "ip_address", "data"]
    show_full_result_count = False
    list_per_page = 100
    actions = None

    @admin.display(description="对象")
    def object_link(self, obj: AuditEvent) -> str:
        if not obj.object_type:
            return ""
        app_label, _, model_name = obj.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.object_id])
        except NoReverseMatch:
            return f"{obj.object_type} #{obj.object_id}"
        return format_html('<a href="{}">{} #{}</a>', url, obj.object_type, obj.object_id)

    @admin.display(description="行数")
    def rows(self, obj: AuditEvent):
        return obj.data.get("rows", "") if isinstance(obj.data, dict) else ""

    @admin.display(description="使用目的")
    def purpose(self, obj: AuditEvent) -> str:
        return obj.data.get("purpose", "") if isinstance(obj.data, dict) else ""

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_superuser or (
            user.role == Role.PROVINCE_ADMIN and super().has_view_permission(request, obj)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

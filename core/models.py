"""Regions (GB/T 2260), offices, users with one role each, and the append-only audit log.

This app knows no domain app: graduates, handover, services and reporting build on it, never the reverse.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    PREFECTURE = "prefecture", "地级"
    COUNTY = "county", "县级"


class RegionQuerySet(models.QuerySet):
    def current(self) -> RegionQuerySet:
        return self.filter(valid_to__isnull=True)

    def within(self, code: str) -> RegionQuerySet:
        """The region CODE and everything below it (by the GB/T 2260 prefix rule)."""
        return self.filter(code__startswith=region_prefix(code))


def region_prefix(code: str) -> str:
    """The code prefix shared by a region's subtree: 2 digits for a province, 4 for a prefecture, else 6."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class Region(models.Model):
    """One GB/T 2260 code, with the years it was in use and, once abolished, its successor where there is one.

    Codes are kept forever: old ID numbers and rosters carry codes abolished long ago (632121 平安县 became
    630203 平安区 in 2015). `name` is the latest name the code carried; `names` keeps each name with its years.
    """

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    full_name = models.CharField(
        "全称", max_length=160, help_text="省、地、县名称相连，如 青海省西宁市城东区"
    )
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.PositiveSmallIntegerField("启用年份", null=True, blank=True)
    valid_to = models.PositiveSmallIntegerField("停用年份", null=True, blank=True, help_text="空表示现行代码")
    successor = models.ForeignKey(
        "self",
        verbose_name="现行代码",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        help_text="已撤销代码对应的现行代码（如有）",
    )
    names = models.JSONField("历史名称", default=list, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["code"], name="region_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["full_name"], name="region_full_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def prefix(self) -> str:
        return region_prefix(self.code)

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture_code(self) -> str:
        return self.code[:4] + "00"


class OfficeKind(models.TextChoices):
    BUREAU = "bureau", "省就业服务局"
    PREFECTURE = "prefecture", "市（州）就业服务机构"
    COUNTY = "county", "县（市、区）就业服务机构"
    EDUCATION = "education", "省教育厅"
    UNIVERSITY = "university", "高等院校"


class OfficeQuerySet(models.QuerySet):
    def employment_offices(self) -> OfficeQuerySet:
        return self.filter(kind__in=[OfficeKind.BUREAU, OfficeKind.PREFECTURE, OfficeKind.COUNTY])

    def employment_office_of(self, region_code: str) -> Office | None:
        """The employment office of a 6-digit region code (at most one: office_one_employment_office_per_region)."""
        return self.employment_offices().filter(region_id=region_code).first()

    def universities(self) -> OfficeQuerySet:
        return self.filter(kind=OfficeKind.UNIVERSITY)

    def active(self) -> OfficeQuerySet:
        return self.filter(is_active=True)


class Office(models.Model):
    """An organisation that uses the system: an employment service office, the Education Dept or a university.

    An employment office covers the subtree of its region (bureau: the province; prefecture office: its
    prefecture; county office: its county). A university covers only its own graduates.
    """

    kind = models.CharField("机构类型", max_length=12, choices=OfficeKind.choices)
    name = models.CharField("机构名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="所在/负责区划", on_delete=models.PROTECT, related_name="offices"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Universities only.
    school_code = models.CharField(
        "学校标识码", max_length=10, blank=True, help_text="教育部 10 位学校标识码，院校必填"
    )
    is_province_run = models.BooleanField("省属院校", default=False)
    # Bureau only: Jilin hands graduates over down to county offices, Qinghai to prefecture offices.
    handover_to_county = models.BooleanField(
        "交接到县级", default=False, help_text="省局按生源地直接分发到县级机构（如吉林）；否则分发到市（州）"
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["kind", "region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_code"], condition=~Q(school_code=""), name="office_unique_school_code"
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind__in=["bureau", "prefecture", "county"]),
                name="office_one_employment_office_per_region",
            ),
            models.CheckConstraint(
                condition=~Q(kind="university") | ~Q(school_code=""), name="office_university_has_school_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_employment_office(self) -> bool:
        return self.kind in (OfficeKind.BUREAU, OfficeKind.PREFECTURE, OfficeKind.COUNTY)


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", "省级管理员"
    PREFECTURE_STAFF = "prefecture_staff", "市（州）经办人员"
    COUNTY_STAFF = "county_staff", "县（市、区）经办人员"
    EDUCATION_STAFF = "education_staff", "教育厅工作人员"
    UNIVERSITY_STAFF = "university_staff", "院校工作人员"


# Which kind of office each role belongs to: a user's role and office must agree.
ROLE_OFFICE_KIND = {
    Role.PROVINCE_ADMIN: OfficeKind.BUREAU,
    Role.PREFECTURE_STAFF: OfficeKind.PREFECTURE,
    Role.COUNTY_STAFF: OfficeKind.COUNTY,
    Role.EDUCATION_STAFF: OfficeKind.EDUCATION,
    Role.UNIVERSITY_STAFF: OfficeKind.UNIVERSITY,
}


class User(AbstractUser):
    """A person who logs in. Belongs to one office and has one role (superusers may have neither)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    office = models.ForeignKey(
        Office, verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(role="", office__isnull=True) | (~Q(role="") & Q(office__isnull=False)),
                name="user_role_and_office_together",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if bool(self.role) != bool(self.office_id):
            raise ValidationError("角色和所属机构必须同时填写（超级用户可都不填）。")
        if self.role and self.office.kind != ROLE_OFFICE_KIND[self.role]:
            raise ValidationError(
                {
                    "role": f"“{self.get_role_display()}”只能属于{OfficeKind(ROLE_OFFICE_KIND[self.role]).label}。"
                }
            )


class AuditEvent(models.Model):
    """One line of the append-only audit log: who did what to which object, when, from where.

    Rows are only ever inserted (see `core.audit.record_audit`); the admin shows them read-only. `data` holds ids
    and counts, never personal data in clear.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    office = models.ForeignKey(
        Office, verbose_name="操作人机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Notification(models.Model):
    """A message to one user in the system (a long job finished, work arrived). Shown under the bell in the
    navigation bar until read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField("时间", default=timezone.now)
    message = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return self.message

"""The service log: every service an office gives a graduate. Entries are never edited: a mistaken one is voided
(kept, with who, when and why) and a correction is a new entry."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import Office, Region
from graduates.models import Graduate

from .codes import (
    CONTENT_MAX,
    OUTCOME_MAX,
    POSTING_REF_MAX,
    STAFF_NAME_MAX,
    TITLE_MAX,
    VOID_REASON_MAX,
    Anchor,
    AppliesTo,
    Channel,
    EventKind,
    Origin,
    PostingSource,
    ServiceType,
    WindowUnit,
)


class ServiceEntryQuerySet(models.QuerySet):
    def active(self) -> ServiceEntryQuerySet:
        """Entries that count (not voided)."""
        return self.filter(voided_at__isnull=True)

    def voided(self) -> ServiceEntryQuerySet:
        return self.filter(voided_at__isnull=False)


class ServiceEntry(models.Model):
    graduate = models.ForeignKey(
        Graduate, verbose_name="毕业生", on_delete=models.PROTECT, related_name="service_entries"
    )
    service_type = models.CharField("服务类型", max_length=20, choices=ServiceType.choices)
    date = models.DateField("服务日期", help_text="北京时间的日期")
    office = models.ForeignKey(
        Office, verbose_name="服务机构", on_delete=models.PROTECT, related_name="service_entries"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_entries",
    )
    staff_name = models.CharField(
        "经办人（台账所填）",
        max_length=STAFF_NAME_MAX,
        blank=True,
        help_text="台账中经办人与系统用户对不上时保留原文",
    )
    channel = models.CharField("服务方式", max_length=10, choices=Channel.choices, blank=True)
    content = models.CharField("服务内容", max_length=CONTENT_MAX, blank=True)
    outcome = models.CharField("服务结果", max_length=OUTCOME_MAX, blank=True)
    # The ledger's 岗位编号 as written; a posting or event logged from its page is linked below.
    posting_ref = models.CharField("岗位编号", max_length=POSTING_REF_MAX, blank=True)
    posting = models.ForeignKey(
        "JobPosting", verbose_name="岗位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        "RecruitmentEvent",
        verbose_name="招聘活动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.CharField("记录来源", max_length=10, choices=Origin.choices, default=Origin.RECORD)
    created_at = models.DateTimeField("记录时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField("作废原因", max_length=VOID_REASON_MAX, blank=True)

    objects = ServiceEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        indexes = [
            # A graduate's services of a type in date order (the timeline, plans, duplicates of a ledger).
            models.Index(fields=["graduate", "service_type", "date"], name="service_graduate_type_date_idx"),
            # The office's log, newest first.
            models.Index(fields=["office", "-date", "-id"], name="service_office_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                name="service_void_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} {self.date:%Y-%m-%d}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


# --- Service standards ----------------------------------------------------------------------------------------


class ServiceStandard(models.Model):
    """A set of rules promising services within a window (a notice's service package). A province edits them in
    the admin and keeps one active; the presets qinghai, mohrss and jilin come with a data migration."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    notice = models.CharField("依据", max_length=200, help_text="文件名称与文号")
    province = models.CharField(
        "省份代码", max_length=2, default="63", help_text="GB/T 2260 省级代码前两位（青海 63）"
    )
    is_active = models.BooleanField("启用", default=False, help_text="每个省份同时只启用一个服务标准")

    class Meta:
        verbose_name = "服务标准"
        verbose_name_plural = "服务标准"
        ordering = ["province", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["province"], condition=Q(is_active=True), name="service_standard_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self) -> None:
        if self.is_active:
            others = ServiceStandard.objects.filter(province=self.province, is_active=True).exclude(
                pk=self.pk
            )
            if others.exists():
                raise ValidationError(
                    {"is_active": f"该省份已启用服务标准“{others.first()}”，请先停用它再启用本标准。"}
                )


class StandardRule(models.Model):
    """One promise: graduates matching APPLIES_TO/CODES get at least REQUIRED services of SERVICE_TYPE within
    the window (WINDOW_LENGTH months or days from the anchor, or until a fixed day of the cohort year)."""

    standard = models.ForeignKey(
        ServiceStandard, verbose_name="服务标准", on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)
    applies_to = models.CharField("适用对象", max_length=20, choices=AppliesTo.choices)
    codes = ArrayField(
        models.CharField(max_length=2),
        verbose_name="代码",
        default=list,
        blank=True,
        help_text="登记表代码，含任一即适用（如就业意向 1,2,3,5,6）；“已做求职登记”不填",
    )
    service_type = models.CharField("服务类型", max_length=20, choices=ServiceType.choices)
    required = models.PositiveSmallIntegerField("至少次数", default=1)
    window_unit = models.CharField("期限单位", max_length=10, choices=WindowUnit.choices)
    window_length = models.PositiveSmallIntegerField(
        "期限长度", null=True, blank=True, help_text="几个月或几天；固定日期时不填"
    )
    fixed_month = models.PositiveSmallIntegerField("固定日期：月", null=True, blank=True)
    fixed_day = models.PositiveSmallIntegerField("固定日期：日", null=True, blank=True)
    anchor = models.CharField("起算日", max_length=20, choices=Anchor.choices, default=Anchor.RECEIVED)
    citation = models.CharField("依据条款", max_length=200)

    class Meta:
        verbose_name = "服务标准条款"
        verbose_name_plural = "服务标准条款"
        ordering = ["standard", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(required__gte=1), name="standard_rule_required_positive"),
            models.CheckConstraint(
                condition=(
                    Q(window_unit__in=["months", "days"], window_length__gte=1, fixed_month__isnull=True)
                    | Q(
                        window_unit="fixed",
                        window_length__isnull=True,
                        fixed_month__gte=1,
                        fixed_month__lte=12,
                        fixed_day__gte=1,
                        fixed_day__lte=31,
                    )
                ),
                name="standard_rule_window_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_applies_to_display()} → ≥{self.required} {self.get_service_type_display()}"

    def clean(self) -> None:
        import datetime

        errors: dict[str, str] = {}
        if self.applies_to == AppliesTo.JOB_SEEKING:
            self.codes = []
        elif not self.codes:
            errors["codes"] = "请填写适用的登记表代码（如 1,2,3）。"
        else:
            from graduates.codes import Hardship, Intention, ServiceNeed

            known = {
                AppliesTo.INTENTION: Intention,
                AppliesTo.NEED: ServiceNeed,
                AppliesTo.HARDSHIP: Hardship,
            }
            choices = known.get(self.applies_to)
            unknown = [c for c in self.codes if choices is not None and c not in choices.values]
            if unknown:
                errors["codes"] = f"{self.get_applies_to_display()}没有代码：{'、'.join(unknown)}。"
        if self.window_unit in (WindowUnit.MONTHS, WindowUnit.DAYS):
            if not self.window_length:
                errors["window_length"] = "按月或按天计的期限须填写长度（至少 1）。"
            elif self.window_length > 366:
                errors["window_length"] = "期限长度不能超过 366。"
            self.fixed_month = self.fixed_day = None
        elif self.window_unit == WindowUnit.FIXED:
            self.window_length = None
            try:
                datetime.date(2024, self.fixed_month or 0, self.fixed_day or 0)
            except (TypeError, ValueError):
                errors["fixed_day"] = "固定日期的月、日不成立（如 12 月 31 日）。"
        if self.required and self.required > 100:
            errors["required"] = "至少次数不能超过 100。"
        if errors:
            raise ValidationError(errors)


# --- Job postings and recruitment events ----------------------------------------------------------------------


class JobPosting(models.Model):
    """A job an office collected (seed 003 §六(二)4: demand, category, location, pay) to recommend to graduates."""

    office = models.ForeignKey(Office, verbose_name="发布机构", on_delete=models.PROTECT, related_name="+")
    employer = models.CharField("用人单位", max_length=TITLE_MAX)
    title = models.CharField("岗位名称", max_length=TITLE_MAX)
    category = models.CharField("职位类别", max_length=50, blank=True)
    location = models.ForeignKey(
        Region, verbose_name="工作地点", on_delete=models.PROTECT, related_name="+", to_field="code"
    )
    pay_min = models.PositiveIntegerField("月薪下限（元）", null=True, blank=True)
    pay_max = models.PositiveIntegerField("月薪上限（元）", null=True, blank=True)
    education = models.CharField(
        "最低学历",
        max_length=1,
        blank=True,
        choices=[("1", "博士研究生"), ("2", "硕士研究生"), ("3", "大学本科"), ("4", "大学专科")],
        help_text="不填为不限",
    )
    majors = ArrayField(
        models.CharField(max_length=50),
        verbose_name="专业要求",
        default=list,
        blank=True,
        help_text="专业名称或关键词（如 计算机、会计），不填为不限",
    )
    head_count = models.PositiveSmallIntegerField("招聘人数", default=1)
    valid_until = models.DateField("有效期至")
    source = models.CharField("岗位来源", max_length=20, choices=PostingSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "岗位信息"
        verbose_name_plural = "岗位信息"
        indexes = [models.Index(fields=["valid_until"], name="posting_valid_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pay_min__isnull=True) | Q(pay_max__isnull=True) | Q(pay_min__lte=F("pay_max")),
                name="posting_pay_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.title}"

    @property
    def pay_range(self) -> str:
        if self.pay_min and self.pay_max:
            return f"{self.pay_min}–{self.pay_max} 元/月"
        if self.pay_min or self.pay_max:
            return f"{self.pay_min or self.pay_max} 元/月"
        return "面议"


class RecruitmentEvent(models.Model):
    """A recruitment event an office held: 专业性 (weekly) or 综合性 (monthly), seed 002; the postings it carried."""

    office = models.ForeignKey(Office, verbose_name="举办机构", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("活动名称", max_length=TITLE_MAX)
    date = models.DateField("举办日期")
    kind = models.CharField("活动类型", max_length=20, choices=EventKind.choices)
    online = models.BooleanField("网络招聘", default=False)
    place = models.CharField("举办地点", max_length=TITLE_MAX, blank=True)
    postings = models.ManyToManyField(JobPosting, verbose_name="提供岗位", blank=True, related_name="events")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "招聘活动"
        verbose_name_plural = "招聘活动"
        indexes = [models.Index(fields=["date", "kind"], name="event_date_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(online=True) | ~Q(place=""), name="event_place_or_online"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


# --- One-on-one help for hardship graduates (seed 002 §五(七)(八)) --------------------------------------------


class OneOnOne(models.Model):
    """A hardship graduate's named specialist (就业和人才服务专员), the written help plan and the follow-up
    schedule. Each follow-up is a logged 一对一帮扶 service (from any page, the bulk page or a ledger); the next
    one falls due FOLLOW_UP_DAYS after the latest, or after STARTED_ON (selectors.follow_ups_due)."""

    graduate = models.OneToOneField(
        Graduate, verbose_name="毕业生", on_delete=models.PROTECT, related_name="one_on_one"
    )
    office = models.ForeignKey(Office, verbose_name="帮扶机构", on_delete=models.PROTECT, related_name="+")
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="就业和人才服务专员",
        on_delete=models.PROTECT,
        related_name="one_on_ones",
    )
    plan = models.TextField("帮扶计划", max_length=1000)
    follow_up_days = models.PositiveSmallIntegerField("回访间隔（天）", default=30)
    started_on = models.DateField("开始帮扶日期", default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="指定人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("指定时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "一对一帮扶"
        verbose_name_plural = "一对一帮扶"
        indexes = [models.Index(fields=["specialist"], name="one_on_one_specialist_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_days__gte=1, follow_up_days__lte=180), name="one_on_one_follow_up_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id} · {self.specialist}"


# --- The plans kept as rows (read by the worklists and the compliance page) -----------------------------------


class Obligation(models.Model):
    """One graduate's obligation under the active standard, as services/plans.py computes it, kept as a row so
    that an office's worklist and the province's compliance are index reads instead of a plan per graduate.
    Refreshed for a graduate whenever one of their services is logged or voided (same transaction), and for
    everyone by the periodic task services.refresh_obligations (stale meanwhile: a new hand-over, a changed
    intention or state). The state is derived when read: met when BY_DUE ≥ REQUIRED, late when DONE ≥ REQUIRED,
    closed when CLOSED, overdue after DUE, else due."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(StandardRule, on_delete=models.CASCADE, related_name="+")
    standard = models.ForeignKey(ServiceStandard, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    service_type = models.CharField(max_length=20)
    required = models.PositiveSmallIntegerField()
    anchor = models.DateField()
    due = models.DateField()
    done = models.PositiveIntegerField()
    by_due = models.PositiveIntegerField()
    closed = models.BooleanField()
    # Still owed: neither met nor late nor closed (the worklists read only these).
    open = models.BooleanField()

    class Meta:
        verbose_name = "服务义务（计算结果）"
        verbose_name_plural = "服务义务（计算结果）"
        constraints = [
            models.UniqueConstraint(fields=["graduate", "rule"], name="obligation_once_per_rule"),
        ]
        indexes = [
            models.Index(fields=["office", "due"], condition=Q(open=True), name="obligation_office_open_idx"),
            models.Index(fields=["staff", "due"], condition=Q(open=True), name="obligation_staff_open_idx"),
            # The bureau's worklist (every office): open rows in due order, the office list checked on the way.
            models.Index(fields=["due"], condition=Q(open=True), name="obligation_open_due_idx"),
            models.Index(fields=["standard", "office"], name="obligation_standard_office_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id}:{self.rule_id} {self.done}/{self.required} {self.due:%Y-%m-%d}"


class PlanSnapshot(models.Model):
    """When the obligations of a standard were last computed for everyone, and as of which day."""

    standard = models.OneToOneField(ServiceStandard, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "服务计划计算记录"
        verbose_name_plural = "服务计划计算记录"

    def __str__(self) -> str:
        return f"{self.standard_id} {self.refreshed_at:%Y-%m-%d %H:%M}"

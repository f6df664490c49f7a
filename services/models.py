"""The service log: every service an office gives a graduate. Entries are never edited: a mistaken one is voided
(kept, with who, when and why) and a correction is a new entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import Office
from graduates.models import Graduate

from .codes import (
    CONTENT_MAX,
    OUTCOME_MAX,
    POSTING_REF_MAX,
    STAFF_NAME_MAX,
    VOID_REASON_MAX,
    Channel,
    Origin,
    ServiceType,
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
    # A posting/event FK arrives with the postings part; until then the ledger's 岗位编号 is kept as written.
    posting_ref = models.CharField("岗位编号", max_length=POSTING_REF_MAX, blank=True)
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

"""Handover batches (青人社厅函〔2017〕490号, 吉人社发〔2022〕21号): lists reach the bureau, are split by origin to the
offices, and each office acknowledges its share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import Office
from graduates.models import Graduate, RosterUpload


class BatchSource(models.TextChoices):
    EDUCATION = "education", "教育厅移交（省属院校）"
    MOHRSS = "mohrss", "人社部（省外院校本省生源）"
    UNIVERSITY = "university", "院校名单"
    SELF = "self", "本人登记"


class HandoverBatch(models.Model):
    """One list received by the bureau: where it came from, for which cohort, its file, its counts."""

    class Status(models.TextChoices):
        RECEIVED = "received", "待分发"
        DISPATCHED = "dispatched", "已分发"

    source = models.CharField("来源", max_length=12, choices=BatchSource.choices)
    cohort = models.PositiveSmallIntegerField("届别")
    received_on = models.DateField("接收日期", default=timezone.localdate)
    upload = models.OneToOneField(
        RosterUpload,
        verbose_name="导入的名单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batch",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    total = models.PositiveIntegerField("人数", default=0)
    dispatched = models.PositiveIntegerField("已分发", default=0)
    unassigned = models.PositiveIntegerField("待分配", default=0)
    kept = models.PositiveIntegerField("已签约（不分发）", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField("分发时间", null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "交接批次"
        verbose_name_plural = "交接批次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.cohort}届 {self.get_source_display()}（{self.received_on:%Y-%m-%d}）"


class HandoverItem(models.Model):
    """One graduate of a batch: where it was dispatched and whether that office has acknowledged it (签收)."""

    batch = models.ForeignKey(HandoverBatch, on_delete=models.CASCADE, related_name="items")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="handover_items")
    kept = models.BooleanField("已签约，不分发", default=False)
    office = models.ForeignKey(
        Office,
        verbose_name="接收机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_items",
    )
    dispatched_at = models.DateTimeField("分发时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "交接明细"
        verbose_name_plural = "交接明细"
        constraints = [
            models.UniqueConstraint(fields=["batch", "graduate"], name="handover_item_once_per_batch")
        ]
        indexes = [models.Index(fields=["office", "acknowledged_at"], name="handover_item_office_ack_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.graduate_id}"

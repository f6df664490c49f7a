"""Stored upward reports. A snapshot is immutable: regenerating a table makes a new version."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.models import Office


class MonthlySnapshot(models.Model):
    """One generated 汇总表 (seed 001 annex 2) for (cohort, month, office or the whole province)."""

    cohort = models.PositiveSmallIntegerField("届别")
    month = models.DateField("月份", help_text="该月第一天")
    office = models.ForeignKey(
        Office,
        verbose_name="填报单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：全省",
    )
    version = models.PositiveIntegerField("版本")
    content = models.BinaryField("文件")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField("行数")
    as_of = models.DateField("数据截至")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：由命令或定时任务生成",
    )
    generated_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "月度汇总表"
        verbose_name_plural = "月度汇总表"
        ordering = ["-month", "-generated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "month", "office", "version"],
                nulls_distinct=False,
                name="reporting_snapshot_unique_version",
            )
        ]
        indexes = [models.Index(fields=["month", "office"], name="reporting_snapshot_month")]

    def __str__(self) -> str:
        return f"{self.cohort}届 {self.month:%Y-%m} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("汇总表快照生成后不可修改；请重新生成新版本。")
        super().save(*args, **kwargs)


from reporting.mail.models import Delivery, DeliveryKind, ReportRecipient  # noqa: E402, F401
from reporting.progress.models import ProgressSnapshot, WeeklyProgressSnapshot  # noqa: E402, F401

"""Tables of the progress reports (吉人社发〔2022〕21号 annex 2 信息衔接工作进展汇总表), imported by reporting/models.py.

- ProgressSnapshot: the figures of reporting.progress.progress, counted for every region-code prefix (province 2,
  prefecture 4, county 6 digits) and cohort by one set-based pass (reporting.progress.snapshot) every 5 minutes,
  so the progress page reads a few hundred rows instead of recounting every item on each request. Moved from the
  handover app (migration reporting/0002 keeps its rows: the table is renamed, not recreated).
- WeeklyProgressSnapshot: the weekly progress table an office submitted for a week (every Thursday), or the one the
  system stored for the province on Thursday morning; immutable.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import Office


class ProgressSnapshot(models.Model):
    """One row per (region-code prefix, cohort or NULL for every cohort), distinct graduates per row; plus one
    marker row (``key`` = '') per refresh, saying when the figures were counted even when nothing was."""

    key = models.CharField("区划代码前缀", max_length=6)
    cohort = models.PositiveSmallIntegerField("届别", null=True, blank=True)
    received = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    not_seeking = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)
    employed = models.PositiveIntegerField(default=0)
    studying = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    oldest_waiting = models.DateTimeField(null=True, blank=True)
    first_dispatch = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField("统计时间")

    class Meta:
        db_table = "reporting_progresssnapshot"
        verbose_name = "交接进度统计快照"
        verbose_name_plural = "交接进度统计快照"

    def __str__(self) -> str:
        return f"{self.key or '—'} {self.cohort or '全部'}：{self.received}"


class WeeklyProgressSnapshot(models.Model):
    """One stored weekly progress table for (cohort, week's Thursday, office): submitted by an office user
    (报送本周进度; one per office and week) or stored by the system on Thursday morning for the province
    (generated_by NULL; one per week: a re-run stores nothing new). ``rows`` keeps the table's figures as shown."""

    cohort = models.PositiveSmallIntegerField("届别")
    week = models.DateField("周", help_text="该周星期四")
    office = models.ForeignKey(Office, verbose_name="填报单位", on_delete=models.PROTECT, related_name="+")
    content = models.BinaryField("文件")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField("行数")
    rows = models.JSONField("表内数据", default=list)
    as_of = models.DateField("数据截至")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：系统（定时任务）留存",
    )
    generated_at = models.DateTimeField("报送时间", default=timezone.now)

    class Meta:
        verbose_name = "周进度汇总表"
        verbose_name_plural = "周进度汇总表"
        ordering = ["-week", "office__region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "week", "office"],
                condition=Q(generated_by__isnull=False),
                name="reporting_weekly_one_submission",
            ),
            models.UniqueConstraint(
                fields=["cohort", "week", "office"],
                condition=Q(generated_by__isnull=True),
                name="reporting_weekly_one_system_copy",
            ),
        ]
        indexes = [models.Index(fields=["week", "cohort"], name="reporting_weekly_week")]

    def __str__(self) -> str:
        return f"{self.cohort}届 {self.week:%Y-%m-%d} {self.office_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("周进度汇总表报送后不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("周进度汇总表报送后不可删除。")

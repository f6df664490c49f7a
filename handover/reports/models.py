"""The progress snapshot: the figures of handover/reports/progress.py, counted for every region-code prefix
(province 2, prefecture 4, county 6 digits) and cohort by one set-based pass (handover.reports.snapshot), so the
progress page reads a few hundred rows instead of recounting every item on each request. Imported by
handover/models.py (the model belongs to the handover app)."""

from __future__ import annotations

from django.db import models


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
        app_label = "handover"
        verbose_name = "交接进度统计快照"
        verbose_name_plural = "交接进度统计快照"

    def __str__(self) -> str:
        return f"{self.key or '—'} {self.cohort or '全部'}：{self.received}"

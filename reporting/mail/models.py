"""Tables of the scheduled mail, imported by reporting/models.py.

- ReportRecipient: who receives an office's monthly table by e-mail (edited in the admin).
- Delivery: one row per (kind, period, office, recipient), claimed before anything is sent, so that a re-run or a
  second beat sends nothing twice; a failed one stays claimable and is retried.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import Office


class ReportRecipient(models.Model):
    """An address that receives an employment office's monthly 汇总表 (the bureau's: the whole province's)."""

    office = models.ForeignKey(
        Office,
        verbose_name="机构",
        on_delete=models.CASCADE,
        related_name="report_recipients",
        limit_choices_to={"kind__in": ["bureau", "prefecture", "county"]},
    )
    name = models.CharField("收件人", max_length=50, blank=True)
    email = models.EmailField("电子邮箱")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "报表收件人"
        verbose_name_plural = "报表收件人"
        ordering = ["office__region_id", "email"]
        constraints = [
            models.UniqueConstraint(fields=["office", "email"], name="reporting_recipient_once_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email}（{self.office_id}）"


class DeliveryKind(models.TextChoices):
    MONTHLY_TABLE = "monthly_table", "月度汇总表邮件"
    ROSTER_DUE = "roster_due", "院校名单报送提醒"
    EDUCATION_LIST_DUE = "education_due", "教育厅移交名单提醒"
    MOHRSS_LIST_DUE = "mohrss_due", "人社部名单提醒"
    MONTHLY_DUE = "monthly_due", "月度汇总表报送提醒"
    WEEKLY_DUE = "weekly_due", "周进度报送提醒"
    SERVICES_DUE = "services_due", "服务到期提醒"
    UNCONTACTED = "uncontacted", "未联系毕业生提醒"


class Delivery(models.Model):
    """One mail (and, for a reminder, one in-app notification) for (KIND, PERIOD, OFFICE, RECIPIENT). RECIPIENT is
    the address for the monthly table, ``user:<id>`` for a reminder. The row is inserted (claimed) before sending;
    SENDING rows older than a few minutes (a worker killed mid-send) and FAILED rows may be claimed again."""

    class Status(models.TextChoices):
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    kind = models.CharField("类别", max_length=16, choices=DeliveryKind.choices)
    period = models.CharField("期间", max_length=10, help_text="月：2026-11；日：2026-12-03")
    office = models.ForeignKey(
        Office, verbose_name="机构", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.CharField("收件标识", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField("电子邮箱", blank=True, help_text="空：只发站内通知")
    subject = models.CharField("主题", max_length=200)
    body = models.TextField("正文")
    url = models.CharField("链接", max_length=300, blank=True)
    snapshot = models.ForeignKey(
        "reporting.MonthlySnapshot",
        verbose_name="汇总表",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=1)
    notified = models.BooleanField("已发站内通知", default=False)
    error = models.CharField("最近错误", max_length=300, blank=True)
    claimed_at = models.DateTimeField("领取时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "邮件发送记录"
        verbose_name_plural = "邮件发送记录"
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "office", "recipient"],
                nulls_distinct=False,
                name="reporting_delivery_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "claimed_at"], condition=~Q(status="sent"), name="delivery_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} → {self.recipient}"

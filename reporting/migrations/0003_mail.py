"""The scheduled mail: report recipients per office, the delivery log (one row per kind, period, office and
recipient: the database refuses a second), and two beat entries, editable in the admin: the monthly tables on
the 1st at 02:00 and the reminders every day at 08:00 (Asia/Shanghai). Idempotent: looked up by name."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MONTHLY_TASK = "月度汇总表：每月1日生成并发送邮件"
REMINDERS_TASK = "报送与服务提醒：每日"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="1", month_of_year="*", timezone="Asia/Shanghai"
    )
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=MONTHLY_TASK,
        defaults={"task": "reporting.mail.monthly_tables", "crontab": monthly, "enabled": True},
    )
    PeriodicTask.objects.get_or_create(
        name=REMINDERS_TASK, defaults={"task": "reporting.mail.reminders", "crontab": daily, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[MONTHLY_TASK, REMINDERS_TASK]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_notifications"),
        ("reporting", "0002_progress_weekly"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("monthly_table", "月度汇总表邮件"),
                            ("roster_due", "院校名单报送提醒"),
                            ("education_due", "教育厅移交名单提醒"),
                            ("mohrss_due", "人社部名单提醒"),
                            ("monthly_due", "月度汇总表报送提醒"),
                            ("weekly_due", "周进度报送提醒"),
                            ("services_due", "服务到期提醒"),
                            ("uncontacted", "未联系毕业生提醒"),
                        ],
                        max_length=16,
                        verbose_name="类别",
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        help_text="月：2026-11；日：2026-12-03", max_length=10, verbose_name="期间"
                    ),
                ),
                ("recipient", models.CharField(max_length=254, verbose_name="收件标识")),
                (
                    "email",
                    models.EmailField(
                        blank=True, help_text="空：只发站内通知", max_length=254, verbose_name="电子邮箱"
                    ),
                ),
                ("subject", models.CharField(max_length=200, verbose_name="主题")),
                ("body", models.TextField(verbose_name="正文")),
                ("url", models.CharField(blank=True, max_length=300, verbose_name="链接")),
                (
                    "status",
                    models.CharField(
                        choices=[("sending", "发送中"), ("sent", "已发送"), ("failed", "发送失败")],
                        default="sending",
                        max_length=8,
                        verbose_name="状态",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=1, verbose_name="尝试次数")),
                ("notified", models.BooleanField(default=False, verbose_name="已发站内通知")),
                ("error", models.CharField(blank=True, max_length=300, verbose_name="最近错误")),
                (
                    "claimed_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="领取时间"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                (
                    "office",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.office",
                        verbose_name="机构",
                    ),
                ),
                (
                    "snapshot",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="reporting.monthlysnapshot",
                        verbose_name="汇总表",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "邮件发送记录",
                "verbose_name_plural": "邮件发送记录",
                "ordering": ["-claimed_at"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "sent"), _negated=True),
                        fields=["status", "claimed_at"],
                        name="delivery_open_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "period", "office", "recipient"),
                        name="reporting_delivery_once",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportRecipient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(blank=True, max_length=50, verbose_name="收件人")),
                ("email", models.EmailField(max_length=254, verbose_name="电子邮箱")),
                ("active", models.BooleanField(default=True, verbose_name="启用")),
                (
                    "office",
                    models.ForeignKey(
                        limit_choices_to={"kind__in": ["bureau", "prefecture", "county"]},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_recipients",
                        to="core.office",
                        verbose_name="机构",
                    ),
                ),
            ],
            options={
                "verbose_name": "报表收件人",
                "verbose_name_plural": "报表收件人",
                "ordering": ["office__region_id", "email"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("office", "email"), name="reporting_recipient_once_per_office"
                    )
                ],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]

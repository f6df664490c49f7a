"""The progress snapshot taken over from the handover app, and the weekly progress table (吉人社发〔2022〕21号).

1. ProgressSnapshot enters reporting's state on the existing table handover_progresssnapshot (no SQL), then the
   table is renamed to reporting_progresssnapshot: its rows survive.
2. The beat entry that refreshes it every 5 minutes now runs reporting.refresh_progress.
3. WeeklyProgressSnapshot, and its beat entry: every Thursday 08:00 (Asia/Shanghai) the system stores the
   province's table for each active cohort. Idempotent: schedules and entries are looked up by name.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

REFRESH_TASK = "交接进度：刷新统计快照"
WEEKLY_TASK = "周进度汇总表：系统每周四留存"


def rename_refresh_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="handover.refresh_progress").update(task="reporting.refresh_progress")


def unrename_refresh_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task="reporting.refresh_progress").update(task="handover.refresh_progress")


def schedule_weekly(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    thursday, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="4",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=WEEKLY_TASK,
        defaults={"task": "reporting.weekly_progress_snapshots", "crontab": thursday, "enabled": True},
    )


def unschedule_weekly(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=WEEKLY_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_monthly_snapshot"),
        ("handover", "0009_progress_snapshot_to_reporting"),
        ("core", "0003_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProgressSnapshot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=6, verbose_name="区划代码前缀")),
                        (
                            "cohort",
                            models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="届别"),
                        ),
                        ("received", models.PositiveIntegerField(default=0)),
                        ("acknowledged", models.PositiveIntegerField(default=0)),
                        ("contacted", models.PositiveIntegerField(default=0)),
                        ("verified", models.PositiveIntegerField(default=0)),
                        ("not_seeking", models.PositiveIntegerField(default=0)),
                        ("unreachable", models.PositiveIntegerField(default=0)),
                        ("employed", models.PositiveIntegerField(default=0)),
                        ("studying", models.PositiveIntegerField(default=0)),
                        ("transferred", models.PositiveIntegerField(default=0)),
                        ("oldest_waiting", models.DateTimeField(blank=True, null=True)),
                        ("first_dispatch", models.DateTimeField(blank=True, null=True)),
                        ("computed_at", models.DateTimeField(verbose_name="统计时间")),
                    ],
                    options={
                        "verbose_name": "交接进度统计快照",
                        "verbose_name_plural": "交接进度统计快照",
                        "db_table": "handover_progresssnapshot",
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="progresssnapshot", table="reporting_progresssnapshot"),
        migrations.RunPython(rename_refresh_task, unrename_refresh_task),
        migrations.CreateModel(
            name="WeeklyProgressSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("cohort", models.PositiveSmallIntegerField(verbose_name="届别")),
                ("week", models.DateField(help_text="该周星期四", verbose_name="周")),
                ("content", models.BinaryField(verbose_name="文件")),
                ("filename", models.CharField(max_length=200, verbose_name="文件名")),
                ("sha256", models.CharField(max_length=64)),
                ("row_count", models.PositiveIntegerField(verbose_name="行数")),
                ("rows", models.JSONField(default=list, verbose_name="表内数据")),
                ("as_of", models.DateField(verbose_name="数据截至")),
                (
                    "generated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="报送时间"),
                ),
                (
                    "generated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="空：系统（定时任务）留存",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="报送人",
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.office",
                        verbose_name="填报单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "周进度汇总表",
                "verbose_name_plural": "周进度汇总表",
                "ordering": ["-week", "office__region_id"],
                "indexes": [models.Index(fields=["week", "cohort"], name="reporting_weekly_week")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("generated_by__isnull", False)),
                        fields=("cohort", "week", "office"),
                        name="reporting_weekly_one_submission",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("generated_by__isnull", True)),
                        fields=("cohort", "week", "office"),
                        name="reporting_weekly_one_system_copy",
                    ),
                ],
            },
        ),
        migrations.RunPython(schedule_weekly, unschedule_weekly),
    ]

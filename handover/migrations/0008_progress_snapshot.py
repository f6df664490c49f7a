"""The progress page's snapshot (handover.reports.snapshot) and its refresh every 5 minutes by Celery beat
(handover.refresh_progress). Idempotent: the schedule and the task are looked up by name."""

from django.db import migrations, models

TASK = "交接进度：刷新统计快照"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK, defaults={"task": "handover.refresh_progress", "interval": interval, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0007_item_dispatched_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
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
                ("cohort", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="届别")),
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
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]

"""The audit log becomes append-only in PostgreSQL itself, and its retention a scheduled job.

Plain SQL (RunSQL) rather than django-pgtrigger: the rule is one trigger function and one purge function whose
exact text matters for a security review, and the controlled way through (a transaction-local setting that only
`core_auditevent_purge` turns on, around its own DELETE) is ours to write either way; pgtrigger's `ignore()`
would open the trigger to any Python code that asks for it.

- UPDATE of any row and TRUNCATE are refused, always (tests/conftest.py lets the test runner's own flush
  through with the session setting gradservice.audit_truncate; nothing in the application sets it).
- DELETE is refused unless it runs inside `core_auditevent_purge(days)` and the row is older than 183 days:
  even that function cannot remove anything younger than the legal minimum (网络安全法 第二十一条: network logs kept no less than six months).
- A role that owns the table can still drop or disable the trigger; that is a DDL change that shows in the
  database's own log, not a silent rewrite through the application's SQL.

The retention job (`core.tasks.purge_audit`, daily at 03:30 Asia/Shanghai) is scheduled here, editable in the
admin; idempotent (looked up by name)."""

from django.db import migrations

RETENTION_TASK = "审计日志保留期清理：每日"

# The legal minimum is written into the SQL below as the literal 183 (days).

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('gradservice.audit_purge', true) = 'on'
       AND OLD.at < clock_timestamp() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_setting('gradservice.audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%）', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = '超过保留期的记录由 python manage.py purge_audit 清理。';
END
$$;

CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_rewrite();

CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse_rewrite();

CREATE OR REPLACE FUNCTION core_auditevent_purge(days integer, OUT deleted bigint, OUT cutoff timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    IF days IS NULL OR days < 183 THEN
        RAISE EXCEPTION '审计日志至少保留 183 天，不接受 % 天', days
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    cutoff := clock_timestamp() - make_interval(days => days);
    PERFORM set_config('gradservice.audit_purge', 'on', true);
    DELETE FROM core_auditevent WHERE at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('gradservice.audit_purge', 'off', true);
END
$$;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_purge(integer);
DROP FUNCTION IF EXISTS core_auditevent_refuse_rewrite();
"""


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=RETENTION_TASK, defaults={"task": "core.purge_audit", "crontab": daily, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RETENTION_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(schedule, unschedule),
    ]

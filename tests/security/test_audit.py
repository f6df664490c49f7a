"""The audit log cannot be rewritten: PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE from the application's
own connection; only the retention job removes rows, only rows past the period, and it leaves its own row."""

import datetime
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import AuditEvent, Role
from core.retention import RetentionTooShort, purge_audit

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "审计日志只能追加，不能修改或删除"

pytestmark = pytest.mark.django_db


def audit_row(days_ago: float, action: str = "test.event") -> AuditEvent:
    return AuditEvent.objects.create(action=action, at=timezone.now() - datetime.timedelta(days=days_ago))


def run_sql(sql: str, params=None):
    """SQL exactly as the application's role sends it (Django's own connection), in a savepoint so a refusal
    leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_the_database_refuses_update_and_delete_of_any_audit_row_from_the_applications_connection():
    young, old = audit_row(1), audit_row(400)
    with pytest.raises(DatabaseError, match=REFUSED):
        run_sql("UPDATE core_auditevent SET action = 'rewritten' WHERE id = %s", [young.pk])
    with pytest.raises(DatabaseError, match=REFUSED):
        run_sql("UPDATE core_auditevent SET at = now() - interval '1000 days' WHERE id = %s", [young.pk])
    with pytest.raises(DatabaseError, match=REFUSED):
        run_sql("DELETE FROM core_auditevent WHERE id = %s", [young.pk])
    with pytest.raises(DatabaseError, match=REFUSED):  # even a row past retention: only the job deletes
        run_sql("DELETE FROM core_auditevent WHERE id = %s", [old.pk])
    with pytest.raises(DatabaseError, match=REFUSED):
        run_sql(  # the pending checks of the rows just inserted first, else PostgreSQL refuses for that reason
            "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL gradservice.audit_truncate = 'off';"
            "TRUNCATE core_auditevent CASCADE"
        )
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():  # the ORM meets the same trigger
        AuditEvent.objects.filter(pk=young.pk).update(action="rewritten")
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.event"}
    assert AuditEvent.objects.count() == 2


def test_the_purge_switch_set_by_hand_still_cannot_delete_a_row_younger_than_183_days():
    young = audit_row(182)
    with pytest.raises(DatabaseError, match=REFUSED):
        run_sql(
            "SELECT set_config('gradservice.audit_purge', 'on', true); DELETE FROM core_auditevent WHERE id = %s",
            [young.pk],
        )
    with pytest.raises(DatabaseError, match="至少保留 183 天"):
        run_sql("SELECT core_auditevent_purge(30)")
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_retention_deletes_only_rows_older_than_the_period_and_is_itself_audited(settings):
    settings.AUDIT_RETENTION_DAYS = 200
    kept = [audit_row(1), audit_row(183.5), audit_row(199)]
    gone = [audit_row(201), audit_row(800)]
    result = purge_audit()
    assert result.deleted == 2 and result.days == 200
    remaining = set(AuditEvent.objects.exclude(action="audit.purged").values_list("pk", flat=True))
    assert remaining == {row.pk for row in kept}
    assert not AuditEvent.objects.filter(pk__in=[row.pk for row in gone]).exists()
    run = AuditEvent.objects.get(action="audit.purged")
    assert run.data["deleted"] == 2 and run.data["days"] == 200 and run.data["source"] == "job"
    # After the run the switch is off again: the same transaction cannot delete anything by hand.
    with pytest.raises(DatabaseError, match=REFUSED):
        run_sql("DELETE FROM core_auditevent WHERE id = %s", [kept[0].pk])
    with pytest.raises(DatabaseError, match=REFUSED):  # nor rewrite the run's own row
        run_sql("UPDATE core_auditevent SET data = '{}' WHERE id = %s", [run.pk])


def test_the_command_deletes_old_rows_and_refuses_a_period_shorter_than_183_days():
    audit_row(400)
    audit_row(10)
    with pytest.raises(CommandError, match="不能短于 183 天"):
        call_command("purge_audit", "--days", "30")
    with pytest.raises(RetentionTooShort):
        purge_audit(days=182)
    assert AuditEvent.objects.count() == 2  # nothing deleted by the refused runs
    call_command("purge_audit")
    assert AuditEvent.objects.filter(action="test.event").count() == 1
    assert AuditEvent.objects.get(action="audit.purged").data["source"] == "command"


def test_a_retention_setting_below_183_days_stops_start_up():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "90"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 183" in result.stderr


def test_the_retention_job_is_a_daily_beat_entry_of_a_registered_task():
    from django_celery_beat.models import PeriodicTask

    import core.tasks  # noqa: F401 - the worker imports it at start (autodiscovery); this process on demand
    from config.celery import app

    migration = importlib.import_module("core.migrations.0004_audit_append_only")
    migration.schedule(django_apps, None)  # idempotent; a transactional test before may have flushed the row
    migration.schedule(django_apps, None)
    entry = PeriodicTask.objects.get(name=migration.RETENTION_TASK)
    assert entry.enabled and entry.task == "core.purge_audit" and entry.task in app.tasks
    assert (entry.crontab.hour, entry.crontab.minute, str(entry.crontab.timezone)) == (
        "3",
        "30",
        "Asia/Shanghai",
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_retention_task(celery_worker_process):
    from core.tasks import purge_audit as purge_task

    audit_row(500)
    audit_row(5)
    result = purge_task.apply_async(queue=celery_worker_process).get(timeout=60)
    assert result["deleted"] == 1 and result["days"] == 183
    assert list(AuditEvent.objects.order_by("action").values_list("action", flat=True)) == [
        "audit.purged",
        "test.event",
    ]


# --- what is recorded: users' role, office, status, groups and permissions -------------------------------------


def test_a_provincial_admin_changing_a_users_role_and_office_in_the_admin_is_audited(
    client, province_admin, county_clerk, prefecture_clerk
):
    client.force_login(province_admin)
    url = f"/admin/core/user/{county_clerk.pk}/change/"
    response = client.post(
        url,
        {
            "username": county_clerk.username,
            "full_name": county_clerk.full_name,
            "email": "",
            "phone": "",
            "office": prefecture_clerk.office_id,
            "role": Role.PREFECTURE_STAFF,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.changed", object_id=str(county_clerk.pk))
    assert event.actor == province_admin and event.office == province_admin.office
    assert event.data == {
        "role": [Role.COUNTY_STAFF, Role.PREFECTURE_STAFF],
        "office_id": [county_clerk.office_id, prefecture_clerk.office_id],
    }
    assert event.ip_address == "127.0.0.1"


def test_group_and_permission_changes_are_audited_from_either_side(county_clerk):
    from django.contrib.auth.models import Group, Permission

    start = (
        AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    )  # after the fixtures' rows
    group = Group.objects.create(name="审计测试组")
    county_clerk.groups.add(group)
    group.user_set.remove(county_clerk)
    permission = Permission.objects.get(codename="view_auditevent")
    county_clerk.user_permissions.add(permission)
    county_clerk.user_permissions.clear()
    group.permissions.add(permission)
    rows = [
        (e.action, e.object_id, e.data)
        for e in AuditEvent.objects.filter(id__gt=start, action__endswith="_changed").order_by("id")
    ]
    me = str(county_clerk.pk)
    assert rows == [
        ("user.groups_changed", me, {"added": ["审计测试组"]}),
        ("user.groups_changed", me, {"removed": ["审计测试组"]}),
        ("user.permissions_changed", me, {"added": ["core.view_auditevent"]}),
        ("user.permissions_changed", me, {"removed": ["core.view_auditevent"]}),
        ("group.permissions_changed", str(group.pk), {"added": ["core.view_auditevent"]}),
    ]


def test_deactivating_a_user_is_audited_and_a_login_time_update_writes_nothing(county_clerk):
    before = AuditEvent.objects.count()
    county_clerk.last_login = timezone.now()
    county_clerk.save(update_fields=["last_login"])
    assert AuditEvent.objects.count() == before
    county_clerk.is_active = False
    county_clerk.save()
    assert AuditEvent.objects.get(action="user.changed").data == {"is_active": [True, False]}

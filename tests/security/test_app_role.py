"""The application's database role (core/db_roles.py, core/migrations/0005): as the role web, worker and beat
connect as in production, the audit log can be read and appended to and nothing else — whatever session setting
the connection turns on, even if somebody grants the privileges back — while the whole system still works."""

import datetime
import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Office, Region
from core.retention import purge_audit
from graduates import actions
from graduates.models import Graduate
from tests.factories import make_id_number, unsaved_graduate
from tests.manage_cli import run_manage

APP_ROLE = settings.DATABASE_APP_ROLE
REFUSED_BY_TRIGGER = "审计日志只能追加，不能修改或删除"
NO_PRIVILEGE = "permission denied for table core_auditevent"

pytestmark = pytest.mark.django_db


def audit_row(days_ago: float) -> AuditEvent:
    return AuditEvent.objects.create(
        action="test.event", at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def as_app_role(sql: str, params=None):
    """SQL sent as the application role, in a savepoint so a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        cursor.execute(sql, params)
        return cursor.rowcount


def test_the_application_role_may_not_update_delete_truncate_or_disable_the_audit_log():
    young, old = audit_row(1), audit_row(400)
    for statement, params in [
        ("UPDATE core_auditevent SET action = 'rewritten' WHERE id = %s", [young.pk]),
        ("DELETE FROM core_auditevent WHERE id = %s", [old.pk]),
        ("TRUNCATE core_auditevent CASCADE", None),
        # the switches the owner's purge and the test runner's flush use change nothing for this role
        ("SELECT set_config('gradservice.audit_purge', 'on', true); DELETE FROM core_auditevent", None),
        ("SET LOCAL gradservice.audit_truncate = 'on'; TRUNCATE core_auditevent CASCADE", None),
    ]:
        with pytest.raises(DatabaseError, match=NO_PRIVILEGE):
            as_app_role(statement, params)
    for ddl in [
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
        "CREATE OR REPLACE FUNCTION core_auditevent_refuse_rewrite() RETURNS trigger LANGUAGE sql AS 'SELECT NULL'",
    ]:
        with pytest.raises(DatabaseError, match=r"must be owner|permission denied for schema"):
            as_app_role(ddl)
    appended = "INSERT INTO core_auditevent (at, action, object_type, object_id, data) VALUES (now(), 'appended', '', '', '{}')"
    assert as_app_role(appended) == 1
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "appended",
        "test.event",
        "test.event",
    ]


def test_the_trigger_refuses_the_application_role_even_with_the_privileges_granted_back():
    """A careless GRANT does not open the log: the trigger lets DELETE and TRUNCATE through only for the owner."""
    young, old = audit_row(1), audit_row(400)
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON core_auditevent TO "{APP_ROLE}"')
    with pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER):
        as_app_role("UPDATE core_auditevent SET action = 'rewritten' WHERE id = %s", [young.pk])
    with pytest.raises(
        DatabaseError, match=REFUSED_BY_TRIGGER
    ):  # past 183 days, switch on: still not this role
        as_app_role(
            "SELECT set_config('gradservice.audit_purge', 'on', true); DELETE FROM core_auditevent WHERE id = %s",
            [old.pk],
        )
    with pytest.raises(DatabaseError, match=REFUSED_BY_TRIGGER):
        as_app_role(
            "SET CONSTRAINTS ALL IMMEDIATE; SET LOCAL gradservice.audit_truncate = 'on'; "
            "TRUNCATE core_auditevent CASCADE"
        )
    assert AuditEvent.objects.filter(pk__in=[young.pk, old.pk]).count() == 2


def test_the_retention_job_runs_as_the_application_role_and_deletes_only_rows_past_the_period():
    kept, gone = audit_row(100), audit_row(400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        result = purge_audit(days=183)
    assert result.deleted == 1
    assert (
        AuditEvent.objects.filter(pk=kept.pk).exists() and not AuditEvent.objects.filter(pk=gone.pk).exists()
    )
    assert AuditEvent.objects.filter(action="audit.purged").count() == 1
    with pytest.raises(DatabaseError, match="至少保留 183 天"):
        as_app_role("SELECT * FROM core_auditevent_purge(30)")


def test_an_office_works_a_whole_day_as_the_application_role(client, county_clerk, password):
    """Login (axes, sessions, the second factor), the registry's pages and forms, a change and its history, an
    audited export: every table the running system writes is granted to the role."""
    graduate = actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')  # until the test's transaction ends
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == APP_ROLE
    failed = client.post(
        reverse("login"), {"username": county_clerk.username, "password": "wrong-password-1A"}
    )
    assert failed.status_code == 200 and "用户名或密码不正确" in failed.content.decode()
    client.force_login(county_clerk)
    assert client.get(reverse("graduates:list")).status_code == 200
    assert client.get(reverse("graduates:detail", args=[graduate.pk])).status_code == 200
    created = client.post(
        reverse("graduates:create"),
        {
            "name": "角色学生",
            "ethnicity": "01",
            "id_number": make_id_number(seq=555),
            "cohort": "2026",
            "category": "fresh",
            "university": str(Office.objects.get(name="青海大学").pk),
            "university_name": "青海大学",
            "graduation_date": "2026-06-30",
            "education": "3",
            "major": "软件工程",
            "origin_region": "630102",
            "mobile": "13600000005",
            "hardship": ["4"],
            "location_intention": "2",
            "intentions": ["3"],
            "service_needs": ["2"],
        },
    )
    assert created.status_code == 302, created.content.decode()[:500]
    assert Graduate.objects.filter(major="软件工程", origin_region=Region.objects.get(code="630102")).exists()
    assert client.post(reverse("logout")).status_code in (200, 302)
    actions_recorded = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"graduate.viewed", "auth.login_failed"} <= actions_recorded, actions_recorded


def _url_as(user: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice"))
    host = parts.hostname or "127.0.0.1"
    netloc = f"{user}@{host}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, "/" + settings.DATABASES["default"]["NAME"], "", ""))


def _manage(*args: str, database_url: str, **extra_env: str) -> subprocess.CompletedProcess:
    return run_manage(*args, env={"DEBUG": "1", "DATABASE_URL": database_url, **extra_env})


@pytest.mark.django_db(transaction=True)
def test_check_deploy_warns_when_the_application_connects_as_the_owner_and_not_as_the_application_role():
    owner_url = _url_as(connection.get_connection_params()["user"])
    granted = _manage("grant_app_role", database_url=owner_url, DATABASE_APP_PASSWORD="test-only-app-role-pw")
    assert granted.returncode == 0, granted.stderr
    assert "审计日志只能读取和追加" in granted.stdout and "可以用口令登录" in granted.stdout

    as_owner = _manage("check", "--deploy", "--database", "default", database_url=owner_url)
    assert "core.W001" in as_owner.stdout + as_owner.stderr
    assert "grant_app_role" in as_owner.stdout + as_owner.stderr

    as_app = _manage("check", "--deploy", "--database", "default", database_url=_url_as(APP_ROLE))
    assert as_app.returncode == 0, as_app.stderr
    assert "core.W001" not in as_app.stdout + as_app.stderr


def test_grant_app_role_refuses_a_short_password_in_chinese():
    result = _manage("grant_app_role", database_url=_url_as("postgres"), DATABASE_APP_PASSWORD="short")
    assert result.returncode != 0 and "至少 12 个字符" in result.stderr

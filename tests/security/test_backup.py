"""The backup and the restore drill, run against this test run's database as CI runs them: `backup` writes a
pg_dump and its manifest, `restore_drill` restores it into a fresh database, finds every count and checksum
equal and drops that database; a manifest or dump changed afterwards makes the drill fail with a non-zero exit."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from core.audit import record_audit
from core.models import AuditEvent, Region
from graduates import actions
from tests.factories import unsaved_graduate

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args: str) -> subprocess.CompletedProcess:
    """manage.py in a process of its own, against this test run's database (as an operator or CI runs it)."""
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def drill_databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [f"{connection.settings_dict['NAME']}_drill_%"],
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def backup(tmp_path, county_clerk):
    actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    record_audit(action="test.before_backup", actor=county_clerk)
    out = StringIO()
    call_command("backup", "--out", str(tmp_path), stdout=out)
    dumps = list(tmp_path.glob("*.dump"))
    assert len(dumps) == 1 and "已备份" in out.getvalue()
    return dumps[0]


def test_backup_writes_a_dump_and_a_manifest_of_every_tables_count_and_checksum(backup):
    manifest = json.loads(backup.with_name(backup.name.removesuffix(".dump") + ".manifest.json").read_text())
    tables = manifest["tables"]
    assert manifest["dump"] == backup.name and len(manifest["dump_sha256"]) == 64
    assert tables["graduates_graduate"]["rows"] == 1
    assert tables["core_region"]["rows"] == Region.objects.count() > 3000
    assert tables["core_auditevent"]["rows"] == AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        assert len(tables) == cursor.fetchone()[0]  # every table, not a chosen few
    assert all(len(figures["checksum"]) == 32 for figures in tables.values())
    assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format


def test_the_drill_restores_into_a_fresh_database_finds_everything_equal_and_drops_it(backup):
    result = manage("restore_drill", "--dump", str(backup))  # the command line, as CI runs it
    assert result.returncode == 0, result.stderr
    assert "恢复演练通过" in result.stdout and "演练数据库：" in result.stdout
    assert drill_databases() == set()


def test_the_drill_fails_with_a_nonzero_exit_on_a_tampered_manifest(backup):
    manifest_file = backup.with_name(backup.name.removesuffix(".dump") + ".manifest.json")
    manifest = json.loads(manifest_file.read_text())
    manifest["tables"]["graduates_graduate"]["rows"] = 2
    manifest["tables"]["core_auditevent"]["checksum"] = "0" * 32
    manifest_file.write_text(json.dumps(manifest))
    result = manage("restore_drill", "--dump", str(backup))
    assert result.returncode == 1
    assert "graduates_graduate：行数 清单 2，恢复后 1" in result.stderr
    assert "core_auditevent：校验和不一致" in result.stderr
    assert "恢复演练未通过：2 处不一致" in result.stderr
    assert drill_databases() == set()


def test_the_drill_fails_on_a_changed_dump(backup):
    content = bytearray(backup.read_bytes())
    content[-10] ^= 0xFF
    backup.write_bytes(bytes(content))
    result = manage("restore_drill", "--dump", str(backup))
    assert result.returncode == 1
    assert "SHA-256 与清单不符" in result.stderr or "pg_restore 失败" in result.stderr
    assert drill_databases() == set()


def test_the_manifest_and_the_dump_are_one_snapshot(tmp_path, county_clerk):
    """A write committed while the backup runs is in neither or both: the restored copy matches the manifest."""
    actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    db = connection.settings_dict
    writer = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    writer.autocommit = True
    with writer.cursor() as cursor:  # a lock held by another session: the backup's figures wait behind it
        cursor.execute("BEGIN; LOCK TABLE core_notification IN ACCESS EXCLUSIVE MODE")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "backup", "--out", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with writer.cursor() as cursor:  # wait until the backup's snapshot is taken and it waits for the lock
        for _ in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'core_notification' AND NOT l.granted"
            )
            if cursor.fetchone()[0]:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        # committed after the snapshot: neither the manifest nor the dump may hold it
        cursor.execute(
            "INSERT INTO core_auditevent (at, action, object_type, object_id, data) "
            "VALUES (now(), 'test.during_backup', '', '', '{}')"
        )
        cursor.execute("COMMIT")
    _out, err = process.communicate(timeout=300)
    writer.close()
    assert process.returncode == 0, err
    dump = next(tmp_path.glob("*.dump"))
    manifest = json.loads(dump.with_name(dump.name.removesuffix(".dump") + ".manifest.json").read_text())
    assert manifest["tables"]["core_auditevent"]["rows"] == AuditEvent.objects.count() - 1
    assert manage("restore_drill", "--dump", str(dump)).returncode == 0

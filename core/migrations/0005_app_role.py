"""The audit log's protection rests on roles, not on a setting any session could turn on.

Before: the trigger let TRUNCATE through when the session setting gradservice.audit_truncate was on, and a DELETE
of a row past 183 days when gradservice.audit_purge was on; any connection could set either.
Now (core/db_roles.py explains the two roles):
- the application role (DATABASE_APP_ROLE, created here NOLOGIN when missing) gets SELECT and INSERT on the audit
  log only, and EXECUTE on the purge function; it owns nothing, so it cannot disable the trigger;
- the trigger refuses UPDATE always; DELETE and TRUNCATE to every role that is not the table's owner, whatever it
  sets; the owner's DELETE passes only inside `core_auditevent_purge` (rows past 183 days), its TRUNCATE only with
  the test runner's setting (the owner could drop the trigger anyway: that is DDL, in the database's log);
- `core_auditevent_purge(days)` is SECURITY DEFINER (runs as the owner, with a fixed search_path), so the
  application role's retention job deletes old rows without any DELETE privilege of its own."""

import importlib

from django.db import migrations

TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    by_owner boolean := pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER');
BEGIN
    IF TG_OP = 'DELETE' AND by_owner
       AND current_setting('gradservice.audit_purge', true) = 'on'
       AND OLD.at < clock_timestamp() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND by_owner AND current_setting('gradservice.audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%）', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = '超过保留期的记录由 python manage.py purge_audit 清理。';
END
$$;
"""


def _old_trigger_function() -> str:
    """0004's trigger function as it was (its SQL up to the first CREATE TRIGGER), for the way back."""
    previous = importlib.import_module("core.migrations.0004_audit_append_only")
    return previous.FORWARD.partition("CREATE TRIGGER")[0]


def forward(apps, schema_editor):
    from psycopg2 import sql

    from core.db_roles import ensure_app_role

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRIGGER_FUNCTION)
        cursor.execute("SELECT current_schema()")
        schema = sql.Identifier(cursor.fetchone()[0]).as_string(cursor.connection)
        # 0004's purge function, its body unchanged, now runs as the owner with a fixed search_path.
        cursor.execute(
            f"ALTER FUNCTION core_auditevent_purge(integer) SECURITY DEFINER SET search_path = {schema}, pg_temp"
        )
        ensure_app_role(cursor)


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(_old_trigger_function())
        cursor.execute("ALTER FUNCTION core_auditevent_purge(integer) SECURITY INVOKER RESET search_path")
        cursor.execute("GRANT EXECUTE ON FUNCTION core_auditevent_purge(integer) TO PUBLIC")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_append_only")]

    operations = [migrations.RunPython(forward, backward)]

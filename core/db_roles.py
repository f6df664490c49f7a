"""The application's own database role: what the running system may do in PostgreSQL, and what it may not.

Two roles, as in any deployment that takes MLPS level 3 seriously:

- the **owner** (the role `manage.py migrate` connects as: `gradservice` in docker-compose.yml, `postgres` on a
  development machine) owns every table and function; it alone can change the schema, drop or disable a trigger;
- the **application role** (`DATABASE_APP_ROLE`, default `gradservice_app`), which the web, worker and beat
  processes connect as in production: it reads and writes the tables, but on the audit log it may only SELECT and
  INSERT (no UPDATE, DELETE, TRUNCATE), and it can run `core_auditevent_purge(days)`, the retention job's
  SECURITY DEFINER function, which deletes only rows older than the period. Being no owner, it cannot disable
  the audit trigger either; the trigger itself (core/migrations/0005) refuses UPDATE, DELETE and TRUNCATE to
  every role but the owner, and to the owner too outside the purge function and the test runner's flush.

Migration 0005 creates the role (NOLOGIN when new) and grants it; `python manage.py grant_app_role` repeats the
grants and lets it log in with a password (production set-up, docker-compose's `migrate` service). Grants on
tables made by later migrations follow from ALTER DEFAULT PRIVILEGES for the owner."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from psycopg2 import sql

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
AUDIT_TABLE = "core_auditevent"
PURGE_FUNCTION = "core_auditevent_purge(integer)"


def app_role() -> str:
    role = settings.DATABASE_APP_ROLE
    if not ROLE_NAME.fullmatch(role):
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE must be a plain lower-case PostgreSQL role name (a-z, 0-9, _), not {role!r}."
        )
    return role


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def ensure_app_role(cursor, role: str | None = None, *, password: str | None = None) -> str:
    """Create ROLE if missing (NOLOGIN, or LOGIN with PASSWORD), set its password when given, and grant it.
    Needs the owner's connection (CREATEROLE to create the role; ownership of the tables to grant)."""
    role = role or app_role()
    ident = sql.Identifier(role)
    if not role_exists(cursor, role):
        cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(ident))
    if password is not None:
        cursor.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)))
    grant_app_role(cursor, role)
    return role


def grant_app_role(cursor, role: str) -> None:
    """The application role's privileges in the current schema: read and write the tables and sequences (now and
    those created later by this owner), but only SELECT and INSERT on the audit log, plus the purge function."""
    cursor.execute("SELECT current_schema()")
    schema = sql.Identifier(cursor.fetchone()[0])
    ident = sql.Identifier(role)
    for statement in (
        "GRANT USAGE ON SCHEMA {schema} TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {schema}.{audit} FROM {role}",
        "REVOKE ALL ON FUNCTION {schema}.{purge_name}(integer) FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION {schema}.{purge_name}(integer) TO {role}",
    ):
        cursor.execute(
            sql.SQL(statement).format(
                schema=schema,
                role=ident,
                audit=sql.Identifier(AUDIT_TABLE),
                purge_name=sql.Identifier(PURGE_FUNCTION.partition("(")[0]),
            )
        )


def connection_posture(cursor) -> dict[str, bool | str]:
    """Who this connection is, for the deploy check: superuser? owner of the audit table? its role name."""
    cursor.execute(
        "SELECT current_user, r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER') "
        "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = %s::regclass",
        [AUDIT_TABLE],
    )
    user, superuser, owner = cursor.fetchone()
    return {"user": user, "superuser": superuser, "owner": owner}

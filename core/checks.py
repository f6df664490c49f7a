"""System checks of the deployment that need the database: run by `manage.py check --deploy --database default`."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

from .db_roles import app_role, connection_posture


@register(Tags.database, deploy=True)
def check_application_role(app_configs=None, databases=None, **kwargs):
    """The application must not connect as the tables' owner or a superuser: either could disable the audit
    trigger or rewrite the log. (Only with --database: Django runs database checks on request.)"""
    if not databases or "default" not in databases:
        return []
    try:
        with connections["default"].cursor() as cursor:
            posture = connection_posture(cursor)
    except DatabaseError:
        return []  # not migrated yet: `migrate` creates the role, the next check sees it
    if not (posture["superuser"] or posture["owner"]):
        return []
    what = "a superuser" if posture["superuser"] else "the owner of the tables"
    return [
        Warning(
            f"The application connects to PostgreSQL as {posture['user']!r}, {what}: it could disable the audit "
            f"log's trigger or rewrite the log.",
            hint=(
                f"Run migrations as the owner, then `python manage.py grant_app_role --password-file FILE` and "
                f"point DATABASE_URL of web, worker and beat at the role {app_role()!r}."
            ),
            id="core.W001",
        )
    ]

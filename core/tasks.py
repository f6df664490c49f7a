from celery import shared_task
from django.db import connection

from .models import Office


@shared_task(name="core.health_probe")
def health_probe() -> dict:
    """Proves a worker is alive and reaches the database: used by the health page and the worker test."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
    return {"database": database, "offices": Office.objects.count()}


@shared_task(name="core.purge_audit")
def purge_audit() -> dict:
    """The daily retention run of the audit log (beat entry of core/migrations/0004)."""
    from .retention import purge_audit as purge

    return purge(source="job").as_dict()

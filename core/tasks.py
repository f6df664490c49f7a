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

"""Liveness checks of the parts the system cannot work without."""

import logging

from django.db import connection

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("health: database check failed: %s", type(exc).__name__)
        return "unavailable"
    return "ok"


def check_broker(timeout: float = 2.0) -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        logger.warning("health: broker check failed: %s", type(exc).__name__)
        return "unavailable"
    return "ok"

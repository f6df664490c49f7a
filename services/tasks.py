"""Periodic work of the services app."""

from celery import shared_task

from .plans import refresh_obligations


@shared_task(name="services.refresh_obligations", acks_late=True)
def refresh_obligations_task() -> int:
    """Recompute every graduate's kept obligations under the active standard (idempotent: a re-run writes the
    same rows). Scheduled hourly (migration services/0007); services logged or voided refresh their graduate at
    once."""
    return refresh_obligations()

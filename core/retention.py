"""Audit retention: the one way rows leave the audit log.

Deletes only rows older than AUDIT_RETENTION_DAYS (at least 183 days; `core_auditevent_purge` in PostgreSQL refuses
anything younger, whatever the caller asks), through the database function that alone opens the append-only
trigger for its own DELETE. Each run is itself audited, in the same transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from .audit import record_audit

MINIMUM_RETENTION_DAYS = 183


class RetentionTooShort(ValueError):
    pass


def check_retention_days(days: int) -> int:
    if days < MINIMUM_RETENTION_DAYS:
        raise RetentionTooShort(
            f"审计日志保留期不能短于 {MINIMUM_RETENTION_DAYS} 天（网络安全法第二十一条：网络日志留存不少于六个月），"
            f"不接受 {days} 天。"
        )
    return days


@dataclass
class PurgeResult:
    days: int
    cutoff: datetime.datetime
    deleted: int

    def as_dict(self) -> dict:
        return {"days": self.days, "cutoff": self.cutoff.isoformat(), "deleted": self.deleted}


def purge_audit(*, days: int | None = None, source: str = "job") -> PurgeResult:
    """Delete the audit rows older than DAYS (default AUDIT_RETENTION_DAYS); audited as `audit.purged`. The cutoff
    is taken from the database's clock, the same clock the trigger checks the rows' age against."""
    days = check_retention_days(settings.AUDIT_RETENTION_DAYS if days is None else days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT deleted, cutoff FROM core_auditevent_purge(%s)", [days])
            deleted, cutoff = cursor.fetchone()
        result = PurgeResult(days=days, cutoff=cutoff, deleted=deleted)
        record_audit(action="audit.purged", data={**result.as_dict(), "source": source})
    return result

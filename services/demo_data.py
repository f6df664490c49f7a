"""Generated service entries at scale (10,000,000 for the benchmarks), written set-based: one INSERT … SELECT per
block of graduates, never a row at a time. For demo and benchmark databases only: the entries are plausible (types
spread, dated between the graduation date and today, logged by the graduate's responsible office, 1 in 100 voided
with a reason) but skip the actions' checks and the obligations' refresh (`refresh_obligations` afterwards).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from core.audit import record_audit
from core.models import User

from .codes import Channel, Origin, ServiceType

# Weighted like an office's year: job referrals and events most often.
TYPES = [
    ServiceType.JOB_SEEKING, ServiceType.POLICY, ServiceType.GUIDANCE, ServiceType.JOB_REFERRAL,
    ServiceType.JOB_REFERRAL, ServiceType.JOB_REFERRAL, ServiceType.RECRUITMENT, ServiceType.RECRUITMENT,
    ServiceType.INTERNSHIP, ServiceType.TRAINING, ServiceType.STARTUP_GUIDANCE, ServiceType.ONE_ON_ONE,
]  # fmt: skip
CONTENT = {
    ServiceType.JOB_SEEKING: "窗口办理求职登记",
    ServiceType.POLICY: "讲解高校毕业生就业创业政策",
    ServiceType.GUIDANCE: "职业生涯规划与求职技巧指导",
    ServiceType.JOB_REFERRAL: "推荐匹配岗位",
    ServiceType.RECRUITMENT: "参加专场招聘会",
    ServiceType.INTERNSHIP: "安排就业见习岗位",
    ServiceType.TRAINING: "参加职业技能培训",
    ServiceType.STARTUP_GUIDANCE: "创业项目指导",
    ServiceType.ONE_ON_ONE: "一对一帮扶回访",
}
DEFAULT_BLOCK = 50_000  # graduates per statement (and transaction)

# A graduate's entry number s picks a type and a day after graduation from hashes of (id, s): repeatable.
ENTRIES_SQL = """
    INSERT INTO services_serviceentry (graduate_id, service_type, date, office_id, staff_id, staff_name, channel,
        content, outcome, posting_ref, origin, created_at, created_by_id, void_reason, voided_at, voided_by_id)
    SELECT g.id, t.code, LEAST(g.graduation_date + (abs(hashtext(s || '-' || g.id::text)) %% 240), %(today)s),
           g.responsible_office_id, NULL, '', %(channel)s, t.content, '', '', %(origin)s, now(), %(user)s,
           CASE WHEN (g.id + s) %% 100 = 0 THEN '录入有误，已重新记录' ELSE '' END,
           CASE WHEN (g.id + s) %% 100 = 0 THEN now() END,
           CASE WHEN (g.id + s) %% 100 = 0 THEN %(user)s END
    FROM graduates_graduate g
    CROSS JOIN generate_series(1, %(per)s) s
    CROSS JOIN LATERAL (
        SELECT (%(types)s::text[])[1 + abs(hashtext(g.id::text || '-' || s)) %% %(ntypes)s] AS code
    ) pick
    JOIN (SELECT unnest(%(codes)s::text[]) AS code, unnest(%(contents)s::text[]) AS content) t ON t.code = pick.code
    WHERE g.id >= %(low)s AND g.id < %(high)s AND g.graduation_date <= %(today)s
"""


@dataclass(frozen=True)
class GeneratedServices:
    entries: int
    seconds: float


def generate_service_entries(
    *,
    per_graduate: int,
    acting_user: User,
    from_id: int = 0,
    block: int = DEFAULT_BLOCK,
    progress: Callable[[int, float], None] | None = None,
) -> GeneratedServices:
    """Add PER_GRADUATE entries for every graduate whose id is ≥ FROM_ID and who has graduated (a block of BLOCK
    graduates a statement). Returns how many were written."""
    if per_graduate < 1:
        raise ValueError("per_graduate must be at least 1")
    started = time.perf_counter()
    written = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM graduates_graduate WHERE id >= %s", [from_id])
        low, high = cursor.fetchone()
    if low is None:
        return GeneratedServices(0, 0.0)
    params = {
        "today": timezone.localdate(),
        "user": acting_user.pk,
        "per": per_graduate,
        "channel": Channel.PHONE.value,
        "origin": Origin.LEDGER.value,
        "types": [str(t) for t in TYPES],
        "ntypes": len(TYPES),
        "codes": [str(code) for code in CONTENT],
        "contents": list(CONTENT.values()),
    }
    for start in range(low, high + 1, block):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ENTRIES_SQL, {**params, "low": start, "high": start + block})
            written += cursor.rowcount
        if progress is not None:
            progress(written, time.perf_counter() - started)
    record_audit(
        action="services.demo_generated",
        actor=acting_user,
        data={"entries": written, "per_graduate": per_graduate},
    )
    return GeneratedServices(written, time.perf_counter() - started)

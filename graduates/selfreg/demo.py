"""Demo: a few graduates who registered themselves on /register/ over the last working days — new people and
people already on the lists (one with a field the office had corrected by hand: a conflict), one overdue, one
contacted — so the offices' worklist 本人登记 shows them. Generated people only; a second run adds nothing."""

from __future__ import annotations

import datetime
import time

from django.utils import timezone
from stdnum.cn import ric

from core.demo import demo_clock
from core.models import User
from graduates.actions import mark_self_registration_contacted, update_graduate
from graduates.models import Graduate, SelfRegistration

from .submit import submit_registration
from .tokens import issue_form_token
from .workdays import is_working_day

# Generated people: (name, origin, birth date, sequence, office chosen or "", intentions, needs)
PEOPLE = [
    ("赵晓宁", "630102", "20030911", 515, "", ["3"], ["2", "3"]),
    ("马文娟", "630202", "20020304", 242, "", ["2", "1"], ["1", "5"]),
    ("李嘉豪", "630104", "20031127", 331, "630102", ["4"], ["7", "8"]),
    ("韩雪梅", "632801", "20020730", 108, "", ["5"], ["1"]),
    ("祁振华", "630121", "20030105", 457, "", ["3", "5"], ["2", "4"]),
]


def _id_number(region: str, birth: str, seq: int) -> str:
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _payload(name, origin, birth, seq, office, intentions, needs, *, cohort: int = 2026) -> dict:
    return {
        "name": name,
        "id_number": _id_number(origin, birth, seq),
        "mobile": f"139{seq:04d}{seq * 7 % 10000:04d}",
        "university_name": "青海大学" if seq % 2 else "青海师范大学",
        "graduation_date": f"{cohort}-06-30",
        "education": "3" if seq % 3 else "4",
        "major": ["计算机科学与技术", "汉语言文学", "会计学", "临床医学", "土木工程"][seq % 5],
        "origin_region": origin,
        "intentions": intentions,
        "service_needs": needs,
        "office": office,
        "consent": True,
        "form_token": issue_form_token(at=time.time() - 120),
    }


def _working_days_back(days: int) -> datetime.date:
    day = timezone.localdate()
    while days:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def load_self_registrations(size: int) -> str | None:
    if SelfRegistration.objects.exists():
        return None
    # Two people already on the lists register themselves: one plainly, one whose mobile the office had corrected.
    listed = list(
        Graduate.objects.filter(cohort=2026, state="waiting", origin_region__code__startswith="6301")
        .exclude(mobile="")
        .order_by("id")[:2]
    )
    clerk = User.objects.filter(username="xining").first()
    if len(listed) == 2 and clerk is not None and not listed[1].hand_edited:
        corrected = listed[1]
        corrected.mobile = "13909710000"
        with demo_clock(_working_days_back(5)):
            update_graduate(graduate=corrected, acting_user=clerk, expected_version=corrected.version)
    plan = [(person, _working_days_back(back)) for person, back in zip(PEOPLE, [5, 3, 1, 0, 0], strict=True)]
    for person, day in plan:
        with demo_clock(day, hour=9 + person[3] % 8):
            submit_registration(_payload(*person))
    for index, graduate in enumerate(listed):
        payload = _payload(graduate.name, graduate.origin_region_id, "20030101", 1, "", ["3"], ["2"])
        payload.update(
            id_number=graduate.id_number,
            graduation_date=graduate.graduation_date.isoformat(),
            mobile="13997100001" if index else graduate.mobile,
            university_name=graduate.university_name,
            education=graduate.education,
            major=graduate.major,
        )
        with demo_clock(_working_days_back(0), hour=8):
            payload["form_token"] = issue_form_token(
                at=time.time() - 120
            )  # the start time on the demo's clock
            submit_registration(payload)
    # The oldest new one was called back on time.
    first = SelfRegistration.objects.order_by("received_at").first()
    if first is not None and clerk is not None and first.office_id == clerk.office_id:
        with demo_clock(first.due_on, hour=11):
            mark_self_registration_contacted(
                lead_id=first.pk, acting_user=clerk, note="已电话联系，约定下周来窗口"
            )
    return f"{SelfRegistration.objects.count()} 条本人登记"

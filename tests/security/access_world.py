"""The objects the access matrix asks for: the demo province (a small one) and, for each kind of object, one in
西宁/城东区's or 青海大学's scope (A) and one in 海东's or another university's (B)."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.utils import timezone

from core.models import Office, OfficeKind, User


def _first(queryset, what: str):
    found = queryset.order_by("pk").first()
    assert found is not None, f"the demo province has no {what}"
    return found


def build_world() -> dict:
    from graduates.models import Graduate, RosterUpload, SelfRegistration
    from handover.models import HandoverBatch, HandoverItem
    from reporting.models import MonthlySnapshot
    from reporting.progress.models import WeeklyProgressSnapshot
    from services.models import JobPosting, RecruitmentEvent, ServiceEntry

    call_command("seed_demo", "--graduates", "200", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    chengdong = User.objects.get(username="chengdong").office
    haidong = User.objects.get(username="haidong").office
    qhu = User.objects.get(username="qhu").office
    other_university = _first(
        Office.objects.filter(kind=OfficeKind.UNIVERSITY, region__code__startswith="63").exclude(pk=qhu.pk),
        "second university",
    )
    in_a = {"responsible_office": chengdong}
    in_b = {"responsible_office__in": Office.objects.filter(pk=haidong.pk) | haidong.children.all()}
    world: dict = {
        "offices": {"A": chengdong, "B": haidong},
        "universities": {"A": qhu, "B": other_university},
    }
    world["graduate"] = {
        "A": _first(Graduate.objects.filter(**in_a), "graduate of 城东区"),
        "B": _first(Graduate.objects.filter(**in_b), "graduate of 海东"),
    }
    world["upload"] = {
        "A": _first(RosterUpload.objects.filter(office=chengdong), "upload of 城东区"),
        "B": _first(RosterUpload.objects.filter(office=haidong), "upload of 海东市"),
    }
    world["university_upload"] = {
        "A": _first(RosterUpload.objects.filter(office=qhu), "upload of 青海大学"),
        "B": _first(RosterUpload.objects.exclude(office=qhu).filter(source="university"), "another upload"),
    }
    world["batch"] = {"A": _first(HandoverBatch.objects.all(), "handover batch")}
    world["item"] = {
        "A": _first(HandoverItem.objects.filter(office=chengdong), "item of 城东区"),
        "B": _first(HandoverItem.objects.filter(office=haidong), "item of 海东市"),
    }
    # Transfers asked for here (the demo's are few in a small province): A inside 西宁 (城东区 → 城西区), B inside
    # 海东 (海东市 → one of its counties); both still 待接收.
    from handover.transfers.actions import request_transfer

    def transfer(graduate, to_office, user):
        return request_transfer(graduate=graduate, to_office=to_office, reason="访问矩阵", acting_user=user)

    world["transfer"] = {
        "A": transfer(
            world["graduate"]["A"],
            Office.objects.get(parent=chengdong.parent, name__startswith="城西区"),
            User.objects.get(username="chengdong"),
        ),
        "B": transfer(
            world["graduate"]["B"],
            _first(haidong.children.exclude(pk=world["graduate"]["B"].responsible_office_id), "海东 county"),
            User.objects.get(username="haidong"),
        ),
    }
    world["service"] = {
        "A": _first(ServiceEntry.objects.filter(office=chengdong), "service of 城东区"),
        "B": _first(
            ServiceEntry.objects.filter(office=haidong) | ServiceEntry.objects.filter(office__parent=haidong),
            "service of 海东",
        ),
    }
    world["posting"] = {
        "A": _first(JobPosting.objects.filter(office__in=[chengdong, chengdong.parent]), "posting of 西宁"),
        "B": _first(
            JobPosting.objects.filter(office=haidong) | JobPosting.objects.filter(office__parent=haidong),
            "posting of 海东",
        ),
    }
    world["event"] = {
        "A": _first(
            RecruitmentEvent.objects.filter(office__in=[chengdong, chengdong.parent]), "event of 西宁"
        ),
        "B": _first(
            RecruitmentEvent.objects.filter(office=haidong)
            | RecruitmentEvent.objects.filter(office__parent=haidong),
            "event of 海东",
        ),
    }
    world["monthly"] = {
        "A": _first(MonthlySnapshot.objects.filter(office=chengdong), "monthly table of 城东区"),
        "B": _first(MonthlySnapshot.objects.filter(office=haidong), "monthly table of 海东市"),
    }
    world["weekly"] = {
        "A": _first(WeeklyProgressSnapshot.objects.filter(office=chengdong), "weekly table of 城东区"),
        "B": _first(WeeklyProgressSnapshot.objects.filter(office=haidong), "weekly table of 海东市"),
    }
    world["selfreg"] = {
        "A": _first(SelfRegistration.objects.filter(office=chengdong), "self-registration at 城东区")
        if SelfRegistration.objects.filter(office=chengdong).exists()
        else None,
        "B": SelfRegistration.objects.filter(office=haidong).first()
        or SelfRegistration.objects.exclude(office=chengdong).first(),
    }
    world["today"] = timezone.localdate()
    world["since"] = datetime.date(2025, 8, 1)
    return world

"""The demo province: Qinghai (63) with its offices, universities and one demo user for every role.

Idempotent: running it again updates names and passwords in place and creates nothing twice.

Apps add their part of the living demo (graduates, handover, services, reports) with `register_demo_step` from
their AppConfig.ready(); `seed_demo` runs the province seed and then every step in order (core knows no domain app).
A step is `fn(size: int) -> str | None`: it loads its part unless already loaded (idempotent) and returns a short
Chinese summary line, or None when it had nothing to do.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import ROLE_OFFICE_KIND, Office, OfficeKind, Region, RegionLevel, Role, User

DEMO_PROVINCE = "630000"
DEMO_PASSWORD = "qinghai-demo-2026"  # noqa: S105 - demo accounts only, printed by `dev.py up`

UNIVERSITIES = [
    # (学校标识码, name, region, province-run)
    ("4163010743", "青海大学", "630105", True),
    ("4163010746", "青海师范大学", "630105", True),
    ("4163010748", "青海民族大学", "630102", True),
    (
        "4162010730",
        "兰州大学",
        "620102",
        False,
    ),  # out of province: its graduates from Qinghai come via MOHRSS
]

PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位"}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    region: str = DEMO_PROVINCE  # the office's region; universities are found by school code instead
    school_code: str | None = None


DEMO_USERS = [
    DemoUser("sheng", "演示·省局管理员", Role.PROVINCE_ADMIN),
    DemoUser("xining", "演示·西宁市经办员", Role.PREFECTURE_STAFF, region="630100"),
    DemoUser("haidong", "演示·海东市经办员", Role.PREFECTURE_STAFF, region="630200"),
    DemoUser("chengdong", "演示·城东区经办员", Role.COUNTY_STAFF, region="630102"),
    DemoUser("jiaoyu", "演示·教育厅学生处", Role.EDUCATION_STAFF),
    DemoUser("qhu", "演示·青海大学就业处", Role.UNIVERSITY_STAFF, school_code="4163010743"),
]

PROVINCE_ADMIN_GROUP = "省级管理员"
ADMIN_APPS = ["core", "graduates", "handover", "services", "reporting", "django_celery_beat"]


def office_name(region: Region, kind: str) -> str:
    if kind == OfficeKind.BUREAU:
        return f"{region.name}就业服务局"
    return f"{region.name}公共就业和人才服务中心"


@transaction.atomic
def seed_demo_province() -> dict[str, int]:
    """Create or update the demo province's offices and users; returns how many of each exist afterwards."""
    province = Region.objects.get(code=DEMO_PROVINCE)
    bureau, _ = Office.objects.update_or_create(
        kind=OfficeKind.BUREAU, region=province, defaults={"name": office_name(province, OfficeKind.BUREAU)}
    )
    Office.objects.update_or_create(
        kind=OfficeKind.EDUCATION, region=province, defaults={"name": f"{province.name}教育厅"}
    )
    prefectures = Region.objects.current().filter(
        level=RegionLevel.PREFECTURE, code__startswith=DEMO_PROVINCE[:2]
    )
    for prefecture in prefectures:
        pref_office, _ = Office.objects.update_or_create(
            kind=OfficeKind.PREFECTURE,
            region=prefecture,
            defaults={"name": office_name(prefecture, OfficeKind.PREFECTURE), "parent": bureau},
        )
        counties = (
            Region.objects.current()
            .filter(level=RegionLevel.COUNTY, parent=prefecture)
            .exclude(name__in=PLACEHOLDER_NAMES)
        )
        for county in counties:
            Office.objects.update_or_create(
                kind=OfficeKind.COUNTY,
                region=county,
                defaults={"name": office_name(county, OfficeKind.COUNTY), "parent": pref_office},
            )
    for school_code, name, region_code, province_run in UNIVERSITIES:
        Office.objects.update_or_create(
            school_code=school_code,
            defaults={
                "kind": OfficeKind.UNIVERSITY,
                "name": name,
                "region": Region.objects.get(code=region_code),
                "is_province_run": province_run,
            },
        )
    admin_group = _province_admin_group()
    for demo in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "full_name": demo.full_name,
                "role": demo.role,
                "office": _demo_office(demo),
                "is_staff": demo.role == Role.PROVINCE_ADMIN,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if demo.role == Role.PROVINCE_ADMIN:
            user.groups.add(admin_group)
    return {
        "offices": Office.objects.filter(region__code__startswith=DEMO_PROVINCE[:2]).count(),
        "universities": Office.objects.universities().count(),
        "users": len(DEMO_USERS),
    }


def office_clerk(office: Office) -> User:
    """A clerk of OFFICE for the demo's work at an office without a demo login: its first active user, else a
    generated clerk who cannot log in (no usable password). Idempotent."""
    existing = User.objects.filter(office=office, is_active=True).order_by("pk").first()
    if existing is not None:
        return existing
    role = next(role for role, kind in ROLE_OFFICE_KIND.items() if kind == office.kind)
    user, created = User.objects.get_or_create(
        username=f"demo-{office.region_id}-{office.kind}",
        defaults={"full_name": f"演示·{office.region.name}经办员", "role": role, "office": office},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _demo_office(demo: DemoUser) -> Office:
    if demo.school_code:
        return Office.objects.get(school_code=demo.school_code)
    return Office.objects.get(kind=ROLE_OFFICE_KIND[demo.role], region_id=demo.region)


def _province_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=PROVINCE_ADMIN_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    return group


@contextmanager
def demo_clock(at: datetime.date | datetime.datetime, hour: int = 10) -> Iterator[datetime.datetime]:
    """Run the demo's actions as if at AT (a date: HOUR o'clock local time; never later than the real now), with
    the clock ticking, so that what they write reads like a year of work: lists received before their due dates,
    days since dispatch, a timeline over months. The actions themselves stay as they are (they take the time
    from the clock). Uses time-machine, a development dependency like Faker."""
    import time_machine

    if not isinstance(at, datetime.datetime):
        minute = at.toordinal() * 37 % 60  # not every list at the full hour
        at = datetime.datetime.combine(at, datetime.time(hour, minute), ZoneInfo(settings.TIME_ZONE))
    escape = time_machine.escape_hatch
    real_now = datetime.datetime.fromtimestamp(
        escape.time.time() if escape.is_travelling() else time.time(), datetime.UTC
    )
    at = min(at, real_now - datetime.timedelta(minutes=10))
    with time_machine.travel(at, tick=True):
        yield at


DemoStepFn = Callable[[int], "str | None"]


@dataclass(frozen=True)
class DemoStep:
    order: int
    label: str
    fn: DemoStepFn


_DEMO_STEPS: dict[str, DemoStep] = {}


def register_demo_step(order: int, label: str, fn: DemoStepFn) -> None:
    """Register one part of the living demo; registering the same label again replaces it (ready() may rerun)."""
    _DEMO_STEPS[label] = DemoStep(order=order, label=label, fn=fn)


def demo_steps() -> list[DemoStep]:
    return sorted(_DEMO_STEPS.values(), key=lambda step: (step.order, step.label))

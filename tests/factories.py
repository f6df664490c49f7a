"""factory_boy factories for generated people and offices (never real personal data)."""

import factory
from factory.django import DjangoModelFactory

from core.models import Office, OfficeKind, Region, Role, User


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    kind = OfficeKind.COUNTY
    name = factory.Sequence(lambda n: f"测试机构{n}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="630102"))


class UniversityFactory(OfficeFactory):
    kind = OfficeKind.UNIVERSITY
    name = factory.Sequence(lambda n: f"测试大学{n}")
    school_code = factory.Sequence(lambda n: f"41630{n:05d}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="630105"))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    role = Role.COUNTY_STAFF
    office = factory.SubFactory(OfficeFactory)
    password = factory.django.Password("correct-horse-battery")


def make_id_number(region: str = "630102", birth: str = "20030415", seq: int = 123) -> str:
    """A generated 公民身份号码 with a correct GB 11643 check digit (odd SEQ: male, even: female)."""
    from stdnum.cn import ric

    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def unsaved_graduate(**overrides):
    """A valid, unsaved 登记表 of a generated person (pass it to graduates.actions.create_graduate)."""
    import datetime

    from graduates.models import Graduate

    values = {
        "name": "测试学生",
        "ethnicity": "01",
        "id_number": make_id_number(),
        "university_name": "青海大学",
        "graduation_date": datetime.date(2026, 6, 30),
        "education": "3",
        "major": "计算机科学与技术",
        "origin_region": Region.objects.get(code="630102"),
        "mobile": "13800000001",
        "hardship": ["4"],
        "location_intention": "2",
        "intentions": ["3"],
        "service_needs": ["2", "3"],
        "cohort": 2026,
    }
    values.update(overrides)
    return Graduate(**values)

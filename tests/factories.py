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

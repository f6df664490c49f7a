"""One rule decides what each user may see (core.scope.scope_for)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.models import Office, OfficeKind, User
from core.scope import scope_for, visible_offices


def users_visible_to(viewer: User) -> set[str]:
    """Usernames of users whose office is in VIEWER's scope (users carry an office, like every record will)."""
    scope = scope_for(viewer)
    return set(
        scope.filter(User.objects.all(), office_field="office", university_field="office").values_list(
            "username", flat=True
        )
    )


def test_province_admin_sees_every_office_of_the_province(province_admin):
    assert users_visible_to(province_admin) == {"sheng", "xining", "haidong", "chengdong"}


def test_prefecture_clerk_sees_own_prefecture_and_its_counties_only(prefecture_clerk):
    assert users_visible_to(prefecture_clerk) == {"xining", "chengdong"}


def test_county_clerk_sees_only_own_county(county_clerk):
    assert users_visible_to(county_clerk) == {"chengdong"}


def test_other_prefecture_clerk_does_not_see_xining(other_prefecture_clerk):
    assert users_visible_to(other_prefecture_clerk) == {"haidong"}


def test_university_clerk_sees_only_own_university(university_clerk):
    assert users_visible_to(university_clerk) == {"qhu"}
    assert list(visible_offices(university_clerk)) == [university_clerk.office]


def test_education_clerk_sees_the_provinces_universities_not_those_elsewhere(education_clerk):
    names = set(visible_offices(education_clerk).values_list("name", flat=True))
    assert names == {"青海大学", "青海师范大学", "青海民族大学"}
    assert users_visible_to(education_clerk) == {"qhu"}


@pytest.mark.django_db
def test_anonymous_sees_nothing():
    assert scope_for(AnonymousUser()).filter(Office.objects.all(), office_field="id").count() == 0


def test_clerk_of_a_deactivated_office_sees_nothing(county_clerk):
    Office.objects.filter(pk=county_clerk.office_id).update(is_active=False)
    county_clerk.refresh_from_db()
    assert users_visible_to(county_clerk) == set()


def test_prefecture_scope_includes_every_county_office_of_the_prefecture(prefecture_clerk):
    scope = scope_for(prefecture_clerk)
    xining_counties = Office.objects.filter(kind=OfficeKind.COUNTY, region__code__startswith="6301")
    assert xining_counties.count() >= 7
    assert all(scope.covers_office(office.id) for office in xining_counties)
    haidong = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="630200")
    assert not scope.covers_office(haidong.id)

"""Provincial admins manage the users of their province in the Django admin, within the role rules only."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.models import Office, OfficeKind, Region, Role, User
from tests.factories import OfficeFactory, UserFactory


def change_form_data(user: User, **overrides) -> dict:
    """What the user change form posts back for USER, as a browser would send it."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "office": str(user.office_id or ""),
        "role": user.role,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(g.pk) for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "_save": "保存",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password="root-password-123")


@pytest.fixture
def gansu_clerk(demo_province):
    """A user of another province's office (甘肃 兰州 城关区)."""
    office = OfficeFactory(name="城关区公共就业和人才服务中心", region=Region.objects.get(code="620102"))
    return UserFactory(username="gansu", office=office, role=Role.COUNTY_STAFF)


def test_province_admin_cannot_make_itself_superuser(client, province_admin):
    client.force_login(province_admin)
    url = reverse("admin:core_user_change", args=[province_admin.pk])
    response = client.post(url, change_form_data(province_admin, is_superuser="on"))
    assert response.status_code in (200, 302)
    province_admin.refresh_from_db()
    assert not province_admin.is_superuser


def test_province_admin_cannot_grant_staff_groups_or_permissions(client, province_admin, county_clerk):
    extra_group = Group.objects.create(name="别的组")
    client.force_login(province_admin)
    url = reverse("admin:core_user_change", args=[county_clerk.pk])
    data = change_form_data(county_clerk, is_staff="on", groups=[str(extra_group.pk)], user_permissions=["1"])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    county_clerk.refresh_from_db()
    assert not county_clerk.is_staff and not county_clerk.is_superuser
    assert not county_clerk.groups.exists() and not county_clerk.user_permissions.exists()


def test_the_form_offers_no_privilege_fields_to_a_province_admin(client, province_admin, county_clerk):
    client.force_login(province_admin)
    page = client.get(reverse("admin:core_user_change", args=[county_clerk.pk])).content.decode()
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in page


def test_province_admin_cannot_open_a_superusers_password_form(client, province_admin, superuser):
    client.force_login(province_admin)
    assert client.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code == 404
    response = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": "taken-over-123!", "password2": "taken-over-123!", "usable_password": "true"},
    )
    assert response.status_code == 404
    superuser.refresh_from_db()
    assert superuser.check_password("root-password-123")


def test_province_admin_cannot_see_users_of_another_province(client, province_admin, gansu_clerk):
    client.force_login(province_admin)
    assert client.get(reverse("admin:auth_user_password_change", args=[gansu_clerk.pk])).status_code == 404
    changelist = client.get(reverse("admin:core_user_changelist")).content.decode()
    assert "gansu" not in changelist and "chengdong" in changelist
    response = client.get(reverse("admin:core_user_change", args=[gansu_clerk.pk]))
    assert response.status_code == 302  # the admin's "no such object" redirect


def test_province_admin_may_reset_a_clerks_password(client, province_admin, county_clerk):
    client.force_login(province_admin)
    url = reverse("admin:auth_user_password_change", args=[county_clerk.pk])
    response = client.post(
        url, {"password1": "new-pass-2026-x", "password2": "new-pass-2026-x", "usable_password": "true"}
    )
    assert response.status_code == 302
    county_clerk.refresh_from_db()
    assert county_clerk.check_password("new-pass-2026-x")


def test_province_admin_cannot_move_a_user_to_another_provinces_office(
    client, province_admin, county_clerk, gansu_clerk
):
    client.force_login(province_admin)
    url = reverse("admin:core_user_change", args=[county_clerk.pk])
    response = client.post(url, change_form_data(county_clerk, office=str(gansu_clerk.office_id)))
    assert response.status_code == 200
    assert "本省" in response.content.decode()
    county_clerk.refresh_from_db()
    assert county_clerk.office.region_id == "630102"


def test_role_must_match_the_office(client, province_admin, county_clerk):
    client.force_login(province_admin)
    url = reverse("admin:core_user_change", args=[county_clerk.pk])
    response = client.post(url, change_form_data(county_clerk, role=Role.UNIVERSITY_STAFF))
    assert response.status_code == 200
    county_clerk.refresh_from_db()
    assert county_clerk.role == Role.COUNTY_STAFF


def test_a_new_province_admin_gets_staff_and_the_admin_group_from_its_role(client, province_admin):
    bureau = Office.objects.get(kind=OfficeKind.BUREAU, region_id="630000")
    client.force_login(province_admin)
    response = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "sheng2",
            "full_name": "第二管理员",
            "office": str(bureau.pk),
            "role": Role.PROVINCE_ADMIN,
            "password1": "another-admin-2026",
            "password2": "another-admin-2026",
            "usable_password": "true",
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="sheng2")
    assert created.is_staff and not created.is_superuser
    assert set(created.groups.values_list("name", flat=True)) == {"省级管理员"}


def test_superuser_still_sets_everything(client, superuser, county_clerk):
    client.force_login(superuser)
    url = reverse("admin:core_user_change", args=[county_clerk.pk])
    response = client.post(url, change_form_data(county_clerk, is_staff="on"))
    assert response.status_code == 302
    county_clerk.refresh_from_db()
    assert county_clerk.is_staff

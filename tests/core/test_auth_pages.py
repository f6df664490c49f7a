import pytest
from django.urls import reverse

from core.models import AuditEvent


@pytest.mark.django_db
def test_login_page_speaks_chinese(client):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in page
    assert "用户名" in page and "密码" in page and "登录" in page


def test_wrong_password_shows_a_chinese_error_and_is_audited(client, county_clerk):
    response = client.post(reverse("login"), {"username": "chengdong", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed", data__username="chengdong").count() == 1


def test_login_leads_home_showing_the_office_and_role(client, county_clerk, password):
    response = client.post(reverse("login"), {"username": "chengdong", "password": password}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert county_clerk.office.name in page
    assert "县（市、区）经办人员" in page
    assert AuditEvent.objects.filter(action="auth.login", actor=county_clerk).count() == 1


def test_home_counts_come_from_records_not_invented(client, university_clerk):
    client.force_login(university_clerk)
    waiting = client.get(reverse("home")).context["waiting"]
    assert waiting and all(item["count"] == 0 for item in waiting)


@pytest.mark.django_db
def test_pages_require_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_is_a_post_and_ends_the_session(client, county_clerk):
    client.force_login(county_clerk)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_admin_link_only_for_staff(client, county_clerk, province_admin):
    client.force_login(county_clerk)
    assert "管理后台" not in client.get(reverse("home")).content.decode()
    client.force_login(province_admin)
    assert "管理后台" in client.get(reverse("home")).content.decode()
    assert client.get("/admin/").status_code == 200

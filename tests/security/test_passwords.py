"""Password rules in Chinese (length, 3 of 4 classes, not like the username, not common, not all digits) and
Argon2 hashing with old hashes upgraded at login."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

import config.settings as project_settings
from core.models import AuditEvent


def problems(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.django_db
def test_each_rule_speaks_chinese(county_clerk):
    assert any("3 类" in m for m in problems("abcdefghijkl", county_clerk))  # lower-case only
    assert any("3 类" in m for m in problems("abcdefgh1234", county_clerk))  # two classes
    assert "密码太短，至少需要 10 个字符。" in problems("Ab1!xyz", county_clerk)
    assert any("太相似" in m for m in problems("Chengdong2026", county_clerk))
    assert any("太常见" in m for m in problems("Password123", county_clerk))
    assert "密码只包含数字。" in problems("20260301987654", county_clerk)
    assert problems("Qh-jiuye-2026", county_clerk) == []
    assert problems("qinghai#2026x", county_clerk) == []  # lower, digits, symbol: three classes


def test_a_user_changes_the_password_on_the_page(client, county_clerk, password):
    client.force_login(county_clerk)
    url = reverse("security:password_change")
    weak = client.post(
        url, {"old_password": password, "new_password1": "abcdefghijkl", "new_password2": "abcdefghijkl"}
    )
    page = weak.content.decode()
    assert weak.status_code == 200
    assert "密码须至少包含大写字母、小写字母、数字、特殊符号中的 3 类" in page

    done = client.post(url, {"old_password": password, "new_password1": "Qh-jiuye-2026", "new_password2": "Qh-jiuye-2026"}, follow=True)  # fmt: skip
    assert "密码已修改" in done.content.decode()
    assert client.get(reverse("home")).status_code == 200  # still logged in
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=county_clerk).count() == 1
    client.post(reverse("logout"))
    assert (
        client.post(reverse("login"), {"username": "chengdong", "password": "Qh-jiuye-2026"}).status_code
        == 302
    )


def test_argon2_is_first_and_older_hashes_are_upgraded_at_login(client, county_clerk, password, settings):
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    county_clerk.password = make_password(password, hasher="pbkdf2_sha256")
    county_clerk.save(update_fields=["password"])

    response = client.post(reverse("login"), {"username": "chengdong", "password": password})
    assert response.status_code == 302
    county_clerk.refresh_from_db()
    assert county_clerk.password.startswith("argon2$argon2id$")
    assert county_clerk.check_password(password)
    client.post(reverse("logout"))
    assert client.post(reverse("login"), {"username": "chengdong", "password": password}).status_code == 302


def test_a_new_password_is_hashed_with_argon2(county_clerk, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    county_clerk.set_password("Qh-jiuye-2026")
    assert county_clerk.password.startswith("argon2$")

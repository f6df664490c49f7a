"""Personas: every permission test reads like a sentence about one of these people.

They are the demo province's own users (created by the real `seed_demo_province` action), so the tests see the
same offices and roles a new user sees after `python3 dev.py up`.
"""

import pytest

from core.demo import DEMO_PASSWORD, seed_demo_province
from core.models import Region, User
from core.regions import load_regions


@pytest.fixture
def regions(db):
    """The GB/T 2260 table. The data migration loads it; a transactional test's flush empties it, so reload it.

    (serialized_rollback cannot restore it for browser tests: once Playwright's event loop runs in the test
    thread, Django hands out a fresh connection object that lacks the serialized copy.)
    """
    if not Region.objects.exists():
        load_regions()


@pytest.fixture
def demo_province(regions):
    seed_demo_province()


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def province_admin(demo_province) -> User:
    """省局管理员: sees the whole province, works in the Django admin."""
    return User.objects.get(username="sheng")


@pytest.fixture
def prefecture_clerk(demo_province) -> User:
    """西宁市 office staff."""
    return User.objects.get(username="xining")


@pytest.fixture
def other_prefecture_clerk(demo_province) -> User:
    """海东市 office staff: another prefecture, must never see 西宁's records."""
    return User.objects.get(username="haidong")


@pytest.fixture
def county_clerk(demo_province) -> User:
    """城东区 (西宁市) office staff."""
    return User.objects.get(username="chengdong")


@pytest.fixture
def education_clerk(demo_province) -> User:
    """省教育厅 staff: sees the province's universities' graduates."""
    return User.objects.get(username="jiaoyu")


@pytest.fixture
def university_clerk(demo_province) -> User:
    """青海大学 staff: sees only its own graduates."""
    return User.objects.get(username="qhu")


def pytest_configure(config):
    from django.conf import settings

    # Tests serve static files from the finders (no collectstatic, no manifest); whitenoise warns at every
    # request when STATIC_ROOT is missing.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    # Hashing the demo passwords with PBKDF2 costs ~0.3 s per user per test; tests do not test the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

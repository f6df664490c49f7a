"""Personas: every permission test reads like a sentence about one of these people.

They are the demo province's own users (created by the real `seed_demo_province` action), so the tests see the
same offices and roles a new user sees after `python3 dev.py up`.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.demo import DEMO_PASSWORD, seed_demo_province
from core.models import Region, User
from core.regions import load_regions

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def celery_worker_process(transactional_db, regions):
    """Start `celery worker` on a queue of its own, pointing at this test run's database, and stop it after."""
    from django.conf import settings
    from django.db import connection

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the worker tests need Redis (set REDIS_URL)"
    queue = f"test-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue,
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()

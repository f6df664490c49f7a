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
from django.db.backends.signals import connection_created
from django.test import Client as DjangoClient

from core.demo import DEMO_PASSWORD, seed_demo_province
from core.models import Region, User
from core.regions import load_regions

ROOT = Path(__file__).resolve().parents[1]

# The published development keys of core/crypto.py for the processes the tests start (Celery workers, manage.py):
# settings give them to this process under pytest; a child process must be told.
from core.crypto import DEVELOPMENT_BLIND_INDEX_KEY, DEVELOPMENT_FIELD_ENCRYPTION_KEY  # noqa: E402

os.environ.setdefault("FIELD_ENCRYPTION_KEY", DEVELOPMENT_FIELD_ENCRYPTION_KEY)
os.environ.setdefault("BLIND_INDEX_KEY", DEVELOPMENT_BLIND_INDEX_KEY)


@pytest.fixture
def regions(db):
    """The GB/T 2260 table. The data migration loads it; a transactional test's flush empties it, so reload it.

    (serialized_rollback cannot restore it for browser tests: once Playwright's event loop runs in the test
    thread, Django hands out a fresh connection object that lacks the serialized copy.)
    """
    if not Region.objects.exists():
        _reload_regions()


_REGION_TABLE: list[bytes] = []


def _reload_regions() -> None:
    """The first time, the real loader (1.5 s: it builds ~7,000 rows from the sources and upserts them); its table
    is kept, and later reloads copy the same rows back in with one COPY (~0.05 s: ~160 tests flush it)."""
    import io

    from django.db import connection

    table = connection.ops.quote_name(Region._meta.db_table)
    with connection.cursor() as cursor:
        if _REGION_TABLE:
            cursor.copy_expert(f"COPY {table} FROM STDIN", io.BytesIO(_REGION_TABLE[0]))
            return
        load_regions()
        rows = io.BytesIO()
        cursor.copy_expert(f"COPY {table} TO STDOUT", rows)
        _REGION_TABLE.append(rows.getvalue())


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


class CeleryWorkers:
    """Real `celery worker` processes of one test, pointing at this test run's database. They listen on the test's
    own queue (tasks sent with queue=QUEUE) and on the routed queues (settings.CELERY_TASK_ROUTES) under the
    prefix QUEUE- (CELERY_QUEUE_PREFIX), which the test process routes to as well."""

    def __init__(self, queue: str):
        from django.conf import settings
        from django.db import connection

        self.queue = queue
        self.prefix = f"{queue}-"
        routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
        self.queues = [
            queue,
            *sorted(self.prefix + name for name in {*routed, settings.CELERY_TASK_DEFAULT_QUEUE}),
        ]
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CONN_MAX_AGE": "0",
            "CELERY_QUEUE_PREFIX": self.prefix,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, **env: str) -> subprocess.Popen:
        """Start one more worker; ENV: extra settings for it (EMAIL_URL=…)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", ",".join(self.queues),
             "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env={**self.env, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def celery_workers(transactional_db, regions):
    """Start workers with `celery_workers.start()`; this process sends the routed tasks to their queues."""
    from django.conf import settings

    from config.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the worker tests need Redis (set REDIS_URL)"
    workers = CeleryWorkers(f"test-{uuid.uuid4().hex[:12]}")
    saved = app.conf.task_routes, app.conf.task_default_queue
    app.conf.task_routes = {
        task: {**route, "queue": workers.prefix + route["queue"]}
        for task, route in settings.CELERY_TASK_ROUTES.items()
    }
    app.conf.task_default_queue = workers.prefix + settings.CELERY_TASK_DEFAULT_QUEUE
    app.amqp.flush_routes()
    del app.amqp.router  # rebuilt from the routes above at its next use
    try:
        yield workers
    finally:
        workers.stop()
        app.conf.task_routes, app.conf.task_default_queue = saved
        app.amqp.flush_routes()
        del app.amqp.router


@pytest.fixture
def celery_worker_process(celery_workers):
    """Start `celery worker` on a queue of its own (and the routed queues under its prefix); yields the queue."""
    celery_workers.start()
    return celery_workers.queue


# The audit log's trigger (core/migrations/0005) refuses TRUNCATE except to the tables' owner with this session
# setting on; the test runner connects as the owner and flushes every table with TRUNCATE after each
# transactional test. Nothing outside the tests sets it, and for the application's role it changes nothing.
def _let_the_test_runner_flush_the_audit_log(sender, connection, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SET gradservice.audit_truncate = 'on'")


connection_created.connect(_let_the_test_runner_flush_the_audit_log, dispatch_uid="audit_truncate_in_tests")


# --- The second factor (core/security): provincial admins and staff must pass it after the password ------------


def enrol_totp(user):
    """USER's confirmed authenticator (created if none), as if the user had bound a phone."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="测试用身份验证器", confirmed=True)


def totp_code(user) -> str:
    """The code USER's authenticator shows, as the phone would compute it; never one already used (a code is
    accepted once: with two logins in one 30-second step the second takes the next step's, within tolerance)."""
    import time

    from django_otp.oath import TOTP

    device = enrol_totp(user)
    while True:
        device.refresh_from_db()
        for offset in range(-device.tolerance, device.tolerance + 1):
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
            if totp.t() > device.last_t:
                return f"{totp.token():0{device.digits}d}"
        time.sleep(1)


def verify_second_factor(client, user) -> None:
    """Mark CLIENT's session as having passed the second factor with USER's authenticator (django-otp's own
    login(), as the verification page does), for users who must pass it."""
    from django.http import HttpRequest
    from django_otp import login as otp_login

    from core.security.otp import requires_otp

    if not requires_otp(user):
        return
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, enrol_totp(user))
    request.session.save()


class OtpClient(DjangoClient):
    """Django's test client; force_login stands in for the whole login, the second factor included (pass
    otp=False to stop after the password, as tests of the second factor do)."""

    def force_login(self, user, backend=None, otp=True):
        super().force_login(user, backend)
        if otp:
            verify_second_factor(self, user)


@pytest.fixture
def client():
    return OtpClient()


def pass_second_factor_in_browser(page, user) -> None:
    """In a real browser, right after the password: type the authenticator's code where the page asks for it
    (a user who must pass the second factor and has no authenticator gets one bound first)."""
    import re

    from core.security.otp import requires_otp

    if not requires_otp(user):
        return
    enrol_totp(user)
    page.wait_for_url(re.compile(r"/account/otp/(verify|setup)/"))
    if "/setup/" in page.url:
        page.reload()  # the authenticator now exists: the page asks for its code instead
        page.wait_for_url(re.compile(r"/account/otp/verify/"))
    page.get_by_label("验证码或恢复码").fill(totp_code(user))
    page.get_by_role("button", name="验证").click()


# --- Parallel runs (pytest-xdist; tests/settings.py gives each worker its Redis database and VAR_DIR) ------------


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """One test database created at a time on this machine: each xdist worker creates and migrates its own, and a
    migration that creates a role of the cluster (core/migrations/0005) must not race another's."""
    if fixturedef.argname != "django_db_setup":
        return (yield)
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / "gradservice-test-db-setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return (yield)

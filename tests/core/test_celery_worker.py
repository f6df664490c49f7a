"""A real Celery worker process, fed through Redis, runs a task against the test database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from core.models import Office
from core.tasks import health_probe

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def celery_worker_process(transactional_db, regions):
    """Start `celery worker` on a queue of its own, pointing at this test run's database, and stop it after."""
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


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_sent_through_redis_runs_in_a_worker_and_its_result_comes_back(celery_worker_process):
    Office.objects.create(kind="education", name="测试教育厅", region_id="630000")
    result = health_probe.apply_async(queue=celery_worker_process)
    value = result.get(timeout=60)
    assert value == {"database": connection.settings_dict["NAME"], "offices": 1}
    assert celery_app.conf.broker_url.startswith("redis://")

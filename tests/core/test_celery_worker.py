"""A real Celery worker process, fed through Redis, runs a task against the test database."""

from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from core.models import Office
from core.tasks import health_probe

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_task_sent_through_redis_runs_in_a_worker_and_its_result_comes_back(celery_worker_process):
    Office.objects.create(kind="education", name="测试教育厅", region_id="630000")
    result = health_probe.apply_async(queue=celery_worker_process)
    value = result.get(timeout=60)
    assert value == {"database": connection.settings_dict["NAME"], "offices": 1}
    assert celery_app.conf.broker_url.startswith("redis://")

"""Self-registration: generated people, a signed form start time a minute ago, and an empty rate-limit count."""

import time

import pytest
from django.core.cache import cache

from graduates.selfreg.tokens import issue_form_token
from tests.factories import make_id_number

URL = "/api/v1/self-registrations/"
ANSWER = {"detail": "已收到，工作人员将在1个工作日内与您联系"}


@pytest.fixture(autouse=True)
def empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


def payload(**overrides) -> dict:
    """A valid request of a generated graduate from 城东区 (西宁市)."""
    values = {
        "name": "测试登记",
        "id_number": make_id_number("630102", "20030415", 517),
        "mobile": "13912345678",
        "university_name": "青海大学",
        "graduation_date": "2026-06-30",
        "education": "3",
        "major": "计算机科学与技术",
        "origin_region": "630102",
        "intentions": ["3"],
        "service_needs": ["2", "3"],
        "email": "",
        "consent": True,
        "form_token": issue_form_token(at=time.time() - 60),
    }
    values.update(overrides)
    return values


@pytest.fixture
def post(client):
    """POST a JSON self-registration (from REMOTE_ADDR, 127.0.0.10 unless given)."""

    def send(data: dict, *, ip: str = "127.0.0.10"):
        return client.post(URL, data=data, content_type="application/json", REMOTE_ADDR=ip)

    return send

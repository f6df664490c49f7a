"""The API's personas and records. The personas themselves (province_admin, prefecture_clerk,
other_prefecture_clerk, county_clerk, education_clerk, university_clerk) are the demo province's users from
tests/conftest.py; here: a client calling as each of them, and graduates held by different offices."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import Office
from graduates.actions import create_graduate
from graduates.models import Graduate
from tests.factories import make_id_number, unsaved_graduate

PERSONAS = [
    "province_admin",
    "prefecture_clerk",
    "other_prefecture_clerk",
    "county_clerk",
    "education_clerk",
    "university_clerk",
]


def token_client(user, **extra) -> APIClient:
    """A client calling as USER with its token (Authorization: Token …), as another system does."""
    client = APIClient(**extra)
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_as(request):
    """api_as("county_clerk") → a token client of that persona."""

    def make(persona: str, **extra) -> APIClient:
        return token_client(request.getfixturevalue(persona), **extra)

    return make


@pytest.fixture
def register(db):
    """register(user, seq=…, **fields) → a graduate registered by USER's office through the real action."""

    def make(user, *, seq: int, region: str = "630102", **fields) -> Graduate:
        graduate = unsaved_graduate(id_number=make_id_number(region=region, seq=seq), **fields)
        return create_graduate(graduate=graduate, acting_user=user)

    return make


@pytest.fixture
def xining_graduate(prefecture_clerk, register, university_clerk) -> Graduate:
    """Held by 西宁市's office, a graduate of 青海大学 (so the university and the Education Dept see it too)."""
    return register(
        prefecture_clerk,
        seq=101,
        name="西宁学生",
        university=Office.objects.get(pk=university_clerk.office_id),
    )


@pytest.fixture
def chengdong_graduate(county_clerk, register) -> Graduate:
    """Held by 城东区 (in 西宁市): 西宁市 and the bureau see it, 海东市 does not."""
    return register(county_clerk, seq=103, name="城东学生")


@pytest.fixture
def haidong_graduate(other_prefecture_clerk, register) -> Graduate:
    """Held by 海东市's office; not a 青海大学 graduate."""
    return register(
        other_prefecture_clerk, seq=105, region="630203", name="海东学生", university_name="外省大学"
    )


@pytest.fixture(autouse=True)
def _unthrottled(settings):
    """The API tests call far faster than any client may: no limits, except where a test sets its own rates
    (tests/api/test_foundation.py tests the throttles)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": None, "ip": None},
    }

"""Job postings and recruitment events through the API: the page's form messages by field, scope per persona
(another office's posting or event is 404), token auth, idempotent creates."""

import datetime
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from services.models import JobPosting, RecruitmentEvent

pytestmark = pytest.mark.django_db

POSTINGS, EVENTS = "/api/v1/job-postings/", "/api/v1/recruitment-events/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Idempotency keys and throttle counters live in the cache (Redis): none left from an earlier test."""
    cache.clear()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def next_year() -> str:
    return (timezone.localdate() + datetime.timedelta(days=300)).isoformat()


def posting_body(**overrides) -> dict:
    body = {
        "employer": "青海某科技公司",
        "title": "软件开发",
        "category": "信息技术",
        "location": "城东区",
        "pay_min": 4000,
        "pay_max": 6000,
        "education": "3",
        "majors": ["计算机", "软件工程"],
        "head_count": 3,
        "valid_until": next_year(),
        "source": "key_enterprise",
    }
    body.update(overrides)
    return body


def post(user, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api(user).post(url, body, format="json", **headers)


def test_a_county_clerk_adds_a_posting_for_its_office(county_clerk):
    answer = post(county_clerk, POSTINGS, posting_body())
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["office"], body["location"], body["majors"], body["pay_range"], body["valid"]) == (
        county_clerk.office_id,
        "630102",
        ["计算机", "软件工程"],
        "4000–6000 元/月",
        True,
    )
    saved = JobPosting.objects.get()
    assert (saved.created_by, saved.location_id, saved.head_count) == (county_clerk, "630102", 3)
    assert AuditEvent.objects.filter(action="services.posting.created", actor=county_clerk).exists()


def test_a_bad_posting_answers_the_pages_messages_by_field(county_clerk):
    answer = post(county_clerk, POSTINGS, posting_body(location="不存在县", pay_min=9000, pay_max=3000))
    assert answer.status_code == 400
    assert answer.json() == {
        "location": ["本省没有区划“不存在县”，请填写区划代码或名称（如 630102、城东区）。"],
        "pay_max": ["月薪上限不能低于下限。"],
    }
    assert post(county_clerk, POSTINGS, posting_body(pay_max=2_000_000)).json() == {
        "pay_max": ["月薪不能超过 1,000,000 元。"]
    }
    assert post(county_clerk, POSTINGS, posting_body(valid_until="明年")).json() == {
        "valid_until": ["日期格式不对，应为 2026-07-01 这样的日期。"]
    }
    assert post(county_clerk, POSTINGS, posting_body(majors=["会计"] * 21)).json() == {
        "majors": ["专业要求最多 20 项，每项不超过 50 个字。"]
    }
    assert post(county_clerk, POSTINGS, posting_body(employer=123, head_count="三")).json() == {
        "employer": ["“用人单位”的格式不对，应为文字。"],
        "head_count": ["“招聘人数”的格式不对，应为整数。"],
    }
    assert post(county_clerk, POSTINGS, posting_body(employer="某公司\x00")).json() == {
        "employer": ["不能包含空字符（NUL），请删除后重新填写。"]
    }
    assert not JobPosting.objects.exists()


def test_only_employment_offices_add_postings(university_clerk, education_clerk):
    for user in (university_clerk, education_clerk):
        answer = post(user, POSTINGS, posting_body())
        assert answer.status_code == 403
        assert answer.json() == {"detail": "只有就业服务机构的工作人员可以进行此操作。"}
    assert api().post(POSTINGS, posting_body(), format="json").status_code == 401
    assert not JobPosting.objects.exists()


def test_the_same_idempotency_key_and_body_add_one_posting(county_clerk):
    key = str(uuid.uuid4())
    first = post(county_clerk, POSTINGS, posting_body(), key=key)
    again = post(county_clerk, POSTINGS, posting_body(), key=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert JobPosting.objects.count() == 1
    assert post(county_clerk, POSTINGS, posting_body(title="会计"), key=key).status_code == 422
    # After a refused body the same key may carry the corrected one.
    fresh = str(uuid.uuid4())
    assert post(county_clerk, POSTINGS, posting_body(location="不存在县"), key=fresh).status_code == 400
    assert post(county_clerk, POSTINGS, posting_body(), key=fresh).status_code == 201
    assert JobPosting.objects.count() == 2


def test_postings_are_seen_in_the_offices_subtree_and_404_elsewhere(
    county_clerk, prefecture_clerk, other_prefecture_clerk, province_admin, university_clerk
):
    pk = post(county_clerk, POSTINGS, posting_body()).json()["id"]
    for user in (county_clerk, prefecture_clerk, province_admin):
        assert api(user).get(f"{POSTINGS}{pk}/").status_code == 200
        assert [row["id"] for row in api(user).get(POSTINGS).json()["results"]] == [pk]
    for user in (other_prefecture_clerk, university_clerk):
        answer = api(user).get(f"{POSTINGS}{pk}/")
        assert answer.status_code == 404
        assert answer.json() == {"detail": "未找到该记录，或该记录不在您的数据范围内。"}
        assert api(user).get(POSTINGS).json()["results"] == []


def test_the_list_filters_current_postings_and_pages_with_a_cursor(county_clerk):
    for title in ("甲", "乙", "丙"):
        post(county_clerk, POSTINGS, posting_body(title=title))
    JobPosting.objects.filter(title="乙").update(valid_until=datetime.date(2020, 1, 1))
    client = api(county_clerk)
    assert [r["title"] for r in client.get(POSTINGS, {"valid": "true"}).json()["results"]] == ["丙", "甲"]
    assert [r["title"] for r in client.get(POSTINGS, {"valid": "false"}).json()["results"]] == ["乙"]
    first = client.get(POSTINGS, {"page_size": 2}).json()
    assert [r["title"] for r in first["results"]] == ["丙", "乙"] and first["next"]
    second = client.get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == ["甲"] and second["next"] is None
    assert client.get(POSTINGS, {"cursor": "garbage"}).status_code == 400


# --- recruitment events ----------------------------------------------------------------------------------------


def event_body(**overrides) -> dict:
    body = {"name": "春季专场招聘会", "date": timezone.localdate().isoformat(), "kind": "professional",
            "online": False, "place": "西宁市人才市场"}  # fmt: skip
    body.update(overrides)
    return body


def test_an_event_is_added_with_the_offices_postings(county_clerk):
    job = post(county_clerk, POSTINGS, posting_body()).json()["id"]
    answer = post(county_clerk, EVENTS, event_body(postings=[job]), key=str(uuid.uuid4()))
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["kind_display"], body["postings"], body["office"]) == (
        "专业性",
        [job],
        county_clerk.office_id,
    )
    event = RecruitmentEvent.objects.get()
    assert list(event.postings.values_list("pk", flat=True)) == [job]


def test_a_bad_event_answers_the_pages_messages_by_field(county_clerk, other_prefecture_clerk):
    assert post(county_clerk, EVENTS, event_body(place="")).json() == {
        "place": ["请填写举办地点，或勾选“网络招聘”。"]
    }
    assert post(county_clerk, EVENTS, event_body(online=True, place="")).status_code == 201
    far = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    answer = post(county_clerk, EVENTS, event_body(date=far))
    assert answer.status_code == 400 and list(answer.json()) == ["date"]
    assert answer.json()["date"][0].startswith("举办日期应在 2000-01-01 至 ")
    assert post(county_clerk, EVENTS, event_body(online="yes")).json() == {
        "online": ["“网络招聘”的格式不对，应为true 或 false。"]
    }
    # A posting of another office cannot be attached (it reads like one that does not exist).
    theirs = post(other_prefecture_clerk, POSTINGS, posting_body(location="平安区")).json()["id"]
    answer = post(county_clerk, EVENTS, event_body(postings=[theirs]))
    assert answer.json() == {"postings": [f"没有找到岗位信息（编号 {theirs}），或不在您的数据范围内。"]}
    assert RecruitmentEvent.objects.count() == 1


def test_events_are_scoped_like_postings(county_clerk, other_prefecture_clerk, prefecture_clerk):
    pk = post(county_clerk, EVENTS, event_body()).json()["id"]
    assert api(prefecture_clerk).get(f"{EVENTS}{pk}/").json()["name"] == "春季专场招聘会"
    assert api(other_prefecture_clerk).get(f"{EVENTS}{pk}/").status_code == 404
    assert api(other_prefecture_clerk).get(EVENTS).json()["results"] == []
    assert [
        r["id"] for r in api(prefecture_clerk).get(EVENTS, {"kind": "professional"}).json()["results"]
    ] == [pk]
    assert api(prefecture_clerk).get(EVENTS, {"kind": "comprehensive"}).json()["results"] == []


def test_the_lists_queries_do_not_grow_with_their_rows(county_clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(county_clerk).get(url).status_code == 200
        return len(captured)

    job = post(county_clerk, POSTINGS, posting_body()).json()["id"]
    post(county_clerk, EVENTS, event_body(postings=[job]))
    before = queries(POSTINGS), queries(EVENTS)
    for n in range(6):
        job = post(county_clerk, POSTINGS, posting_body(title=f"岗位{n}")).json()["id"]
        post(county_clerk, EVENTS, event_body(name=f"招聘会{n}", postings=[job]))
    assert (queries(POSTINGS), queries(EVENTS)) == before

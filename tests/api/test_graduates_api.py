"""Graduates through the API: each persona sees exactly the records the pages show them (another office's record
is 404, never 403), lists mask ID numbers and phones, a retrieve shows them in full and is audited, writes go
through the page's checks and answer their Chinese messages; follow-up visits."""

import datetime

import pytest

from core.models import AuditEvent
from graduates.models import FollowUpVisit, Graduate
from tests.api.conftest import PERSONAS
from tests.factories import make_id_number, wrong_check_digit

pytestmark = pytest.mark.django_db

URL = "/api/v1/graduates/"

# Which of the three records (held by 西宁市, 城东区 in 西宁市, 海东市) each persona sees, as on the pages.
SEES = {
    "province_admin": {"西宁学生", "城东学生", "海东学生"},
    "prefecture_clerk": {"西宁学生", "城东学生"},
    "other_prefecture_clerk": {"海东学生"},
    "county_clerk": {"城东学生"},
    "education_clerk": {"西宁学生"},  # a 青海大学 graduate; the others' universities are not in the system
    "university_clerk": {"西宁学生"},
}


@pytest.fixture
def three(xining_graduate, chengdong_graduate, haidong_graduate):
    return {g.name: g for g in (xining_graduate, chengdong_graduate, haidong_graduate)}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_and_retrieves_only_its_scope(persona, api_as, three):
    client = api_as(persona)
    listed = {row["name"] for row in client.get(URL).json()["results"]}
    assert listed == SEES[persona]
    for name, graduate in three.items():
        response = client.get(f"{URL}{graduate.pk}/")
        if name in SEES[persona]:
            assert response.status_code == 200
        else:  # never 403: the caller cannot tell "elsewhere" from "no such record"
            assert response.status_code == 404
            assert response.json()["detail"] == "未找到该记录，或该记录不在您的数据范围内。"
        assert client.get(f"{URL}{graduate.pk}/visits/").status_code == response.status_code


def test_another_offices_record_cannot_be_changed_or_visited(api_as, haidong_graduate):
    client = api_as("prefecture_clerk")
    patch = client.patch(f"{URL}{haidong_graduate.pk}/", {"major": "改", "version": 1}, format="json")
    visit = client.post(
        f"{URL}{haidong_graduate.pk}/visits/", {"visited_on": "2026-07-01", "method": "phone"}, format="json"
    )
    assert patch.status_code == visit.status_code == 404
    haidong_graduate.refresh_from_db()
    assert haidong_graduate.major != "改" and not haidong_graduate.visits.exists()


def test_universities_read_but_do_not_write(api_as, xining_graduate):
    client = api_as("university_clerk")
    assert client.get(f"{URL}{xining_graduate.pk}/").status_code == 200
    refused = client.patch(f"{URL}{xining_graduate.pk}/", {"major": "改", "version": 1}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有就业服务机构的工作人员可以进行此操作。"


def test_lists_mask_numbers_and_a_retrieve_shows_them_in_full_audited(
    api_as, prefecture_clerk, xining_graduate
):
    client = api_as("prefecture_clerk")
    row = client.get(URL).json()["results"][0]
    assert row["id_number"] == xining_graduate.id_number[:6] + "********" + xining_graduate.id_number[-4:]
    assert row["mobile"] == "138****0001"
    assert not AuditEvent.objects.filter(action="graduate.viewed").exists()
    record = client.get(f"{URL}{xining_graduate.pk}/").json()
    assert record["id_number"] == xining_graduate.id_number
    assert record["mobile"] == "13800000001"
    audit = AuditEvent.objects.get(action="graduate.viewed")
    assert (audit.actor, audit.object_id, audit.data) == (
        prefecture_clerk,
        str(xining_graduate.pk),
        {"via": "api"},
    )
    assert xining_graduate.id_number not in str(audit.data)


def test_list_filters_are_the_pages(api_as, three):
    client = api_as("province_admin")
    office = three["海东学生"].responsible_office_id
    assert [r["name"] for r in client.get(f"{URL}?office={office}").json()["results"]] == ["海东学生"]
    assert {r["name"] for r in client.get(f"{URL}?state=").json()["results"]} == set(three)  # empty: all
    bad = client.get(f"{URL}?cohort=1999")
    assert bad.status_code == 400
    assert bad.json() == {"cohort": ["届别应在 2000 至 2100 年之间。"]}
    # No personal number in a URL (access logs): the lookup takes it in the body.
    number = three["西宁学生"].id_number
    assert client.get(f"{URL}?q={number}").status_code == 400
    found = client.post(f"{URL}lookup/", {"id_number": number}, format="json").json()
    assert [r["name"] for r in found] == ["西宁学生"]
    assert (
        api_as("other_prefecture_clerk").post(f"{URL}lookup/", {"id_number": number}, format="json").json()
        == []
    )


def body(**overrides):
    values = {
        "name": "接口登记",
        "ethnicity": "01",
        "id_number": make_id_number(seq=501),
        "cohort": 2026,
        "university_name": "青海民族大学",
        "graduation_date": "2026-06-30",
        "education": "3",
        "major": "社会工作",
        "origin_region": "630102",
        "hardship": ["4"],
        "intentions": ["3"],
    }
    values.update(overrides)
    return values


def test_create_runs_the_pages_checks(api_as):
    client = api_as("prefecture_clerk")
    response = client.post(
        URL,
        body(id_number=wrong_check_digit(make_id_number(seq=501)), intentions=["9"], service_needs=["1"],
             origin_region="999999", cohort=2026, graduation_date="2024-06-30"),
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.json()
    assert "校验" in errors["id_number"][0]
    assert errors["service_needs"] == ["就业意向为“自愿暂时不就业”时，不填写就业服务需求。"]
    assert errors["origin_region"] == ["行政区划代码不存在，请填写 6 位代码（如 630102）。"]
    assert not Graduate.objects.exists()
    created = client.post(URL, body(id_number=" " + make_id_number(seq=501).lower()), format="json")
    assert created.status_code == 201, created.content
    record = Graduate.objects.get()
    assert record.gender == "1" and record.birth_date == datetime.date(2003, 4, 15)  # derived from the ID
    assert created.json()["id_number"].count("*") == 8  # the answer to a write is masked


def test_a_duplicate_points_to_the_record_in_scope_and_names_no_office_outside_it(api_as, xining_graduate):
    same = body(id_number=xining_graduate.id_number)
    mine = api_as("prefecture_clerk").post(URL, same, format="json")
    assert mine.status_code == 409
    assert mine.json()["id"] == xining_graduate.pk
    other = api_as("other_prefecture_clerk").post(URL, {**same, "origin_region": "630203"}, format="json")
    assert other.status_code == 400
    assert "已在其他机构登记" in other.json()["id_number"][0]
    assert "西宁" not in other.content.decode()
    assert Graduate.objects.count() == 1


def test_update_needs_the_version_and_refuses_a_stale_one(api_as, xining_graduate):
    client = api_as("prefecture_clerk")
    url = f"{URL}{xining_graduate.pk}/"
    assert "version" in client.patch(url, {"major": "数据科学"}, format="json").json()
    changed = client.patch(url, {"major": "数据科学", "version": xining_graduate.version}, format="json")
    assert changed.status_code == 200
    assert changed.json()["major"] == "数据科学" and changed.json()["version"] == xining_graduate.version + 1
    stale = client.patch(url, {"major": "旧版本", "version": xining_graduate.version}, format="json")
    assert stale.status_code == 409
    assert "已被他人修改" in stale.json()["detail"]
    bad = client.patch(url, {"mobile": "1234", "version": xining_graduate.version + 1}, format="json")
    assert bad.status_code == 400 and "mobile" in bad.json()
    xining_graduate.refresh_from_db()
    assert xining_graduate.major == "数据科学" and "major" in xining_graduate.hand_edited


def test_a_visit_sets_the_destination_and_state_and_is_idempotent(api_as, xining_graduate):
    client = api_as("prefecture_clerk")
    url = f"{URL}{xining_graduate.pk}/visits/"
    visit = {"visited_on": "2026-07-01", "method": "phone", "destination": "4", "employer": "某公司"}
    first = client.post(url, visit, format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    again = client.post(url, visit, format="json", HTTP_IDEMPOTENCY_KEY="visit-1")
    assert first.status_code == again.status_code == 201
    assert FollowUpVisit.objects.count() == 1
    xining_graduate.refresh_from_db()
    assert (xining_graduate.destination, xining_graduate.state) == ("4", "employed")
    listed = client.get(url).json()
    assert [v["employer"] for v in listed] == ["某公司"]
    future = client.post(url, {**visit, "visited_on": "2999-01-01"}, format="json")
    assert future.json() == {"visited_on": ["回访日期不能晚于今天。"]}
    unreached = client.post(url, {**visit, "outcome": "not_reached"}, format="json")
    assert unreached.json() == {"destination": ["未联系上时不能填写就业去向。"]}

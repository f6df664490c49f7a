"""Services and plans through the API: log (the page's checks, idempotent), the office's log (scope, filters,
masked ID numbers), void (once, with a reason), and the plan worklist and a graduate's plan (employment offices
only, scope)."""

import datetime

import pytest

from services.models import ServiceEntry, ServiceStandard
from services.plans import refresh_obligations

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"


def service(graduate, **overrides):
    return {
        "graduate": graduate.pk,
        "service_type": "policy",
        "date": "2026-07-02",
        "channel": "phone",
        **overrides,
    }


def test_log_a_service_once_per_key_and_see_it_in_the_log(api_as, xining_graduate):
    client = api_as("prefecture_clerk")
    first = client.post(URL, service(xining_graduate), format="json", HTTP_IDEMPOTENCY_KEY="svc-1")
    again = client.post(URL, service(xining_graduate), format="json", HTTP_IDEMPOTENCY_KEY="svc-1")
    assert first.status_code == again.status_code == 201
    assert ServiceEntry.objects.count() == 1
    rows = client.get(URL).json()["results"]
    assert [r["id"] for r in rows] == [first.json()["id"]]
    assert rows[0]["graduate_id_number"].count("*") == 8
    assert xining_graduate.id_number not in str(rows)


def test_the_pages_checks_and_messages(api_as, xining_graduate, haidong_graduate):
    client = api_as("prefecture_clerk")
    future = client.post(URL, service(xining_graduate, date="2999-01-01"), format="json")
    assert future.status_code == 400 and "晚于今天" in future.json()["date"][0]
    wrong = client.post(URL, service(xining_graduate, service_type="massage"), format="json")
    assert wrong.json() == {"service_type": ["请选择服务类型。"]}
    # Another office's graduate and a graduate that does not exist get the same words.
    elsewhere = client.post(URL, service(haidong_graduate), format="json").json()
    missing = client.post(URL, {**service(haidong_graduate), "graduate": 10**9}, format="json").json()
    assert elsewhere == missing == {"graduate": ["该毕业生不在本单位的服务范围内，不能记录服务。"]}
    assert not ServiceEntry.objects.exists()
    assert api_as("university_clerk").post(URL, service(xining_graduate), format="json").status_code == 403


def test_scope_of_the_log_and_void(api_as, xining_graduate, haidong_graduate):
    xining, haidong = api_as("prefecture_clerk"), api_as("other_prefecture_clerk")
    entry = xining.post(URL, service(xining_graduate), format="json").json()
    assert haidong.get(URL).json()["results"] == []
    assert haidong.get(f"{URL}{entry['id']}/").status_code == 404
    assert haidong.post(f"{URL}{entry['id']}/void/", {"reason": "错"}, format="json").status_code == 404
    assert api_as("province_admin").get(f"{URL}{entry['id']}/").status_code == 200
    assert xining.post(f"{URL}{entry['id']}/void/", {"reason": " "}, format="json").json() == {
        "reason": ["请填写“作废原因”。"]
    }
    voided = xining.post(f"{URL}{entry['id']}/void/", {"reason": "重复录入"}, format="json")
    assert voided.status_code == 200 and voided.json()["void_reason"] == "重复录入"
    twice = xining.post(f"{URL}{entry['id']}/void/", {"reason": "再次"}, format="json")
    assert twice.status_code == 400 and "不能再次作废" in twice.json()["non_field_errors"][0]
    assert [r["id"] for r in xining.get(f"{URL}?voided=no").json()["results"]] == []
    assert xining.get(f"{URL}?date_from=2026-08-01&date_to=2026-07-01").json() == {
        "non_field_errors": ["开始日期晚于结束日期。"]
    }


def test_plans_for_employment_offices_within_scope(api_as, xining_graduate, haidong_graduate):
    standard = ServiceStandard.objects.filter(is_active=True).first()
    assert standard is not None, "the demo province switches a service standard on"
    refresh_obligations(graduate_ids=[xining_graduate.pk, haidong_graduate.pk])
    client = api_as("prefecture_clerk")
    worklist = client.get("/api/v1/plans/", {"as_of": "2026-12-31"})
    assert worklist.status_code == 200
    data = worklist.json()
    assert data["standard"] == standard.code
    names = {row["name"] for row in data["overdue"] + data["due"]}
    assert "海东学生" not in names
    assert all("*" in row["id_number"] for row in data["overdue"] + data["due"])
    plan = client.get(f"/api/v1/plans/{xining_graduate.pk}/", {"as_of": "2026-12-31"}).json()
    assert plan["graduate_id"] == xining_graduate.pk and plan["obligations"]
    assert {o["state"] for o in plan["obligations"]} <= {"met", "late", "due", "overdue", "closed"}
    assert client.get(f"/api/v1/plans/{haidong_graduate.pk}/").status_code == 404
    assert client.get("/api/v1/plans/", {"as_of": "1999-01-01"}).json() == {
        "as_of": ["截至日期应在 2000 年至 2100 年之间。"]
    }
    assert api_as("university_clerk").get("/api/v1/plans/").status_code == 403
    assert datetime.date.fromisoformat(data["as_of"]) == datetime.date(2026, 12, 31)

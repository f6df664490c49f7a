"""The plan on the record page, the clerk's worklist and the compliance page."""

import pytest
from django.urls import reverse

from graduates.actions import assign_staff
from graduates.models import Graduate
from services.codes import ServiceType
from tests.services.test_plans import at, log, registered


@pytest.fixture
def two_graduates(county_clerk, register):
    first = registered(register, county_clerk, "2026-09-01")
    second = registered(register, county_clerk, "2026-09-05", seq=102, hardship=["1"])
    return first, second


def test_the_record_page_shows_each_obligation_with_the_services_that_met_it(
    client, county_clerk, two_graduates
):
    graduate = two_graduates[0]
    with at("2026-09-20"):
        log(county_clerk, graduate, ServiceType.POLICY, "2026-09-20")
        client.force_login(county_clerk)
        page = client.get(reverse("graduates:detail", args=[graduate.pk])).content.decode()
    assert "服务计划" in page and "青海省离校未就业高校毕业生服务标准" in page
    assert 'data-service="policy" data-state="met"' in page
    assert 'data-service="job_referral" data-state="due"' in page
    assert "0/3" in page and "2026-12-01" in page and "09-20" in page


def test_the_worklist_lists_overdue_and_due_this_week_and_only_mine_on_request(
    client, county_clerk, two_graduates
):
    first, second = two_graduates
    assign_staff(
        graduates=Graduate.objects.filter(pk=second.pk), staff=county_clerk, acting_user=county_clerk
    )
    client.force_login(county_clerk)
    with at("2026-12-02"):
        page = client.get(reverse("services:plans"))
    overdue = [(r["name"], r["service"]) for r in page.context["overdue"]]
    due = [(r["name"], r["service"]) for r in page.context["due"]]
    assert ("服务测试101", "岗位推荐") in overdue and all(name == "服务测试101" for name, _ in overdue)
    assert ("服务测试102", "一对一帮扶") in due and len(due) == 5  # second is due on 12-05: within the week
    body = page.content.decode()
    assert first.id_number not in body and first.id_number[:6] in body  # masked
    with at("2026-12-02"):
        mine = client.get(reverse("services:plans"), {"mine": "on"})
    assert mine.context["overdue"] == [] and len(mine.context["due"]) == 5


def test_the_worklist_refuses_a_bad_date_in_chinese(client, county_clerk):
    client.force_login(county_clerk)
    page = client.get(reverse("services:plans"), {"as_of": "2026-13-45"})
    assert page.status_code == 400 and "日期格式不对" in page.content.decode()
    page = client.get(reverse("services:plans"), {"as_of": "1900-01-01"})
    assert page.status_code == 400 and "2000 年至 2100 年" in page.content.decode()


def test_the_compliance_page_counts_per_rule_and_office_in_scope(
    client, county_clerk, prefecture_clerk, other_prefecture_clerk, province_admin, register, two_graduates
):
    registered(register, other_prefecture_clerk, "2026-09-01", seq=303, region="630202")
    with at("2026-12-03"):
        client.force_login(county_clerk)
        table = client.get(reverse("services:compliance")).context["table"]
        assert table.total == {"met": 0, "late": 0, "due": 5, "overdue": 4, "closed": 0}
        assert [name for name, _ in table.groups] == [county_clerk.office.name]
        client.force_login(province_admin)
        page = client.get(reverse("services:compliance"))
    table = page.context["table"]
    assert (table.total["overdue"], table.total["due"]) == (8, 5)
    assert [(name, counts["overdue"], counts["due"]) for name, counts in table.groups] == [
        ("海东市", 4, 0),
        ("西宁市", 4, 5),
    ]
    assert 'data-state="overdue">8<' in page.content.decode()


def test_universities_see_no_plan_pages(client, university_clerk):
    client.force_login(university_clerk)
    assert client.get(reverse("services:plans")).status_code == 403
    assert client.get(reverse("services:compliance")).status_code == 403

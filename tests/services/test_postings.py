"""Job postings ranked by fit with their reasons, one-click recommendation, events and each prefecture's rhythm."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Region
from services import actions
from services.models import JobPosting, RecruitmentEvent, ServiceEntry
from services.selectors import event_coverage, postings_for
from tests.services.test_plans import at, d, plan_of, registered


def posting(user, **overrides) -> JobPosting:
    values = {
        "employer": "青海某科技公司",
        "title": "软件开发",
        "category": "信息技术",
        "location": Region.objects.get(code="630102"),
        "education": "4",
        "majors": [],
        "valid_until": datetime.date(2027, 3, 31),
        "source": "key_enterprise",
    }
    values.update(overrides)
    return actions.create_posting(posting=JobPosting(**values), acting_user=user)


def test_postings_rank_by_major_location_and_education_with_reasons(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")  # 本科, 计算机科学与技术, 本地就业, 西宁
    with at("2026-09-10"):
        posting(county_clerk, title="会计", majors=["会计"], location=Region.objects.get(code="630202"))
        posting(county_clerk, title="研究助理", education="2", majors=["计算机"],
                location=Region.objects.get(code="632221"))  # fmt: skip
        posting(county_clerk, title="程序员", majors=["软件", "计算机"])
        posting(county_clerk, title="过期", majors=["计算机"], valid_until=datetime.date(2026, 9, 9))
        ranked = postings_for(graduate=graduate)
    assert [(r.posting.title, r.reasons) for r in ranked] == [
        ("程序员", ["专业匹配", "学历符合", "本地就业意向"]),
        ("研究助理", ["专业匹配"]),  # 硕士 required: 学历 does not fit; 海北州 is not home
        ("会计", ["学历符合"]),
    ]


def test_recommending_logs_a_referral_in_one_click_and_the_plan_counts_it(client, county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    with at("2026-09-10"):
        job = posting(county_clerk, majors=["计算机"])
        client.force_login(county_clerk)
        page = client.get(reverse("graduates:detail", args=[graduate.pk])).content.decode()
        assert f'data-posting="{job.pk}"' in page and "专业匹配" in page
        response = client.post(reverse("services:recommend", args=[graduate.pk, job.pk]))
    assert response.status_code == 302
    entry = ServiceEntry.objects.get(graduate=graduate)
    assert (entry.service_type, entry.posting, entry.date) == ("job_referral", job, d("2026-09-10"))
    assert plan_of(graduate, "2026-09-10")["岗位推荐"][0] == 1


def test_an_expired_posting_is_not_recommended(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    with at("2026-09-10"):
        job = posting(county_clerk, valid_until=datetime.date(2026, 9, 10))
    with at("2026-09-11"), pytest.raises(ValidationError, match="已过有效期"):
        actions.recommend_posting(graduate=graduate, posting=job, acting_user=county_clerk)


def test_the_posting_form_answers_bad_input_in_chinese(client, county_clerk):
    client.force_login(county_clerk)
    data = {"employer": "某公司", "title": "文员", "location_text": "不存在县", "pay_min": "9000", "pay_max": "3000",
            "head_count": "1", "valid_until": "2027-01-01", "source": "key_enterprise", "majors_text": ""}  # fmt: skip
    page = client.post(reverse("services:postings"), data)
    body = page.content.decode()
    assert page.status_code == 400 and "本省没有区划“不存在县”" in body and "月薪上限不能低于下限" in body
    data.update(
        {"location_text": "城东区", "pay_min": "3000", "pay_max": "5000", "majors_text": "会计，财务管理"}
    )
    assert client.post(reverse("services:postings"), data).status_code == 302
    saved = JobPosting.objects.get()
    assert (saved.location_id, saved.majors, saved.office) == (
        "630102",
        ["会计", "财务管理"],
        county_clerk.office,
    )
    assert "会计、财务管理" in client.get(reverse("services:postings")).content.decode()


def test_each_prefecture_is_checked_for_a_weekly_professional_and_a_monthly_comprehensive_event(
    client, county_clerk, other_prefecture_clerk, province_admin
):
    with at("2026-11-20"):  # a Friday
        for user, day, kind in [
            (county_clerk, "2026-11-16", "professional"),  # 城东区 counts for 西宁
            (county_clerk, "2026-11-05", "comprehensive"),
            (other_prefecture_clerk, "2026-11-10", "professional"),
        ]:
            actions.create_event(
                event=RecruitmentEvent(name="招聘会", date=d(day), kind=kind, place="人才市场"),
                acting_user=user,
            )
        weeks, months, rows = event_coverage(weeks=2, months=2)
        client.force_login(province_admin)
        page = client.get(reverse("services:events"))
    assert weeks == [d("2026-11-09"), d("2026-11-16")] and months == [d("2026-10-01"), d("2026-11-01")]
    by_code = {r.code: (r.weeks, r.months) for r in rows}
    assert by_code["630100"] == ([0, 1], [0, 1])
    assert by_code["630200"] == ([1, 0], [0, 0])
    assert by_code["632200"] == ([0, 0], [0, 0])
    assert page.status_code == 200 and 'data-testid="coverage-630100"' in page.content.decode()


def test_an_event_needs_a_place_or_online(county_clerk):
    with at("2026-11-20"), pytest.raises(ValidationError, match="举办地点"):
        actions.create_event(
            event=RecruitmentEvent(name="招聘会", date=d("2026-11-20"), kind="professional"),
            acting_user=county_clerk,
        )


def test_everyone_who_attended_an_event_is_logged_in_one_step_linked_to_it(client, county_clerk, register):
    graduates = [registered(register, county_clerk, "2026-09-01", seq=seq) for seq in (101, 103, 105)]
    with at("2026-11-20"):
        event = actions.create_event(
            event=RecruitmentEvent(
                name="秋季专场招聘会", date=d("2026-11-18"), kind="professional", place="人才市场"
            ),
            acting_user=county_clerk,
        )
        client.force_login(county_clerk)
        page = client.get(reverse("services:bulk"), {"event": event.pk})
        assert "秋季专场招聘会" in page.content.decode()
        assert page.context["form"].initial["service_type"] == "recruitment"
        response = client.post(
            reverse("services:bulk") + f"?event={event.pk}",
            {"event": event.pk, "service_type": "recruitment", "date": "2026-11-18", "channel": "event",
             "content": event.name, "ids": [g.pk for g in graduates[:2]]},
        )  # fmt: skip
    assert response.status_code == 302
    entries = ServiceEntry.objects.filter(event=event)
    assert sorted(e.graduate_id for e in entries) == sorted(g.pk for g in graduates[:2])
    assert plan_of(graduates[0], "2026-11-20")["招聘活动"][0] == 1

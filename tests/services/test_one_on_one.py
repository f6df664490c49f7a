"""One-on-one help: hardship graduates get a named specialist, a written plan and follow-ups on a schedule."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import User
from services import actions
from services.codes import ServiceType
from services.models import OneOnOne
from services.selectors import follow_ups_due, hardship_without_specialist, one_on_one_of
from tests.services.test_plans import at, d, log, registered


@pytest.fixture
def hardship_graduate(county_clerk, register):
    return registered(register, county_clerk, "2026-09-01", hardship=["T"])  # 脱贫家庭


def test_a_hardship_graduate_without_a_specialist_is_listed_until_one_is_named(
    client, county_clerk, hardship_graduate, register
):
    registered(register, county_clerk, "2026-09-01", seq=102)  # not a hardship case
    assert [g["name"] for g in hardship_without_specialist(user=county_clerk)] == [hardship_graduate.name]
    client.force_login(county_clerk)
    with at("2026-09-02"):
        page = client.get(reverse("graduates:detail", args=[hardship_graduate.pk])).content.decode()
        assert 'data-testid="no-specialist"' in page
        response = client.post(
            reverse("services:specialist", args=[hardship_graduate.pk]),
            {"specialist": county_clerk.pk, "plan": "每月推荐岗位；\n联系公益性岗位", "follow_up_days": 14},
        )
    assert response.status_code == 302
    help_ = OneOnOne.objects.get(graduate=hardship_graduate)
    assert (help_.specialist, help_.plan, help_.started_on) == (
        county_clerk,
        "每月推荐岗位；\n联系公益性岗位",
        d("2026-09-02"),
    )
    assert hardship_without_specialist(user=county_clerk) == []


def test_follow_ups_fall_due_after_the_interval_from_the_latest_one_on_one_service(
    county_clerk, other_prefecture_clerk, hardship_graduate
):
    with at("2026-09-02"):
        actions.assign_specialist(graduate=hardship_graduate, specialist=county_clerk, plan="帮扶计划",
                                  follow_up_days=14, acting_user=county_clerk)  # fmt: skip
    assert one_on_one_of(hardship_graduate).next_follow_up == d("2026-09-16")
    assert follow_ups_due(user=county_clerk, as_of=d("2026-09-08")) == []
    assert [h.graduate_id for h in follow_ups_due(user=county_clerk, as_of=d("2026-09-09"))] == [
        hardship_graduate.pk
    ]
    with at("2026-09-20"):
        entry = log(county_clerk, hardship_graduate, ServiceType.ONE_ON_ONE, "2026-09-20", content="入户回访")
    assert one_on_one_of(hardship_graduate).next_follow_up == d("2026-10-04")
    with at("2026-09-21"):
        actions.void_service(entry=entry, reason="记错日期", acting_user=county_clerk)
    assert one_on_one_of(hardship_graduate).next_follow_up == d(
        "2026-09-16"
    )  # a voided visit is no follow-up
    assert follow_ups_due(user=other_prefecture_clerk, as_of=d("2026-12-31")) == []
    assert len(follow_ups_due(user=county_clerk, as_of=d("2026-12-31"), mine=True)) == 1


def test_only_hardship_graduates_and_only_the_offices_staff(county_clerk, other_prefecture_clerk, register,
                                                            hardship_graduate):  # fmt: skip
    plain = registered(register, county_clerk, "2026-09-01", seq=102)
    with pytest.raises(ValidationError, match="困难毕业生"):
        actions.assign_specialist(graduate=plain, specialist=county_clerk, plan="计划", follow_up_days=30,
                                  acting_user=county_clerk)  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        actions.assign_specialist(graduate=hardship_graduate, specialist=other_prefecture_clerk, plan=" ",
                                  follow_up_days=500, acting_user=county_clerk)  # fmt: skip
    assert set(caught.value.message_dict) == {"specialist", "plan", "follow_up_days"}
    with pytest.raises(ValidationError, match="不在本单位的服务范围内"):
        actions.assign_specialist(graduate=hardship_graduate, specialist=other_prefecture_clerk, plan="计划",
                                  follow_up_days=30, acting_user=other_prefecture_clerk)  # fmt: skip


def test_the_worklist_shows_follow_ups_and_graduates_without_a_specialist(
    client, county_clerk, hardship_graduate
):
    client.force_login(county_clerk)
    with at("2026-09-02"):
        page = client.get(reverse("services:plans"))
    assert [g["id"] for g in page.context["without_specialist"]] == [hardship_graduate.pk]
    assert hardship_graduate.id_number not in page.content.decode()
    colleague = User.objects.create_user(username="cd2", password="x", office=county_clerk.office,
                                         role=county_clerk.role)  # fmt: skip
    with at("2026-09-02"):
        actions.assign_specialist(graduate=hardship_graduate, specialist=colleague, plan="计划", follow_up_days=3,
                                  acting_user=county_clerk)  # fmt: skip
        page = client.get(reverse("services:plans"))
        assert [h.graduate_id for h in page.context["follow_ups"]] == [hardship_graduate.pk]
        assert client.get(reverse("services:plans"), {"mine": "on"}).context["follow_ups"] == []

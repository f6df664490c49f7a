"""The record's forms: the edit form's version (required; a stale form shows the other clerk's change), state changes."""

import re

import pytest
from django.urls import reverse

from graduates import actions
from graduates.models import Graduate
from tests.factories import unsaved_graduate
from tests.graduates.test_pages import form_data


@pytest.fixture
def graduate(county_clerk):
    return actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)


def edit_data(graduate, **overrides):
    values = {
        "name": graduate.name,
        "ethnicity": graduate.ethnicity,
        "id_number": graduate.id_number,
        "mobile": graduate.mobile,
        "major": graduate.major,
        "service_needs": graduate.service_needs,
        "university": "",
        **overrides,
    }
    return form_data(**values)


def other_clerk_changes(graduate, user, **values):
    fresh = Graduate.objects.get(pk=graduate.pk)
    for k, v in values.items():
        setattr(fresh, k, v)
    actions.update_graduate(graduate=fresh, acting_user=user, expected_version=fresh.version)


def test_an_edit_without_version_is_refused(client, county_clerk, graduate):
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:edit", args=[graduate.pk]), edit_data(graduate, major="法学"))
    assert response.status_code == 400
    assert "表单缺少版本信息" in response.content.decode()
    assert Graduate.objects.get(pk=graduate.pk).major == "计算机科学与技术"


@pytest.mark.parametrize("bad", ["abc", "0", "-5", "99999999999999", "1\x00"])
def test_a_bad_version_is_refused_not_a_500(client, county_clerk, graduate, bad):
    client.force_login(county_clerk)
    data = edit_data(graduate, major="法学", version=bad)
    response = client.post(reverse("graduates:edit", args=[graduate.pk]), data)
    assert response.status_code == 400
    assert Graduate.objects.get(pk=graduate.pk).major == "计算机科学与技术"


def test_a_stale_form_is_refused_showing_the_other_clerks_change(
    client, county_clerk, prefecture_clerk, graduate
):
    client.force_login(county_clerk)
    page = client.get(reverse("graduates:edit", args=[graduate.pk])).content.decode()
    assert re.search(r'name="version" value="1"', page)
    other_clerk_changes(graduate, prefecture_clerk, major="软件工程")  # the 西宁 clerk saves first

    response = client.post(
        reverse("graduates:edit", args=[graduate.pk]), edit_data(graduate, mobile="13900000009", version=1)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "这条记录已被他人修改" in page
    assert "演示·西宁市经办员" in page and "所学专业：计算机科学与技术 → 软件工程" in page
    graduate.refresh_from_db()
    assert (graduate.major, graduate.mobile) == ("软件工程", "13800000001")  # nothing of ours saved
    # The form now carries their major (we left it alone), our mobile, and the current version: saving again
    # keeps both changes.
    form = response.context["form"]
    assert form["major"].value() == "软件工程" and form["mobile"].value() == "13900000009"
    assert str(form["version"].value()) == "2"
    data = edit_data(graduate, major="软件工程", mobile="13900000009", version=2)
    assert client.post(reverse("graduates:edit", args=[graduate.pk]), data).status_code == 302
    graduate.refresh_from_db()
    assert (graduate.major, graduate.mobile) == ("软件工程", "13900000009")


def test_a_field_both_changed_is_marked_for_the_user(client, county_clerk, prefecture_clerk, graduate):
    other_clerk_changes(graduate, prefecture_clerk, major="软件工程")
    client.force_login(county_clerk)
    response = client.post(
        reverse("graduates:edit", args=[graduate.pk]), edit_data(graduate, major="法学", version=1)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "他人已将此项由“计算机科学与技术”改为“软件工程”" in page
    assert response.context["form"]["major"].value() == "法学"
    assert Graduate.objects.get(pk=graduate.pk).major == "软件工程"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_state": "transferred"}, "不能从“待联系”直接变更为“已转出”"),
        ({"to_state": "flying"}, "没有这种状态"),
        ({}, "请选择要变更的状态"),
        ({"to_state": "verified", "note": "长" * 201}, "说明不能超过 200 个字"),
        ({"to_state": "verified", "note": "a\x00b"}, "不能包含空字符"),
    ],
)
def test_a_refused_state_change_says_why(client, county_clerk, graduate, data, message):
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:state", args=[graduate.pk]), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Graduate.objects.get(pk=graduate.pk).state == "waiting"

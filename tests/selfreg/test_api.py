"""POST /api/v1/self-registrations/: the registry's checks and messages, one answer for everyone, a lead on the
right office's worklist due in one working day, a hand-edited field never overwritten, the limits."""

import datetime
import logging
import time

import pytest
import time_machine
from django.test import Client

from core.models import Office
from graduates.actions import create_graduate, update_graduate
from graduates.models import Graduate, GraduateSource, SelfRegistration
from graduates.selfreg.tokens import issue_form_token
from tests.factories import make_id_number, unsaved_graduate, wrong_check_digit

from .conftest import ANSWER, URL, payload

pytestmark = pytest.mark.django_db


def office(region: str) -> Office:
    return Office.objects.employment_offices().get(region_id=region)


def worklist_of(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/graduates/self-registrations/")
    assert response.status_code == 200
    return response.content.decode()


# --- 400: the field and its Chinese message --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": wrong_check_digit(make_id_number("630102", "20030415", 517))}, "id_number",
         "公民身份号码校验码错误：最后一位应为 {digit}，请核对号码。"),
        ({"id_number": "6301022003"}, "id_number", "公民身份号码应为 18 位，现为 10 位。"),
        ({"name": ""}, "name", "请填写姓名。"),
        ({"name": "张" * 51}, "name", "姓名不能超过 50 个字符。"),
        ({"mobile": "2391234567"}, "mobile", "手机号码应为以 1 开头的 11 位数字。"),
        ({"mobile": ""}, "mobile", "请填写手机号码。"),
        ({"email": "not-an-address"}, "email", "电子邮箱格式不正确。"),
        ({"graduation_date": "2026/06/30"}, "graduation_date", "毕业日期应为 YYYY-MM-DD 格式，如 2026-06-30。"),
        ({"education": ""}, "education", "请选择学历。"),
        ({"graduation_date": ""}, "graduation_date", "请填写毕业日期。"),
        ({"education": "6"}, "education",
         "学历代码应为 1–5（1 博士研究生，2 硕士研究生，3 大学本科，4 大学专科，5 其他）。"),
        ({"origin_region": "63010"}, "origin_region", "入学前户口所在地应为 6 位行政区划代码。"),
        ({"origin_region": "639999"}, "origin_region", "行政区划代码 639999 不存在。"),
        ({"intentions": []}, "intentions", "请至少选择一项就业意向。"),
        ({"intentions": "3"}, "intentions", '就业意向应为代码列表，如 ["3"]。'),
        ({"intentions": ["Z"]}, "intentions", "就业意向代码“Z”不存在。"),
        ({"intentions": ["9"], "service_needs": ["2"]}, "service_needs",
         "就业意向为“自愿暂时不就业”时，不填写就业服务需求。"),
        ({"service_needs": ["2"] * 11}, "service_needs", "就业服务需求最多 10 项。"),
        ({"office": "630199"}, "office", "该地区没有可选的就业服务机构，请重新选择。"),
        ({"consent": False}, "consent", "请阅读并同意个人信息处理说明。"),
        ({"major": "x\x00y"}, "major", "所学专业不能包含空字符（NUL）。"),
    ],
)  # fmt: skip
def test_a_wrong_field_is_answered_with_its_chinese_message(demo_province, post, overrides, field, message):
    if "{digit}" in message:
        message = message.format(digit=make_id_number("630102", "20030415", 517)[-1])
    response = post(payload(**overrides))
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Graduate.objects.exists()
    assert not SelfRegistration.objects.exists()


def test_several_wrong_fields_are_all_named(demo_province, post):
    data = payload(education="0", mobile="123")
    del data["name"]
    response = post(data)
    assert response.status_code == 400
    assert set(response.json()) == {"name", "education", "mobile"}


def test_a_body_that_is_not_a_json_object_is_a_400_in_chinese(demo_province, client):
    response = client.post(URL, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["请求内容应为 JSON 对象。"]}
    response = client.post(URL, data="{", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["请求内容不是有效的 JSON。"]}


def test_an_oversized_body_is_refused(demo_province, post):
    response = post(payload(major="长" * 20_000))
    assert response.status_code == 413
    assert response.json() == {"detail": "提交的内容过大。"}


# --- 202: the same answer, new person or not -------------------------------------------------------------------------


def test_a_new_person_is_registered_with_source_and_provenance(demo_province, post):
    response = post(payload(email="Test@Example.com"))
    assert response.status_code == 202
    assert response.json() == ANSWER
    graduate = Graduate.objects.get()
    assert graduate.sources == ["self"]
    assert graduate.state == "waiting"
    assert (graduate.gender, graduate.birth_date) == ("1", datetime.date(2003, 4, 15))  # from the ID number
    assert graduate.email == "test@example.com"  # the registry's canonical form
    assert graduate.cohort == 2026 and graduate.intentions == ["3"] and graduate.service_needs == ["2", "3"]
    assert graduate.university == Office.objects.get(name="青海大学")
    source = GraduateSource.objects.get(graduate=graduate)
    assert source.channel == "self" and source.reference.startswith("本人登记 ")
    created = graduate.changes.get()
    assert created.kind == "created" and created.actor is None and created.note == "本人登记"


def test_an_existing_person_gets_the_same_answer_and_no_second_record(demo_province, county_clerk, post):
    existing = create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number("630102", "20030415", 517)),
        acting_user=county_clerk,
    )
    first = post(payload())
    new_person = post(payload(id_number=make_id_number("630102", "20030415", 519)))
    assert first.status_code == new_person.status_code == 202
    assert first.content == new_person.content  # no enumeration: the body says nothing about the register
    assert Graduate.objects.with_id_number(existing.id_number).count() == 1
    existing.refresh_from_db()
    assert existing.sources == ["self", "walk_in"]
    lead = SelfRegistration.objects.get(graduate=existing)
    assert not lead.created_record
    assert lead.office == existing.responsible_office == county_clerk.office  # the office holding the record
    assert SelfRegistration.objects.get(
        graduate__in=Graduate.objects.with_id_number(make_id_number("630102", "20030415", 519))
    ).created_record


def test_a_field_the_office_changed_by_hand_becomes_a_conflict_not_an_overwrite(
    demo_province, county_clerk, post
):
    graduate = create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number("630102", "20030415", 517), major="软件工程"),
        acting_user=county_clerk,
    )
    graduate.mobile = "13800009999"  # the office called and corrected the number
    update_graduate(graduate=graduate, acting_user=county_clerk, expected_version=graduate.version)

    response = post(payload(mobile="13912345678", major="计算机科学与技术"))

    assert response.status_code == 202 and response.json() == ANSWER
    graduate.refresh_from_db()
    assert graduate.mobile == "13800009999"  # the office's value stays
    assert (
        graduate.major == "计算机科学与技术"
    )  # a field nobody edited by hand takes the graduate's own value
    lead = SelfRegistration.objects.get(graduate=graduate)
    assert lead.conflicts == [
        {"field": "mobile", "label": "手机号码", "office_value": "13800009999", "self_value": "13912345678"}
    ]
    page = worklist_of(county_clerk)
    assert "手机号码" in page and "经办填写“13800009999”，本人填写“13912345678”" in page

    client = Client()
    client.force_login(county_clerk)
    response = client.post(
        f"/graduates/self-registrations/{lead.pk}/conflict/", {"field": "mobile", "decision": "accept"}
    )
    assert response.status_code == 302
    graduate.refresh_from_db()
    lead.refresh_from_db()
    assert graduate.mobile == "13912345678" and lead.conflicts == []
    assert graduate.changes.filter(kind="updated", actor=county_clerk, changes__has_key="mobile").count() == 2


def test_an_unreachable_graduate_with_a_new_mobile_is_waiting_again(demo_province, county_clerk, post):
    from graduates.actions import mark_unreachable

    graduate = create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number("630102", "20030415", 517)),
        acting_user=county_clerk,
    )
    mark_unreachable(graduates=Graduate.objects.filter(pk=graduate.pk), acting_user=county_clerk)
    assert post(payload(mobile="13912340000")).status_code == 202
    graduate.refresh_from_db()
    assert (graduate.state, graduate.mobile) == ("waiting", "13912340000")


# --- the lead: the right office's worklist, one working day ----------------------------------------------------------


def test_the_lead_lands_on_the_origin_offices_worklist_and_nobody_elses(
    demo_province, prefecture_clerk, other_prefecture_clerk, post
):
    assert post(payload(name="西宁登记")).status_code == 202
    lead = SelfRegistration.objects.get()
    assert lead.office == office("630100")  # 城东区 is in 西宁市: the handover goes to the prefecture
    assert "西宁登记" in worklist_of(prefecture_clerk)
    assert "西宁登记" not in worklist_of(other_prefecture_clerk)


def test_the_office_the_graduate_chose_gets_the_lead(demo_province, county_clerk, post):
    assert post(payload(name="城东登记", office="630102")).status_code == 202
    lead = SelfRegistration.objects.get()
    assert lead.office == lead.requested_office == county_clerk.office
    assert "城东登记" in worklist_of(county_clerk)


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        ("2026-12-04 16:30", datetime.date(2026, 12, 7)),  # Friday → Monday
        ("2026-12-05 10:00", datetime.date(2026, 12, 7)),  # Saturday → Monday
        ("2026-09-30 11:00", datetime.date(2026, 10, 8)),  # before the National Day holiday → after it
        (
            "2026-10-09 09:00",
            datetime.date(2026, 10, 10),
        ),  # Friday → Saturday 10 October, a make-up working day
        ("2026-12-01 09:00", datetime.date(2026, 12, 2)),  # Tuesday → Wednesday
    ],
)
def test_the_contact_deadline_is_one_working_day(demo_province, post, submitted, due):
    at = datetime.datetime.fromisoformat(submitted).replace(
        tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    with time_machine.travel(at, tick=False):
        assert post(payload(form_token=issue_form_token(at=time.time() - 60))).status_code == 202
    assert SelfRegistration.objects.get().due_on == due


def test_the_office_sees_overdue_then_due_self_registrations_first(demo_province, prefecture_clerk, post):
    tz = datetime.timezone(datetime.timedelta(hours=8))
    for name, day, seq in [("新近登记", "2026-12-03", 521), ("逾期登记", "2026-11-30", 523)]:
        with time_machine.travel(
            datetime.datetime.fromisoformat(f"{day} 10:00").replace(tzinfo=tz), tick=False
        ):
            data = payload(name=name, id_number=make_id_number("630102", "20030415", seq))
            assert post(data, ip=f"127.0.0.{seq % 200}").status_code == 202
    with time_machine.travel(datetime.datetime(2026, 12, 4, 9, tzinfo=tz), tick=False):
        page = worklist_of(prefecture_clerk)
    assert page.index("逾期登记") < page.index("新近登记")
    assert "逾期" in page
    client = Client()
    client.force_login(prefecture_clerk)
    home = client.get("/").content.decode()
    assert "待联系的本人登记" in home


def test_marking_contacted_takes_the_lead_off_the_worklist(demo_province, prefecture_clerk, post):
    assert post(payload(name="已联系登记")).status_code == 202
    lead = SelfRegistration.objects.get()
    client = Client()
    client.force_login(prefecture_clerk)
    response = client.post(
        f"/graduates/self-registrations/{lead.pk}/contacted/", {"note": "电话联系，下周来窗口"}
    )
    assert response.status_code == 302
    assert "已联系登记" not in worklist_of(prefecture_clerk)
    lead.refresh_from_db()
    assert lead.status == "contacted" and lead.contacted_by == prefecture_clerk


def test_another_offices_lead_cannot_be_touched(demo_province, other_prefecture_clerk, post):
    assert post(payload()).status_code == 202
    lead = SelfRegistration.objects.get()
    client = Client()
    client.force_login(other_prefecture_clerk)
    assert client.post(f"/graduates/self-registrations/{lead.pk}/contacted/").status_code == 404
    lead.refresh_from_db()
    assert lead.status == "open"


# --- the limits and the anti-automation --------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_are_refused_in_chinese(demo_province, post, settings):
    settings.SELF_REGISTRATION_RATES = {"ip": "3/hour", "id_number": "100/day"}
    for seq in (531, 533, 535):
        assert post(payload(id_number=make_id_number("630102", "20030415", seq))).status_code == 202
    refused = post(payload(id_number=make_id_number("630102", "20030415", 537)))
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("提交过于频繁，请")
    assert int(refused["Retry-After"]) > 0
    other_address = post(payload(id_number=make_id_number("630102", "20030415", 537)), ip="127.0.0.99")
    assert other_address.status_code == 202
    assert SelfRegistration.objects.count() == 4


def test_too_many_requests_for_one_id_number_are_refused_from_any_address(demo_province, post, settings):
    settings.SELF_REGISTRATION_RATES = {"ip": "100/hour", "id_number": "2/day"}
    assert post(payload(), ip="127.0.0.21").status_code == 202
    assert post(payload(), ip="127.0.0.22").status_code == 202
    refused = post(payload(), ip="127.0.0.23")
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.json()["detail"]
    assert (
        post(payload(id_number=make_id_number("630102", "20030415", 539)), ip="127.0.0.23").status_code == 202
    )
    assert SelfRegistration.objects.count() == 3


def test_a_filled_honeypot_is_answered_alike_and_stores_nothing(demo_province, post):
    response = post(payload(website="http://spam.example"))
    assert response.status_code == 202 and response.json() == ANSWER
    assert not Graduate.objects.exists() and not SelfRegistration.objects.exists()


def test_a_form_filled_too_fast_is_refused(demo_province, post):
    response = post(payload(form_token=issue_form_token()))
    assert response.status_code == 400
    assert response.json() == {"form_token": ["提交过快，请核对填写的内容后再提交。"]}
    assert not Graduate.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["", "forged", issue_form_token(at=time.time() - 3 * 24 * 3600)],
    ids=["missing", "forged", "stale"],  # the same ids in every xdist worker (the stale token holds the time)
)
def test_a_missing_forged_or_stale_form_token_is_refused(demo_province, post, token):
    response = post(payload(form_token=token))
    assert response.status_code == 400
    assert response.json() == {"form_token": ["页面已过期，请刷新页面后重新提交。"]}


def test_the_form_token_comes_from_get(demo_province, client):
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response.json()) == {"form_token", "min_fill_seconds"}


def test_json_clients_need_no_csrf_token(demo_province):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, data=payload(), content_type="application/json")
    assert response.status_code == 202


def test_no_personal_data_is_logged(demo_province, post, caplog):
    data = payload(id_number=wrong_check_digit(make_id_number("630102", "20030415", 541)))
    with caplog.at_level(logging.DEBUG):
        post(data)
        post(payload())
    text = caplog.text
    for value in (data["id_number"], payload()["id_number"], "测试登记", "13912345678"):
        assert value not in text

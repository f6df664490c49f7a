"""The service pages as a clerk uses them: the record page's quick form and timeline, the bulk page, the log."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from services import actions
from services.codes import Channel, ServiceType
from services.models import ServiceEntry


def _post(client, graduate, **overrides):
    data = {
        "service_type": ServiceType.GUIDANCE,
        "date": timezone.localdate().isoformat(),
        "channel": Channel.WINDOW,
        "content": "简历修改与面试指导",
        "outcome": "已完成",
    }
    data.update(overrides)
    return client.post(reverse("services:record", args=[graduate.pk]), data, follow=True)


def test_clerk_logs_a_service_from_the_record_page_in_one_step(client, county_clerk, graduate):
    client.force_login(county_clerk)
    page = client.get(reverse("graduates:detail", args=[graduate.pk])).content.decode()
    assert 'data-testid="service-form"' in page
    response = _post(client, graduate)
    assert response.redirect_chain == [(reverse("graduates:detail", args=[graduate.pk]), 302)]
    text = response.content.decode()
    assert "已记录服务：职业指导" in text
    entry = ServiceEntry.objects.get()
    assert (entry.service_type, entry.staff, entry.content) == (
        "guidance",
        county_clerk,
        "简历修改与面试指导",
    )
    assert f"服务：职业指导 {entry.date:%Y-%m-%d}" in text  # on the timeline


def test_a_refused_service_comes_back_to_the_record_with_the_reason(client, county_clerk, graduate):
    client.force_login(county_clerk)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    text = _post(client, graduate, date=tomorrow.isoformat()).content.decode()
    assert "未记录服务" in text and "晚于今天" in text
    text = _post(client, graduate, service_type="bogus", content="x" * 501).content.decode()
    assert "请选择列表中的服务类型" in text and "最多 500 个字" in text
    text = _post(client, graduate, content="a\x00b").content.decode()
    assert "空字符" in text
    assert ServiceEntry.objects.count() == 0


def test_out_of_scope_record_answers_404_to_the_service_form(client, other_prefecture_clerk, graduate):
    client.force_login(other_prefecture_clerk)
    assert _post(client, graduate).status_code == 404
    missing = client.post(reverse("services:record", args=[999_999_999]), {})
    assert missing.status_code == 404
    assert ServiceEntry.objects.count() == 0


def test_university_staff_see_no_service_form_and_cannot_post_one(client, university_clerk, graduate):
    client.force_login(university_clerk)
    assert client.post(reverse("services:record", args=[graduate.pk]), {}).status_code == 403
    assert client.get(reverse("services:log")).status_code == 403


def test_void_is_struck_through_on_the_record_timeline(client, county_clerk, graduate):
    entry = actions.log_service(
        graduate=graduate,
        service_type=ServiceType.JOB_REFERRAL,
        date=timezone.localdate(),
        channel=Channel.PHONE,
        content="推荐出纳岗位",
        acting_user=county_clerk,
    )
    client.force_login(county_clerk)
    response = client.post(reverse("services:void", args=[entry.pk]), {"reason": "录错了人"}, follow=True)
    text = response.content.decode()
    assert "已作废服务记录" in text
    voided = re.search(r'<li class="timeline-service-voided">(.*?)</li>', text, re.S)
    assert voided is not None and "岗位推荐" in voided.group(1) and "（已作废）" in voided.group(1)
    stylesheet = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert ".timeline-service-voided > div { text-decoration: line-through;" in stylesheet
    assert "作废原因：录错了人" in text
    again = client.post(reverse("services:void", args=[entry.pk]), {"reason": "再来"}, follow=True)
    assert "不能再次作废" in again.content.decode()
    empty = client.post(reverse("services:void", args=[entry.pk]), {"reason": ""}, follow=True)
    assert "请填写作废原因" in empty.content.decode()


def test_another_prefecture_cannot_void(client, county_clerk, other_prefecture_clerk, graduate):
    entry = actions.log_service(
        graduate=graduate,
        service_type=ServiceType.POLICY,
        date=timezone.localdate(),
        channel=Channel.WINDOW,
        acting_user=county_clerk,
    )
    client.force_login(other_prefecture_clerk)
    assert client.post(reverse("services:void", args=[entry.pk]), {"reason": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.voided_at is None


def test_bulk_page_logs_ticked_and_pasted_graduates_once_each(client, county_clerk, register):
    graduates = [register(county_clerk, seq=seq) for seq in (11, 13, 15)]
    client.force_login(county_clerk)
    page = client.get(reverse("services:bulk"))
    assert page.status_code == 200
    text = page.content.decode()
    assert graduates[0].id_number not in text  # masked in the list
    response = client.post(
        reverse("services:bulk"),
        {
            "ids": [graduates[0].pk, graduates[1].pk],
            "id_numbers": f"{graduates[1].id_number}\n{graduates[2].id_number.lower()}",
            "service_type": ServiceType.RECRUITMENT,
            "date": timezone.localdate().isoformat(),
            "channel": Channel.EVENT,
            "content": "秋季综合性招聘会",
        },
    )
    assert response.status_code == 302
    assert graduates[0].id_number not in response["Location"]
    assert sorted(ServiceEntry.objects.values_list("graduate_id", flat=True)) == sorted(
        g.pk for g in graduates
    )
    log = client.get(response["Location"]).content.decode()
    assert "已为 3 名毕业生记录服务：招聘活动" in log


def test_bulk_page_pasted_number_outside_the_scope_logs_nobody_and_reveals_nothing(
    client, prefecture_clerk, graduate, haidong_graduate
):
    from tests.factories import make_id_number

    client.force_login(prefecture_clerk)
    data = {
        "service_type": ServiceType.POLICY,
        "date": timezone.localdate().isoformat(),
        "channel": Channel.WINDOW,
    }
    elsewhere = client.post(
        reverse("services:bulk"), {**data, "id_numbers": f"{graduate.id_number} {haidong_graduate.id_number}"}
    )
    unknown = make_id_number(seq=999)
    nowhere = client.post(reverse("services:bulk"), {**data, "id_numbers": f"{graduate.id_number} {unknown}"})
    assert elsewhere.status_code == nowhere.status_code == 400
    first = re.search(r'data-testid="id-number-errors">([^<]*)<', elsewhere.content.decode()).group(1)
    second = re.search(r'data-testid="id-number-errors">([^<]*)<', nowhere.content.decode()).group(1)
    assert "不在本单位的服务范围内（或尚未登记）" in first
    assert first.replace(haidong_graduate.id_number[-4:], "") != ""  # the message only differs by the number
    assert re.sub(r"\d{6}\*+\d{3}[\dX]", "N", first) == re.sub(r"\d{6}\*+\d{3}[\dX]", "N", second)
    ticked = client.post(reverse("services:bulk"), {**data, "ids": [graduate.pk, haidong_graduate.pk]})
    assert ticked.status_code == 400 and "有 1 名不在本单位的服务范围内" in ticked.content.decode()
    assert ServiceEntry.objects.count() == 0


def test_bulk_page_refuses_junk_in_chinese(client, county_clerk, graduate):
    client.force_login(county_clerk)
    response = client.post(
        reverse("services:bulk"),
        {"id_numbers": "12345 hello", "service_type": "x", "date": "2026-13-45", "channel": ""},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "不是 18 位公民身份号码" in text and "服务日期格式不对" in text and "请选择服务方式" in text


@pytest.fixture
def logged(county_clerk, prefecture_clerk, graduate, register):
    other = register(county_clerk, seq=21)
    today = timezone.localdate()
    entries = [
        actions.log_service(
            graduate=graduate,
            service_type=ServiceType.JOB_REFERRAL,
            date=today - datetime.timedelta(days=10),
            channel=Channel.PHONE,
            acting_user=county_clerk,
        ),
        actions.log_service(
            graduate=other,
            service_type=ServiceType.POLICY,
            date=today,
            channel=Channel.WINDOW,
            acting_user=prefecture_clerk,
        ),
    ]
    actions.void_service(entry=entries[0], reason="重复录入", acting_user=county_clerk)
    return entries


def test_log_lists_the_offices_services_with_filters_in_the_url_and_masked_ids(
    client, prefecture_clerk, graduate, logged, django_assert_max_num_queries
):
    client.force_login(prefecture_clerk)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("services:log"))
    text = page.content.decode()
    assert page.status_code == 200 and "共 <strong>2</strong> 条服务记录" in text
    assert graduate.id_number not in text and graduate.id_number[-4:] in text
    assert "text-decoration-line-through" in text  # the voided one
    only_policy = client.get(reverse("services:log"), {"service_type": "policy"}).content.decode()
    assert "共 <strong>1</strong> 条" in only_policy
    voided = client.get(reverse("services:log"), {"voided": "yes"}).content.decode()
    assert "共 <strong>1</strong> 条" in voided and "重复录入" in voided
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    recent = client.get(reverse("services:log"), {"date_from": since, "channel": "window"}).content.decode()
    assert "共 <strong>1</strong> 条" in recent
    by_staff = client.get(reverse("services:log"), {"staff": logged[0].staff_id}).content.decode()
    assert "共 <strong>1</strong> 条" in by_staff


def test_log_filters_refuse_junk_in_chinese_without_a_500(client, county_clerk, logged):
    client.force_login(county_clerk)
    response = client.get(
        reverse("services:log"),
        {
            "service_type": "x" * 300,
            "date_from": "2026-99-01",
            "staff": "abc",
            "voided": "maybe",
            "page": "9" * 40,
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "筛选条件有误" in text and "日期格式不对" in text


def test_another_prefecture_sees_none_of_these_services(client, other_prefecture_clerk, logged):
    client.force_login(other_prefecture_clerk)
    assert "共 <strong>0</strong> 条" in client.get(reverse("services:log")).content.decode()


def test_bulk_audit_names_each_entry(county_clerk, register):
    graduates = [register(county_clerk, seq=seq) for seq in (31, 33)]
    result = actions.log_service_bulk(
        graduate_ids=[g.pk for g in graduates],
        service_type=ServiceType.TRAINING,
        date=timezone.localdate(),
        channel=Channel.EVENT,
        acting_user=county_clerk,
    )
    # Graduates and entries may share ids (fresh sequences): the audit rows are the entries' own.
    logged = AuditEvent.objects.filter(
        action="services.logged", object_id__in=[str(i) for i in result.entry_ids]
    )
    assert logged.count() == 2


def test_bulk_page_lists_by_the_registrys_filters_but_never_searches_an_id_number_from_the_url(
    client, county_clerk, register
):
    first = register(county_clerk, seq=41, name="甲某某")
    register(county_clerk, seq=43, name="乙某某")
    client.force_login(county_clerk)
    by_name = client.get(reverse("services:bulk"), {"q": "甲"}).content.decode()
    assert f'value="{first.pk}"' in by_name and "乙某某" not in by_name
    by_number = client.get(reverse("services:bulk"), {"q": first.id_number}).content.decode()
    assert "乙某某" in by_number  # the number was dropped, not searched


def test_admin_lists_services_read_only(client, province_admin, logged):
    client.force_login(province_admin)
    changelist = client.get(reverse("admin:services_serviceentry_changelist"))
    assert changelist.status_code == 200
    assert client.get(reverse("admin:services_serviceentry_add")).status_code == 403
    page = client.get(reverse("admin:services_serviceentry_change", args=[logged[0].pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()

"""The service log's actions, called as the pages, the ledger and the command call them."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent
from services import actions
from services.codes import SERVICE_TYPE_VARIANTS, Channel, ServiceType, service_type_from_text
from services.models import ServiceEntry

TODAY = datetime.date(2026, 9, 15)


def _log(user, graduate, **overrides):
    values = {
        "graduate": graduate,
        "service_type": ServiceType.JOB_REFERRAL,
        "date": timezone.localdate(),
        "channel": Channel.PHONE,
        "content": "推荐某公司会计岗位",
        "outcome": "已投递简历",
        "acting_user": user,
    }
    values.update(overrides)
    return actions.log_service(**values)


def test_service_types_carry_the_notices_labels_exactly():
    assert ServiceType.labels == [
        "求职登记", "失业登记", "政策咨询", "职业指导", "岗位推荐", "招聘活动", "就业见习", "职业培训",
        "职业技能鉴定", "创业指导", "创业培训", "创业担保贷款", "档案托管", "公益性岗位", "一对一帮扶",
    ]  # fmt: skip
    assert Channel.labels == ["窗口", "电话", "网络/微信", "入户", "活动现场"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("职业介绍", ServiceType.JOB_REFERRAL),
        ("岗位信息", ServiceType.JOB_REFERRAL),
        ("岗位推介", ServiceType.JOB_REFERRAL),
        ("招聘会", ServiceType.RECRUITMENT),
        ("参加招聘活动", ServiceType.RECRUITMENT),
        ("技能培训", ServiceType.TRAINING),
        ("就业援助", ServiceType.ONE_ON_ONE),
        (" 岗位 推荐 ", ServiceType.JOB_REFERRAL),
        ("一对一帮扶", ServiceType.ONE_ON_ONE),
        ("外出旅游", None),
    ],
)
def test_ledger_variants_read_as_their_service_type(text, expected):
    assert service_type_from_text(text) == expected
    assert set(SERVICE_TYPE_VARIANTS.values()) <= set(ServiceType.values)


def test_county_clerk_logs_a_service_with_its_audit_row(county_clerk, graduate):
    entry = _log(county_clerk, graduate)
    assert entry.office == county_clerk.office
    assert entry.staff == county_clerk and entry.created_by == county_clerk
    assert entry.get_service_type_display() == "岗位推荐"
    audit = AuditEvent.objects.get(action="services.logged", object_id=str(entry.pk))
    assert audit.actor == county_clerk
    assert audit.data == {"graduate": graduate.pk, "type": "job_referral"}


def test_prefecture_and_bureau_log_for_graduates_of_their_subtree(prefecture_clerk, province_admin, graduate):
    assert _log(prefecture_clerk, graduate).office == prefecture_clerk.office
    assert _log(province_admin, graduate).office == province_admin.office


@time_machine.travel(datetime.datetime(2026, 9, 15, 23, 30, tzinfo=datetime.UTC))  # 16 Sep 07:30 in Beijing
def test_a_future_date_is_refused_by_the_beijing_calendar(county_clerk, graduate):
    assert _log(county_clerk, graduate, date=datetime.date(2026, 9, 16)).date == datetime.date(2026, 9, 16)
    with pytest.raises(ValidationError) as exc:
        _log(county_clerk, graduate, date=datetime.date(2026, 9, 17))
    assert "晚于今天（2026-09-16）" in exc.value.message_dict["date"][0]
    assert ServiceEntry.objects.count() == 1


def test_graduate_outside_the_scope_is_refused_like_one_that_does_not_exist(
    prefecture_clerk, haidong_graduate, graduate
):
    with pytest.raises(ValidationError) as elsewhere:
        _log(prefecture_clerk, haidong_graduate)
    graduate.pk = 999_999_999  # no such record anywhere
    with pytest.raises(ValidationError) as nowhere:
        _log(prefecture_clerk, graduate)
    assert elsewhere.value.messages == nowhere.value.messages == [actions.MSG_OUT_OF_SCOPE]
    assert ServiceEntry.objects.count() == 0


@pytest.mark.parametrize("persona", ["university_clerk", "education_clerk"])
def test_only_employment_office_staff_log_services(request, persona, graduate):
    with pytest.raises(PermissionDenied):
        _log(request.getfixturevalue(persona), graduate)


def test_every_field_is_bounded_and_answered_in_chinese(county_clerk, graduate):
    with pytest.raises(ValidationError) as exc:
        _log(
            county_clerk,
            graduate,
            service_type="nonsense",
            channel="fax",
            content="长" * 501,
            outcome="a\x00b",
        )
    errors = exc.value.message_dict
    assert errors["service_type"] == ["请选择服务类型。"]
    assert errors["channel"] == ["请选择服务方式。"]
    assert "最多 500 个字" in errors["content"][0]
    assert "控制字符" in errors["outcome"][0]


def test_void_keeps_the_entry_with_who_when_why_and_refuses_a_second_void(
    county_clerk, prefecture_clerk, graduate
):
    entry = _log(county_clerk, graduate)
    with pytest.raises(ValidationError):
        actions.void_service(entry=entry, reason="   ", acting_user=county_clerk)
    voided = actions.void_service(entry=entry, reason="录错了毕业生", acting_user=county_clerk)
    assert voided.voided_by == county_clerk and voided.void_reason == "录错了毕业生"
    assert ServiceEntry.objects.active().count() == 0 and ServiceEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="services.voided", object_id=str(entry.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        actions.void_service(entry=entry, reason="再作废一次", acting_user=prefecture_clerk)
    assert "不能再次作废" in exc.value.messages[0]
    entry.refresh_from_db()
    assert entry.void_reason == "录错了毕业生"


def test_another_prefecture_cannot_void_an_entry(county_clerk, other_prefecture_clerk, graduate):
    entry = _log(county_clerk, graduate)
    with pytest.raises(ValidationError) as exc:
        actions.void_service(entry=entry, reason="试试", acting_user=other_prefecture_clerk)
    assert exc.value.messages == ["没有找到该服务记录。"]
    entry.refresh_from_db()
    assert entry.voided_at is None


def test_bulk_logs_one_service_for_everyone_who_attended_in_one_statement(
    county_clerk, register, django_assert_max_num_queries
):
    graduates = [register(county_clerk, seq=seq) for seq in range(11, 41, 2)]
    # The entries and their audit in one statement, plus three to refresh the graduates' kept obligations (the
    # active standard, the graduates' locks, one upsert): the same for 15 graduates as for one.
    with django_assert_max_num_queries(9):
        result = actions.log_service_bulk(
            graduate_ids=[g.pk for g in graduates] + [graduates[0].pk],
            service_type=ServiceType.RECRUITMENT,
            date=timezone.localdate(),
            channel=Channel.EVENT,
            content="2026年秋季专场招聘会",
            acting_user=county_clerk,
        )
    assert result.logged == len(graduates) == 15
    entries = ServiceEntry.objects.filter(pk__in=result.entry_ids)
    assert {e.graduate_id for e in entries} == {g.pk for g in graduates}
    assert {(e.origin, e.office_id, e.staff_id) for e in entries} == {
        ("bulk", county_clerk.office_id, county_clerk.pk)
    }
    audits = AuditEvent.objects.filter(action="services.logged", object_type="services.serviceentry")
    assert sorted(int(a.object_id) for a in audits) == result.entry_ids
    assert {a.actor_id for a in audits} == {county_clerk.pk}


def test_bulk_with_one_graduate_outside_the_scope_logs_nobody(prefecture_clerk, graduate, haidong_graduate):
    for ids in ([graduate.pk, haidong_graduate.pk], [graduate.pk, 999_999_999]):
        with pytest.raises(ValidationError) as exc:
            actions.log_service_bulk(
                graduate_ids=ids,
                service_type=ServiceType.POLICY,
                date=timezone.localdate(),
                channel=Channel.WINDOW,
                acting_user=prefecture_clerk,
            )
        assert exc.value.messages == [actions.MSG_BULK_OUT_OF_SCOPE.format(count=1)]
    assert ServiceEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action="services.logged").exists()


def test_bulk_refuses_a_future_date_and_an_empty_selection(county_clerk, graduate):
    with pytest.raises(ValidationError):
        actions.log_service_bulk(
            graduate_ids=[graduate.pk],
            service_type=ServiceType.POLICY,
            date=timezone.localdate() + datetime.timedelta(days=1),
            channel=Channel.WINDOW,
            acting_user=county_clerk,
        )
    with pytest.raises(ValidationError, match="至少选择一名"):
        actions.log_service_bulk(
            graduate_ids=[],
            service_type=ServiceType.POLICY,
            date=timezone.localdate(),
            channel=Channel.WINDOW,
            acting_user=county_clerk,
        )


def test_a_half_void_cannot_reach_the_table(county_clerk, graduate):
    """The database itself refuses an entry voided without who or why (check constraint)."""
    entry = _log(county_clerk, graduate)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceEntry.objects.filter(pk=entry.pk).update(voided_at=timezone.now())
    assert connection.is_usable()

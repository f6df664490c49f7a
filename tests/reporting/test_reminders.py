"""Reminders: each kind reaches the right people, as an in-app notification and a mail (at a real SMTP receiver)
to those with an address; once per deadline, period or day; services as one digest a person a day."""

import datetime

import pytest

from core.models import Notification, Office, Role
from graduates.roster import actions as roster
from handover.batches.actions import dispatch_batch
from handover.models import HandoverBatch, HandoverDeadline
from reporting.actions import generate_monthly_snapshot
from reporting.mail.actions import send_reminders
from reporting.models import Delivery
from tests.factories import UserFactory
from tests.reporting import test_mail
from tests.roster_files import roster_bytes, roster_row

# The SMTP receiver and the beat entries of the monthly mail's tests.
smtp_inbox = test_mail.smtp_inbox
smtp_settings = test_mail.smtp_settings
beat_entries = test_mail.beat_entries
on, register, trigger = test_mail.on, test_mail.register, test_mail.trigger


def remind(day: str) -> dict:
    with on(day, hour=8, tick=True):
        return send_reminders().as_dict()


def mails(inbox, address: str, about: str = "") -> list:
    return [m for m in inbox.messages if m["To"] == address and about in m["Subject"]]


def notes(user, about: str) -> int:
    return Notification.objects.filter(user=user, message__contains=about).count()


def with_email(user, email: str):
    user.email = email
    user.save(update_fields=["email"])
    return user


def test_universities_without_a_roster_are_reminded_once_in_the_week_before_15_june(
    smtp_settings, university_clerk
):
    with_email(university_clerk, "qhu@example.edu.cn")
    other = Office.objects.get(name="青海师范大学")
    late = UserFactory(username="uni2", role=Role.UNIVERSITY_STAFF, office=other, email="late@example.edu.cn")
    with on("2026-06-01"):
        roster.create_upload(
            content=roster_bytes([roster_row(1)]), filename="名单.xlsx", source="university", cohort=2026,
            acting_user=university_clerk,
        )  # fmt: skip
    remind("2026-06-07")  # more than a week before
    assert not mails(smtp_settings, "late@example.edu.cn") and not notes(late, "名单")
    remind("2026-06-08")
    (mail,) = mails(smtp_settings, "late@example.edu.cn")
    assert "2026届毕业生名单应于2026年6月15日前报送" in mail["Subject"]
    assert other.name in mail.get_body(("plain",)).get_content()
    assert notes(late, "2026届毕业生名单") == 1
    assert not mails(smtp_settings, "qhu@example.edu.cn") and not notes(university_clerk, "名单")
    remind("2026-06-08")
    remind("2026-06-12")
    assert len(mails(smtp_settings, "late@example.edu.cn")) == 1 and notes(late, "名单") == 1


def test_the_bureau_is_reminded_of_the_education_and_mohrss_lists_not_yet_arrived(
    smtp_settings, province_admin
):
    with_email(province_admin, "sheng@example.gov.cn")
    HandoverDeadline.objects.create(cohort=2026, kind="education", due_on=datetime.date(2026, 9, 12))
    remind("2026-09-04")
    assert not mails(smtp_settings, "sheng@example.gov.cn")
    remind("2026-09-05")
    (education,) = mails(smtp_settings, "sheng@example.gov.cn")
    assert "教育厅移交名单" in education["Subject"] and "2026年9月12日" in education["Subject"]
    remind("2026-09-06")
    remind("2026-10-24")  # MOHRSS's list, by default due 31 October
    assert len(mails(smtp_settings, "sheng@example.gov.cn")) == 2
    (mohrss,) = mails(smtp_settings, "sheng@example.gov.cn", "人社部")
    assert "2026年10月31日" in mohrss["Subject"]
    assert notes(province_admin, "教育厅移交名单") == 1 and notes(province_admin, "人社部") == 1


def test_an_arrived_list_needs_no_reminder(smtp_settings, province_admin):
    with_email(province_admin, "sheng@example.gov.cn")
    with on("2026-09-01"):
        upload = roster.create_upload(
            content=roster_bytes([roster_row(1)]), filename="移交名单.xlsx", source="education", cohort=2026,
            acting_user=province_admin,
        )  # fmt: skip
        roster.commit_upload(upload=roster.check_upload(upload), acting_user=province_admin)
    remind("2026-09-10")
    assert not mails(smtp_settings, "sheng@example.gov.cn", "教育厅")


def test_offices_without_last_months_table_are_reminded_before_the_5th(
    smtp_settings, prefecture_clerk, county_clerk, other_prefecture_clerk
):
    with_email(prefecture_clerk, "xining@example.gov.cn")
    with_email(county_clerk, "chengdong@example.gov.cn")
    with on("2026-12-02"):
        generate_monthly_snapshot(
            cohort=2026, month=datetime.date(2026, 11, 1), office=county_clerk.office, user=county_clerk
        )
    remind("2026-12-02")
    assert not mails(smtp_settings, "xining@example.gov.cn", "月汇总表")
    remind("2026-12-03")
    (mail,) = mails(smtp_settings, "xining@example.gov.cn", "月汇总表")
    assert "2026年11月汇总表应于2026年12月5日前报送" in mail["Subject"]
    assert not mails(smtp_settings, "chengdong@example.gov.cn", "月汇总表")
    assert notes(other_prefecture_clerk, "11月汇总表") == 1  # no address: the notification only
    remind("2026-12-05")
    assert len(mails(smtp_settings, "xining@example.gov.cn", "月汇总表")) == 1


def test_the_weekly_progress_reminder_goes_on_thursday_to_offices_that_have_not_submitted(
    smtp_settings, prefecture_clerk, other_prefecture_clerk
):
    from reporting.progress.actions import submit_weekly_progress

    with_email(prefecture_clerk, "xining@example.gov.cn")
    with_email(other_prefecture_clerk, "haidong@example.gov.cn")
    with on("2026-12-10", hour=7):
        submit_weekly_progress(user=other_prefecture_clerk, cohort=2026)
    remind("2026-12-09")  # Wednesday
    assert not mails(smtp_settings, "xining@example.gov.cn", "进度")
    remind("2026-12-10")
    remind("2026-12-10")
    (mail,) = mails(smtp_settings, "xining@example.gov.cn", "进度")
    assert "2026年12月10日" in mail["Subject"]
    assert not mails(smtp_settings, "haidong@example.gov.cn", "进度")


def test_services_due_and_overdue_come_as_one_digest_per_person_per_day(smtp_settings, county_clerk):
    from services.plans import refresh_obligations
    from tests.services.conftest import ensure_service_standards

    ensure_service_standards()
    with_email(county_clerk, "chengdong@example.gov.cn")
    with on("2026-09-01"):
        for seq in (31, 33, 35):
            register(county_clerk, seq, cohort=2026)
    with on("2026-12-02"):
        refresh_obligations()
    remind("2026-12-02")
    remind("2026-12-02")
    (digest,) = mails(smtp_settings, "chengdong@example.gov.cn", "服务")
    assert "3 人服务已逾期" in digest["Subject"]
    assert notes(county_clerk, "服务提醒") == 1
    remind("2026-12-03")  # a new day, a new digest: still one
    assert len(mails(smtp_settings, "chengdong@example.gov.cn", "服务")) == 2
    assert Delivery.objects.filter(kind="services_due").count() == 2


def test_graduates_still_uncontacted_seven_days_after_dispatch(
    smtp_settings, province_admin, prefecture_clerk
):
    with_email(prefecture_clerk, "xining@example.gov.cn")
    rows = [roster_row(seq, **{"入学前户口所在地": "630102"}) for seq in (1, 2)]
    with on("2026-09-20"):
        upload = roster.create_upload(
            content=roster_bytes(rows), filename="移交名单.xlsx", source="education", cohort=2026,
            acting_user=province_admin,
        )  # fmt: skip
        roster.commit_upload(upload=roster.check_upload(upload), acting_user=province_admin)
        dispatch_batch(batch=HandoverBatch.objects.get(), acting_user=province_admin)
    remind("2026-09-26")
    assert not mails(smtp_settings, "xining@example.gov.cn", "未联系")
    remind("2026-09-27")
    (mail,) = mails(smtp_settings, "xining@example.gov.cn", "未联系")
    assert "2 名毕业生分发已满 7 天仍未联系" in mail["Subject"]
    assert notes(prefecture_clerk, "仍未联系") == 1


@pytest.mark.celery_worker
def test_the_daily_beat_entry_runs_the_reminders_in_a_worker(celery_workers, smtp_inbox, university_clerk):
    other = Office.objects.get(name="青海师范大学")
    late = UserFactory(username="uni2", role=Role.UNIVERSITY_STAFF, office=other, email="late@example.edu.cn")
    celery_workers.start(EMAIL_URL=smtp_inbox.url)
    result = trigger("报送与服务提醒：每日", day="2026-06-10").get(timeout=120)
    assert result["sent"] >= 2 and result["failed"] == 0  # both universities' users (qhu has no address)
    smtp_inbox.wait_for(1)
    assert [m["To"] for m in smtp_inbox.messages] == ["late@example.edu.cn"]
    assert notes(late, "名单") == 1 and notes(university_clerk, "名单") == 1
    again = trigger("报送与服务提醒：每日", day="2026-06-10").get(timeout=120)
    assert again["sent"] == 0 and len(smtp_inbox.messages) == 1

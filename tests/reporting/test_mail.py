"""The monthly tables by mail: the beat entry's task, run by a real worker through Redis, mails each office's
汇总表 to its report recipients at a real SMTP receiver (aiosmtpd on loopback); the attachment parses back to the
office's rows; a re-run sends nothing; a refused mail is retried; a worker killed mid-export leaves nothing."""

import datetime
import io
import json
import socket
import time
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from core.models import Office, Region
from graduates import actions as graduate_actions
from reporting.models import Delivery, MonthlySnapshot, ReportRecipient
from tests.factories import make_id_number, unsaved_graduate

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHLY = "月度汇总表：每月1日生成并发送邮件"
REMINDERS = "报送与服务提醒：每日"


class Inbox:
    """An SMTP receiver's handler: keeps every message; refuses the next REFUSE ones with a 451."""

    def __init__(self):
        self.messages = []
        self.refuse = 0
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 Temporary failure, please try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 120) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_inbox):
    """Mail sent in this process goes to the receiver too."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_inbox.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return smtp_inbox


def on(day: str, hour: int = 10, tick: bool = False):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=tick
    )


def register(user, seq: int, region: str = "630102", cohort: int = 2025):
    graduate = unsaved_graduate(
        id_number=make_id_number(seq=seq),
        origin_region=Region.objects.get(code=region),
        cohort=cohort,
        graduation_date=datetime.date(cohort, 6, 30),
    )
    return graduate_actions.create_graduate(graduate=graduate, acting_user=user)


def attachment(message) -> tuple[str, str, bytes]:
    (part,) = list(message.iter_attachments())
    return part.get_filename(), part.get_content_type(), part.get_content()


def id_numbers(content: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    found = set()
    for index, row in enumerate(sheet.iter_rows(values_only=True)):
        if index < 3:
            continue
        if not row or row[0] is None:
            break
        found.add(row[4])
    return found


@pytest.fixture
def graduates(county_clerk, prefecture_clerk):
    """Two graduates of 城东区 and one of 西宁市 itself, registered in October 2025 (cohort 2025)."""
    with on("2025-10-10"):
        county = {register(county_clerk, seq).id_number for seq in (11, 13)}
        city = register(prefecture_clerk, 15, region="630100").id_number
    return {"county": county, "city": city}


@pytest.fixture
def recipients(province_admin, prefecture_clerk, other_prefecture_clerk, county_clerk):
    """Two addresses for 城东区, one each for 西宁市, 海东市 and the bureau; one inactive (never mailed)."""
    make = ReportRecipient.objects.create
    make(office=county_clerk.office, name="城东甲", email="a@chengdong.example.gov.cn")
    make(office=county_clerk.office, name="城东乙", email="b@chengdong.example.gov.cn")
    make(office=county_clerk.office, name="停用", email="old@chengdong.example.gov.cn", active=False)
    make(office=prefecture_clerk.office, name="西宁", email="report@xining.example.gov.cn")
    make(office=other_prefecture_clerk.office, name="海东", email="report@haidong.example.gov.cn")
    make(office=province_admin.office, name="省局", email="report@sheng.example.gov.cn")


@pytest.fixture(autouse=True)
def beat_entries(request):
    """The beat entries come with migration reporting/0003; a transactional test's flush empties them, so load
    them again (idempotent)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("db")
    importlib.import_module("reporting.migrations.0003_mail").schedule(apps, None)


def trigger(name: str, **kwargs):
    """Send the beat entry's task as beat does (its task name, args and kwargs), KWARGS added."""
    from config.celery import app

    entry = PeriodicTask.objects.get(name=name)
    return app.send_task(
        entry.task, args=json.loads(entry.args), kwargs={**json.loads(entry.kwargs), **kwargs}
    )


def advisory_locks_of_others() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND granted"
        )
        return cursor.fetchone()[0]


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


# --- With a real worker -------------------------------------------------------------------------------------------


@pytest.mark.celery_worker
def test_the_scheduled_tables_arrive_with_their_rows_and_a_second_run_sends_nothing(
    celery_workers, smtp_inbox, graduates, recipients
):
    celery_workers.start(EMAIL_URL=smtp_inbox.url)
    result = trigger(MONTHLY, month="2025-11").get(timeout=180)
    assert result == {"sent": 5, "skipped": 0, "failed": 0}
    smtp_inbox.wait_for(5)
    everyone = graduates["county"] | {graduates["city"]}
    expected = {
        "a@chengdong.example.gov.cn": ("城东区", graduates["county"]),
        "b@chengdong.example.gov.cn": ("城东区", graduates["county"]),
        "report@xining.example.gov.cn": ("西宁市", everyone),
        "report@haidong.example.gov.cn": ("海东市", set()),
        "report@sheng.example.gov.cn": ("全省", everyone),
    }
    for address, (unit, rows) in expected.items():
        (message,) = smtp_inbox.to(address)
        assert unit in message["Subject"] and "2025年11月" in message["Subject"]
        assert "2025届离校未就业高校毕业生信息汇总表" in message["Subject"]
        body = message.get_body(("plain",)).get_content()
        assert f"共 {len(rows)} 行" in body and "2025年12月5日前报送" in body
        filename, content_type, content = attachment(message)
        assert content_type == XLSX and filename.endswith("_202511_v1.xlsx")
        assert id_numbers(content) == rows
    assert not smtp_inbox.to("old@chengdong.example.gov.cn")
    # Every active prefecture and county office's table is stored, and the province's, once each.
    offices = Office.objects.filter(kind__in=["prefecture", "county"], is_active=True).count()
    assert MonthlySnapshot.objects.filter(month=datetime.date(2025, 11, 1)).count() == offices + 1
    assert set(MonthlySnapshot.objects.values_list("version", flat=True)) == {1}

    # A second beat (or a re-run) finds every key claimed: nothing is sent, nothing regenerated.
    again = trigger(MONTHLY, month="2025-11").get(timeout=180)
    assert again == {"sent": 0, "skipped": 5, "failed": 0}
    assert len(smtp_inbox.messages) == 5
    assert MonthlySnapshot.objects.count() == offices + 1
    assert Delivery.objects.filter(status="sent").count() == 5


@pytest.mark.celery_worker
def test_a_mail_the_server_refuses_once_is_retried_and_arrives(
    celery_workers, smtp_inbox, graduates, county_clerk
):
    ReportRecipient.objects.create(
        office=county_clerk.office, name="城东", email="a@chengdong.example.gov.cn"
    )
    smtp_inbox.refuse = 1
    celery_workers.start(EMAIL_URL=smtp_inbox.url)
    assert trigger(MONTHLY, month="2025-11").get(timeout=180) == {"sent": 0, "skipped": 0, "failed": 1}
    (message,) = smtp_inbox.wait_for(1)
    assert id_numbers(attachment(message)[2]) == graduates["county"]
    assert smtp_inbox.refused == 1
    wait_until(lambda: Delivery.objects.get().status == "sent")
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.error) == (2, "")
    time.sleep(1)  # nothing more comes
    assert len(smtp_inbox.messages) == 1


@pytest.mark.celery_worker
def test_a_worker_killed_mid_export_leaves_no_table_and_the_next_run_completes_it(
    celery_workers, smtp_inbox, graduates, recipients
):
    slow = celery_workers.start(EMAIL_URL=smtp_inbox.url, REPORT_MAIL_SLOW_EXPORT_SECONDS="120")
    trigger(MONTHLY, month="2025-11")
    # The first table (the province's) is written and waits for its commit: both advisory locks are held.
    wait_until(lambda: advisory_locks_of_others() >= 2, timeout=120)
    slow.kill()
    slow.wait(timeout=20)
    wait_until(lambda: advisory_locks_of_others() == 0)
    assert not MonthlySnapshot.objects.exists()
    assert not Delivery.objects.exists() and not smtp_inbox.messages

    celery_workers.start(EMAIL_URL=smtp_inbox.url)
    assert trigger(MONTHLY, month="2025-11").get(timeout=180) == {"sent": 5, "skipped": 0, "failed": 0}
    smtp_inbox.wait_for(5)
    (province,) = smtp_inbox.to("report@sheng.example.gov.cn")
    assert id_numbers(attachment(province)[2]) == graduates["county"] | {graduates["city"]}
    assert set(MonthlySnapshot.objects.values_list("version", flat=True)) == {1}


# --- In this process (the same actions), against the same SMTP receiver -------------------------------------------


def test_the_command_prints_its_counts_and_sends_nothing_the_second_time(
    smtp_settings, graduates, county_clerk, capsys
):
    ReportRecipient.objects.create(office=county_clerk.office, email="a@chengdong.example.gov.cn")
    call_command("send_monthly_reports", "--month", "2025-11", "--json")
    assert capsys.readouterr().out.strip() == '{"sent": 1, "skipped": 0, "failed": 0}'
    call_command("send_monthly_reports", "--month", "2025-11", "--json")
    assert capsys.readouterr().out.strip() == '{"sent": 0, "skipped": 1, "failed": 0}'
    (message,) = smtp_settings.messages
    assert id_numbers(attachment(message)[2]) == graduates["county"]


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026-07", "不属于任何届别的报送期"), ("2099-01", "尚未开始")],
)
def test_a_month_outside_the_reporting_window_exits_2_with_a_chinese_message(
    smtp_settings, demo_province, month, message
):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("send_monthly_reports", "--month", month, "--json", stderr=err)
    assert exit_.value.code == 2
    assert message in err.getvalue()
    assert not Delivery.objects.exists() and not MonthlySnapshot.objects.exists()


def test_a_table_above_the_size_limit_goes_as_a_link_to_its_download_page(
    smtp_settings, settings, graduates, county_clerk
):
    settings.REPORT_MAIL_MAX_ATTACHMENT_BYTES = 1000
    settings.SITE_URL = "https://jiuye.example.gov.cn/"
    ReportRecipient.objects.create(office=county_clerk.office, email="a@chengdong.example.gov.cn")
    call_command("send_monthly_reports", "--month", "2025-11", "--json")
    (message,) = smtp_settings.messages
    assert not list(message.iter_attachments())
    snapshot = MonthlySnapshot.objects.get(office=county_clerk.office)
    body = message.get_body(("plain",)).get_content()
    assert "未作为附件发送" in body
    assert f"https://jiuye.example.gov.cn/reporting/monthly/{snapshot.pk}.xlsx" in body


def test_a_table_of_the_whole_month_is_reused_and_one_of_a_running_month_is_not(
    smtp_settings, graduates, county_clerk
):
    from reporting.actions import generate_monthly_snapshot

    ReportRecipient.objects.create(office=county_clerk.office, email="a@chengdong.example.gov.cn")
    with on("2025-11-20"):  # during the month: as of the 20th, not reused
        early = generate_monthly_snapshot(
            cohort=2025, month=datetime.date(2025, 11, 1), office=county_clerk.office, user=county_clerk
        )
    with on("2025-12-02"):  # after it: the whole month, reused by the schedule
        whole = generate_monthly_snapshot(
            cohort=2025, month=datetime.date(2025, 11, 1), office=county_clerk.office, user=county_clerk
        )
    call_command("send_monthly_reports", "--month", "2025-11", "--json")
    assert early.as_of == datetime.date(2025, 11, 20)
    assert Delivery.objects.get().snapshot_id == whole.pk
    assert MonthlySnapshot.objects.filter(office=county_clerk.office).count() == 2


def test_the_beat_entry_mails_the_previous_month_on_the_first_at_two(smtp_settings, county_clerk):
    from reporting.mail.tasks import monthly_tables_task

    with on("2026-11-03"):
        register(county_clerk, 21, cohort=2026)
    ReportRecipient.objects.create(office=county_clerk.office, email="a@chengdong.example.gov.cn")
    entry = PeriodicTask.objects.get(name=MONTHLY)
    schedule = entry.crontab
    assert (schedule.minute, schedule.hour, schedule.day_of_month, schedule.month_of_year) == (
        "0",
        "2",
        "1",
        "*",
    )
    assert str(schedule.timezone) == "Asia/Shanghai" and entry.enabled
    with on("2026-12-01", hour=2, tick=True):
        result = monthly_tables_task.apply(args=json.loads(entry.args), kwargs=json.loads(entry.kwargs)).get()
    assert result == {"sent": 1, "skipped": 0, "failed": 0}
    (message,) = smtp_settings.messages
    assert "2026年11月" in message["Subject"] and "2026届" in message["Subject"]


def test_the_reminders_run_every_morning_at_eight(db):
    entry = PeriodicTask.objects.get(name=REMINDERS)
    schedule = entry.crontab
    assert (schedule.minute, schedule.hour, schedule.day_of_month, schedule.day_of_week) == (
        "0",
        "8",
        "*",
        "*",
    )
    assert entry.task == "reporting.mail.reminders" and entry.enabled


def test_work_is_routed_to_queues_by_kind(db):
    from config.celery import app

    def queue_of(task: str) -> str:
        return app.amqp.router.route({}, task)["queue"].name

    assert queue_of("graduates.check_roster") == queue_of("graduates.commit_roster") == "imports"
    assert queue_of("reporting.mail.monthly_tables") == "reports"
    assert queue_of("reporting.mail.reminders") == queue_of("reporting.mail.deliver") == "mail"
    assert queue_of("core.health_probe") == "default"


def test_the_demo_offices_have_recipients_at_example_gov_cn(demo_province):
    from reporting.mail.demo import report_recipients

    assert report_recipients(0)
    assert report_recipients(0) is None  # idempotent
    emails = dict(ReportRecipient.objects.values_list("office__name", "email"))
    assert all(email.endswith("@example.gov.cn") for email in emails.values())
    for name in ("青海省就业服务局", "西宁市公共就业和人才服务中心", "海东市公共就业和人才服务中心"):
        assert name in emails
    assert any(name.startswith("城东区") for name in emails)

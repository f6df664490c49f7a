import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count
from django.test import RequestFactory

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.models import AuditEvent, Office, OfficeKind, Region, RegionLevel, User
from graduates.codes import Destination, State
from graduates.models import FollowUpVisit, Graduate, GraduateChange, GraduateSource, RosterUpload
from handover.models import (
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    HandoverBatch,
    HandoverItem,
    ReportIn,
    Transfer,
)

DEMO_SIZE = 300  # the test loads a small demo; `dev.py up` loads the default (3000)


@pytest.mark.django_db
def test_seed_demo_builds_qinghai_with_its_eight_prefecture_offices(capsys):
    call_command("seed_demo", "--bare")
    prefectures = Office.objects.filter(kind=OfficeKind.PREFECTURE).order_by("region_id")
    assert [o.region_id for o in prefectures] == [
        "630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800",
    ]  # fmt: skip
    assert Office.objects.get(kind=OfficeKind.BUREAU).name == "青海省就业服务局"
    assert Office.objects.filter(kind=OfficeKind.EDUCATION, region_id="630000").exists()
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "chengdong" in out


@pytest.mark.django_db
def test_every_current_county_of_qinghai_has_an_office_under_its_prefecture():
    call_command("seed_demo", "--bare")
    counties = Region.objects.current().filter(level=RegionLevel.COUNTY, code__startswith="63")
    counties = counties.exclude(name="市辖区")
    offices = Office.objects.filter(kind=OfficeKind.COUNTY).select_related("parent")
    assert offices.count() == counties.count() > 40
    assert all(o.parent.region_id == o.region_id[:4] + "00" for o in offices)


@pytest.mark.django_db
def test_universities_carry_school_code_and_province_run_flag():
    call_command("seed_demo", "--bare")
    qhu = Office.objects.get(school_code="4163010743")
    assert (qhu.name, qhu.kind, qhu.is_province_run) == ("青海大学", OfficeKind.UNIVERSITY, True)
    lzu = Office.objects.get(name="兰州大学")
    assert lzu.region_id.startswith("62") and not lzu.is_province_run


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--bare")
    before = (Office.objects.count(), User.objects.count(), list(Office.objects.values_list("id", "name")))
    call_command("seed_demo", "--bare")
    after = (Office.objects.count(), User.objects.count(), list(Office.objects.values_list("id", "name")))
    assert before == after


@pytest.mark.django_db
def test_every_demo_user_logs_in_with_the_printed_password_and_has_a_matching_office():
    call_command("seed_demo", "--bare")
    for demo in DEMO_USERS:
        # with the request, as the login page does (django-axes checks the lockout by it)
        request = RequestFactory().post("/login/")
        user = authenticate(request, username=demo.username, password=DEMO_PASSWORD)
        assert user is not None, demo.username
        user.full_clean()  # role and office agree
    assert User.objects.get(username="sheng").is_staff
    assert not User.objects.get(username="chengdong").is_staff


@pytest.mark.django_db
def test_registered_demo_steps_run_in_order_and_bare_skips_them(capsys):
    from core import demo

    ran: list[tuple[str, int]] = []
    saved = dict(demo._DEMO_STEPS)
    try:
        demo.register_demo_step(20, "第二步", lambda size: ran.append(("b", size)) or "二")
        demo.register_demo_step(10, "第一步", lambda size: ran.append(("a", size)) or None)
        call_command("seed_demo", "--bare")
        assert ran == []
        call_command("seed_demo", "--graduates", "600")
        assert [name for name, _ in ran] == ["a", "b"] and ran[0][1] == 600
        out = capsys.readouterr().out
        assert "第二步：二" in out and "第一步" not in out and "chengdong" in out
    finally:
        demo._DEMO_STEPS.clear()
        demo._DEMO_STEPS.update(saved)


# --- the living demo (the registered steps: graduates/demo.py, handover/demo.py) -----------------------------


def _load_demo() -> str:
    out = StringIO()
    call_command("seed_demo", "--graduates", str(DEMO_SIZE), stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    models = [Graduate, GraduateChange, GraduateSource, FollowUpVisit, RosterUpload, HandoverBatch, HandoverItem,
              ContactAttempt, Transfer, ReportIn, AuditEvent, User, Office]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_demo_loads_two_cohorts_and_a_second_run_adds_nothing():
    out = _load_demo()
    assert "毕业生名单：" in out and "交接：" in out
    graduates = Graduate.objects.count()
    assert DEMO_SIZE * 0.9 <= graduates <= DEMO_SIZE * 1.2
    assert set(Graduate.objects.values_list("cohort", flat=True)) == {2025, 2026}
    batches = set(HandoverBatch.objects.values_list("source", "cohort"))
    assert batches == {("education", 2025), ("mohrss", 2025), ("education", 2026), ("mohrss", 2026)}
    assert not HandoverBatch.objects.filter(status=HandoverBatch.Status.RECEIVED).exists()  # all dispatched
    before = _row_counts()

    second = StringIO()
    call_command("seed_demo", "--graduates", str(DEMO_SIZE), stdout=second)
    assert _row_counts() == before
    assert "毕业生名单：" not in second.getvalue() and "交接：" not in second.getvalue()


@pytest.mark.django_db
def test_demo_holds_every_state_contact_method_outcome_and_destination():
    _load_demo()
    assert set(Graduate.objects.values_list("state", flat=True)) == set(State.values)
    assert set(ContactAttempt.objects.values_list("method", flat=True)) == set(ContactMethod.values)
    assert set(ContactAttempt.objects.values_list("outcome", flat=True)) == set(ContactOutcome.values)
    visited = set(FollowUpVisit.objects.exclude(destination="").values_list("destination", flat=True))
    assert visited == set(Destination.values)
    # The record follows its latest visit: 13 is 升学出国 (never 已就业), 14 暂不就业.
    assert Graduate.objects.filter(destination="13", state=State.STUDYING).exists()
    assert not Graduate.objects.filter(destination="13", state=State.EMPLOYED).exists()
    assert Graduate.objects.filter(destination="14", state=State.NOT_SEEKING).exists()
    # Each step on its own day: the lists arrived before their due dates, the work spread over the months since.
    received = dict(HandoverBatch.objects.filter(cohort=2025).values_list("source", "received_on"))
    assert received == {"education": datetime.date(2025, 9, 12), "mohrss": datetime.date(2025, 10, 24)}
    months = {at.strftime("%Y-%m") for at in ContactAttempt.objects.values_list("at", flat=True)}
    assert len(months) >= 6
    statuses = dict(Transfer.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Transfer.Status.values)
    # Signed for in part: some items are, some are not; some wait in the bureau's 待分配 queue.
    items = HandoverItem.objects.filter(dispatched_at__isnull=False)
    assert (
        items.filter(acknowledged_at__isnull=False).exists()
        and items.filter(acknowledged_at__isnull=True).exists()
    )
    assert HandoverItem.objects.filter(office__isnull=True, kept=False, reported_to_mohrss=False).exists()
    assert (
        ReportIn.objects.filter(graduate__isnull=False).exists()
        and ReportIn.objects.filter(graduate__isnull=True).exists()
    )
    # Uploads with errors to look at: one checked and waiting with invalid rows, one committed with invalid rows.
    with_errors = RosterUpload.objects.filter(invalid__gt=0)
    assert with_errors.filter(status=RosterUpload.Status.CHECKED).exists()
    assert with_errors.filter(status=RosterUpload.Status.COMMITTED).exists()
    # Every change went through the registry's actions: each graduate's history is there.
    assert GraduateChange.objects.filter(kind=GraduateChange.Kind.STATE).count() >= ContactAttempt.objects.filter(
        outcome__in=["verified", "employed", "no_intention"]).count() // 2  # fmt: skip


@pytest.mark.django_db
def test_home_page_counters_of_the_demo_offices_are_not_zero(client):
    _load_demo()
    expected = {
        "sheng": {"待确认的名单", "待联系毕业生", "信息不全的毕业生"},
        "xining": {
            "待确认的名单",
            "待联系毕业生",
            "信息不全的毕业生",
            "待签收的交接名单",
            "待处理的转移申请",
        },
        "chengdong": {
            "待确认的名单",
            "待联系毕业生",
            "信息不全的毕业生",
            "待签收的交接名单",
            "待处理的转移申请",
        },
        "haidong": {"待联系毕业生", "待签收的交接名单", "待处理的转移申请"},
    }
    for username, labels in expected.items():
        client.force_login(User.objects.get(username=username))
        response = client.get("/")
        counts = {item["label"]: item["count"] for item in response.context["waiting"]}
        assert labels <= set(counts), username
        assert all(counts[label] > 0 for label in labels), (username, counts)


@pytest.mark.django_db
def test_every_staff_page_of_every_demo_user_shows_data(client):
    from graduates.roster.selectors import university_upload_status, uploads_visible_to
    from graduates.selectors import graduates_visible_to
    from handover.batches.selectors import acknowledgement_status, unassigned_queue
    from handover.contact.selectors import report_in_lists, worklist
    from handover.transfers.selectors import inbox, outbox

    _load_demo()
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    offices = ("sheng", "xining", "haidong", "chengdong")
    for username, user in users.items():
        assert graduates_visible_to(user).exists(), username
        assert uploads_visible_to(user).exists(), username
    for username in offices:
        assert worklist(user=users[username]).exists(), username
        assert outbox(users[username]).exists() or inbox(users[username]).exists(), username
    for username in ("xining", "haidong", "chengdong"):
        assert inbox(users[username]).exists(), username  # a transfer request waits for each
    assert unassigned_queue(users["sheng"]).exists()
    assert any(row["waiting"] for row in acknowledgement_status(users["sheng"]))  # who has not signed for
    for username in ("xining", "chengdong"):
        lists = report_in_lists(user=users[username], cohort=2026)
        assert lists["matched"].exists() and lists["unknown"].exists() and lists["not_reported"].exists()
    status = university_upload_status(user=users["jiaoyu"], cohort=2026)
    assert any(row["committed"] for row in status) and any(row["waiting_confirmation"] for row in status)

    pages = {
        "sheng": ["/", "/graduates/", "/handover/", "/handover/unassigned/", "/handover/worklist/",
                  "/handover/transfers/", "/reporting/progress/", "/imports/", "/imports/universities/?cohort=2026"],
        "xining": ["/", "/graduates/", "/handover/", "/handover/worklist/", "/handover/transfers/",
                   "/reporting/progress/", "/imports/", "/handover/report-in/?cohort=2026"],
        "haidong": ["/", "/graduates/", "/handover/", "/handover/worklist/", "/handover/transfers/",
                    "/reporting/progress/", "/imports/"],
        "chengdong": ["/", "/graduates/", "/handover/", "/handover/worklist/", "/handover/transfers/",
                      "/reporting/progress/", "/imports/", "/handover/report-in/?cohort=2026"],
        "jiaoyu": ["/", "/graduates/", "/imports/", "/imports/universities/?cohort=2026", "/handover/education/"],
        "qhu": ["/", "/graduates/", "/imports/"],
    }  # fmt: skip
    for username, urls in pages.items():
        client.force_login(users[username])
        for url in urls:
            assert client.get(url).status_code == 200, (username, url)
        graduate = graduates_visible_to(users[username]).order_by("id").first()
        assert client.get(f"/graduates/{graduate.pk}/").status_code == 200, username

"""Absurd input on every handover page and form: a Chinese message or the value ignored, never a 500.

The test client re-raises any exception a view lets escape, so a would-be 500 fails these tests loudly."""

import io

import pytest
from django.urls import reverse

from core.models import Office, OfficeKind, Region
from graduates.actions import create_graduate
from graduates.models import Graduate
from handover.models import ContactAttempt, HandoverBatch, HandoverItem, ReportIn, Transfer
from handover.transfers.actions import request_transfer
from tests.factories import make_id_number, unsaved_graduate
from tests.graduates.test_bad_input import ABSURD

HUGE = "99999999999999999999"


@pytest.fixture
def situation(county_clerk, province_admin):
    """A 城东 graduate with an open transfer to 海东, another one to contact, and a graduate in the bureau's queue."""
    moving = create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    staying = create_graduate(
        graduate=unsaved_graduate(name="联系学生", id_number=make_id_number(seq=125)),
        acting_user=county_clerk,
    )
    haidong = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="630200")
    transfer = request_transfer(
        graduate=moving, to_office=haidong, reason="现居海东", acting_user=county_clerk
    )
    queued = create_graduate(
        graduate=unsaved_graduate(
            name="待分配学生",
            id_number=make_id_number(seq=127),
            origin_region=Region.objects.get(code="620102"),
        ),
        acting_user=province_admin,
    )
    batch = HandoverBatch.objects.create(source="education", cohort=2026, created_by=province_admin, total=1)
    HandoverItem.objects.create(batch=batch, graduate=queued)
    return {"transfer": transfer, "graduate": staying, "moving": moving, "batch": batch, "queued": queued}


def get_all(client, url: str, param: str) -> None:
    for value in ABSURD:
        response = client.get(url, {param: value})
        assert response.status_code < 500, (url, param, value)


def post_all(client, url: str, base: dict, field: str) -> list:
    responses = []
    for value in ABSURD:
        response = client.post(url, {**base, field: value}, follow=True)
        assert response.status_code < 500, (url, field, value)
        responses.append(response)
    return responses


# --- GET parameters of every page -------------------------------------------------------------------------------

PAGES = [
    ("handover:home", ["cohort", "page"]),
    ("handover:unassigned", ["show", "page", "office"]),
    ("handover:worklist", ["mine", "page"]),
    ("handover:report_in", ["cohort", "kind", "lines"]),
    ("handover:unreachable_export", ["page"]),
    ("transfers:list", ["page"]),
    ("reporting:progress", ["office", "cohort"]),
    ("reporting:weekly", ["as_of", "cohort"]),
    ("reporting:mohrss", ["cohort"]),
]


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_page_parameters(client, situation, province_admin, prefecture_clerk, county_clerk, name, params):
    for user in (province_admin, prefecture_clerk, county_clerk):
        client.force_login(user)
        for param in params:
            get_all(client, reverse(name), param)


def test_education_page_parameters(client, situation, education_clerk):
    client.force_login(education_clerk)
    get_all(client, reverse("handover:education"), "cohort")
    for response in post_all(client, reverse("handover:education"), {}, "cohort"):
        assert "届别应为" in response.content.decode()
    assert not HandoverBatch.objects.filter(created_by=education_clerk).exists()


def test_transfer_form_page_parameters(client, situation, county_clerk):
    client.force_login(county_clerk)
    get_all(client, reverse("transfers:new", args=[situation["graduate"].pk]), "target")


@pytest.mark.parametrize(
    "url",
    [f"/handover/batches/{HUGE}/dispatch/", f"/handover/contact/{HUGE}/", f"/handover/transfers/new/{HUGE}/",
     f"/handover/transfers/{HUGE}/accept/", f"/handover/transfers/{HUGE}/reject/",
     f"/handover/transfers/{HUGE}/cancel/"],
)  # fmt: skip
def test_huge_ids_in_the_path_are_not_found(client, situation, province_admin, url):
    client.force_login(province_admin)
    assert client.post(url).status_code == 404


# --- POST fields of every form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["office", "ids"])
def test_queue_assignment(client, situation, province_admin, field):
    client.force_login(province_admin)
    haibei = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="632200")
    base = {"office": str(haibei.pk), "ids": [str(situation["queued"].pk)]}
    for response in post_all(client, reverse("handover:unassigned"), base, field):
        assert response.redirect_chain[-1][0] == reverse("handover:unassigned")
    assert Graduate.objects.get(pk=situation["queued"].pk).responsible_office.kind == OfficeKind.BUREAU


def test_too_many_ids_for_the_queue_are_refused_in_chinese(client, situation, province_admin):
    client.force_login(province_admin)
    haibei = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="632200")
    response = client.post(
        reverse("handover:unassigned"), {"office": haibei.pk, "ids": ["1"] * 501}, follow=True
    )
    assert "一次最多选择 500 名" in response.content.decode()


@pytest.mark.parametrize("field", ["method", "outcome", "note", "next"])
def test_contact_form(client, situation, county_clerk, field):
    client.force_login(county_clerk)
    url = reverse("handover:contact", args=[situation["graduate"].pk])
    base = {"method": "phone", "outcome": "no_answer", "note": "", "next": ""}
    post_all(client, url, base, field)
    if field != "next":  # a bad method, outcome or note records nothing (next only decides where to go)
        assert all(len(a.note) <= 300 and "\x00" not in a.note for a in ContactAttempt.objects.all())


def test_a_bad_contact_post_says_why_in_chinese(client, situation, county_clerk):
    client.force_login(county_clerk)
    url = reverse("handover:contact", args=[situation["graduate"].pk])
    page = client.post(url, {"method": "fax", "outcome": "verified"}, follow=True).content.decode()
    assert "请选择联系方式" in page and "本次联系未记录" in page
    page = client.post(url, {"method": "phone", "outcome": "verified", "note": "长" * 301}, follow=True)
    assert "说明不能超过 300 个字" in page.content.decode()
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize("field", ["cohort", "kind", "lines"])
def test_report_in_form(client, situation, county_clerk, field):
    client.force_login(county_clerk)
    base = {"cohort": "2026", "kind": "certificate", "lines": f"报到学生 {make_id_number(seq=131)} BDZ-1"}
    post_all(client, reverse("handover:report_in"), base, field)
    assert all(len(r.name) <= 50 and "\x00" not in r.name for r in ReportIn.objects.all())


def report_in(client, lines: str, **fields):
    return client.post(
        reverse("handover:report_in"), {"cohort": "2026", "kind": "certificate", "lines": lines, **fields}
    )


def test_report_in_bad_lines_are_named_in_chinese_and_nothing_is_written(client, situation, county_clerk):
    client.force_login(county_clerk)
    good = make_id_number(seq=133)
    cases = [
        (f"{'长' * 500} {good}", "第 1 行：一行不能超过 200 个字"),
        (f"{'长' * 60} {good}", "第 1 行：姓名不能超过 50 个字"),
        (f"学生 {good} {'9' * 200}", "第 1 行：一行不能超过 200 个字"),
        (f"学生 {good} {'9' * 41}", "第 1 行：编号不能超过 40 个字"),
        (f"学生 {good} 1 2 3", "第 1 行：最多四项"),
        (f"学生\x00 {good}", "不能包含空字符"),
        ("\n".join(f"学生{n} {good}" for n in range(501)), "一次最多登记 500 人"),
        ("长" * 200_000, "请分批登记"),
        (f"学生 {good}\n学生二 123", "第 2 行"),
    ]
    for lines, message in cases:
        response = report_in(client, lines)
        assert response.status_code == 400 and message in response.content.decode(), message
    for cohort in ("99999", "-5", "0", "abc"):
        response = report_in(client, f"学生 {good}", cohort=cohort)
        assert "届别应为 2000 至 2100 之间的四位年份" in response.content.decode()
    assert not ReportIn.objects.exists()
    response = client.get(reverse("handover:report_in"), {"cohort": "99999"})
    assert response.context["cohort"] != 99999 and "届别应为" in response.content.decode()


def test_report_in_with_bounded_values_is_written(client, situation, county_clerk):
    client.force_login(county_clerk)
    number = make_id_number(seq=135)
    report_in(client, f"{'名' * 50}\t{number}\t{'B' * 40}")
    assert ReportIn.objects.get().certificate_no == "B" * 40


@pytest.mark.parametrize("content", [b"", b"\x00" * 100, b"PK\x03\x04broken", "长".encode() * 1000])
def test_unreachable_answers_with_junk_files(client, situation, county_clerk, content):
    client.force_login(county_clerk)
    upload = io.BytesIO(content)
    upload.name = "反馈.xlsx"
    response = client.post(reverse("handover:unreachable_answers"), {"file": upload}, follow=True)
    assert response.status_code == 200
    no_file = client.post(reverse("handover:unreachable_answers"), {"file": ""}, follow=True)
    assert "请选择" in no_file.content.decode()


@pytest.mark.parametrize("field", ["target", "region_code", "reason"])
def test_transfer_request_form(client, situation, county_clerk, field):
    client.force_login(county_clerk)
    url = reverse("transfers:new", args=[situation["graduate"].pk])
    haidong = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="630200")
    base = {"target": str(haidong.pk), "region_code": "", "reason": "现居海东"}
    post_all(client, url, base, field)
    assert all("\x00" not in t.reason and len(t.reason) <= 300 for t in Transfer.objects.all())


@pytest.mark.parametrize("step", ["accept", "reject", "cancel"])
def test_transfer_decision_notes(client, situation, other_prefecture_clerk, county_clerk, step):
    """Once a bounded note decides the transfer, the later posts meet a decided one: still never a 500."""
    client.force_login(county_clerk if step == "cancel" else other_prefecture_clerk)
    url = reverse(f"transfers:{step}", args=[situation["transfer"].pk])
    for value in ABSURD:
        assert client.post(url, {"note": value}, follow=True).status_code == 200, value
    assert all("\x00" not in t.decision_note for t in Transfer.objects.all())


def test_a_nul_byte_or_an_overlong_note_on_a_decision_is_refused_in_chinese(
    client, situation, other_prefecture_clerk
):
    client.force_login(other_prefecture_clerk)
    transfer = situation["transfer"]
    for step in ("accept", "reject"):
        page = client.post(reverse(f"transfers:{step}", args=[transfer.pk]), {"note": "a\x00b"}, follow=True)
        assert "处理意见不能包含空字符（NUL）" in page.content.decode()
        page = client.post(
            reverse(f"transfers:{step}", args=[transfer.pk]), {"note": "长" * 301}, follow=True
        )
        assert "处理意见不能超过 300 个字" in page.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == "requested"


def test_a_nul_byte_in_a_transfer_reason_is_refused_in_chinese(client, situation, county_clerk):
    client.force_login(county_clerk)
    url = reverse("transfers:new", args=[situation["graduate"].pk])
    haidong = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="630200")
    response = client.post(url, {"target": str(haidong.pk), "reason": "现居\x00海东"})
    assert "转移原因不能包含空字符（NUL）" in response.content.decode()
    assert not Transfer.objects.filter(graduate=situation["graduate"]).exists()


def test_an_oversized_answers_file_is_refused_before_reading(client, situation, county_clerk, settings):
    settings.ROSTER_MAX_UPLOAD_MB = 1
    upload = io.BytesIO(b"0" * (1024 * 1024 + 1))
    upload.name = "反馈.xlsx"
    client.force_login(county_clerk)
    response = client.post(reverse("handover:unreachable_answers"), {"file": upload}, follow=True)
    assert "超过上限 1 MB" in response.content.decode()


def test_the_worklist_filter_takes_only_its_own_value(client, situation, county_clerk):
    client.force_login(county_clerk)
    assert client.get(reverse("handover:worklist"), {"mine": "1"}).context["mine"] is True
    assert client.get(reverse("handover:worklist"), {"mine": "yes"}).context["mine"] is False

"""No handover page generates a URL holding a full ID number or a phone number (access logs, browser history,
Referer headers): links, form actions and redirects carry ids and tokens only."""

import re

import pytest
from django.urls import reverse

from graduates.models import Graduate
from handover.batches.actions import dispatch_batch
from handover.contact.actions import record_contact, record_report_ins
from handover.models import HandoverBatch, ReportIn
from handover.transfers.actions import request_transfer
from tests.factories import make_id_number
from tests.handover.test_dispatch import education_list
from tests.roster_files import roster_row

URL_ATTRIBUTES = re.compile(r'(?:href|action|src|formaction|hx-get|hx-post|data-url)="([^"]*)"')
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def personal_data_in(url: str) -> list[str]:
    from urllib.parse import unquote

    text = unquote(url)
    return ID_NUMBER.findall(text) + PHONE.findall(text)


def test_the_check_finds_an_id_number_or_a_phone_in_a_url():
    assert personal_data_in("/graduates/new/?name=x&id_number=630102200304151234")
    assert personal_data_in("/graduates/?q=13800000001")
    assert personal_data_in("/x/?q=%31%33%38%30%30%30%30%30%30%30%31")
    assert not personal_data_in("/graduates/12/?prefill=@abcdEFGH&cohort=2026")


@pytest.fixture
def situation(province_admin, prefecture_clerk):
    rows = [roster_row(n, **{"入学前户口所在地": "630102"}) for n in range(1, 4)]
    rows.append(roster_row(4, **{"入学前户口所在地": "620102"}))  # reported to MOHRSS
    rows.append(roster_row(5, **{"入学前户口所在地": "620102", "毕业院校": "青海某职业技术学院"}))  # queued
    education_list(province_admin, rows)
    dispatch_batch(batch=HandoverBatch.objects.get(), acting_user=province_admin)
    received = list(Graduate.objects.filter(responsible_office__region_id="630100").order_by("name"))
    record_contact(graduate=received[0], method="phone", outcome="unreachable", acting_user=prefecture_clerk)
    record_report_ins(
        entries=[
            {"name": received[1].name, "id_number": received[1].id_number, "kind": ReportIn.Kind.ARCHIVE},
            {"name": "现场学生", "id_number": make_id_number(seq=888), "kind": ReportIn.Kind.ARCHIVE},
        ],
        cohort=2026,
        acting_user=prefecture_clerk,
    )
    from core.models import Office

    request_transfer(
        graduate=received[2],
        to_office=Office.objects.get(kind="prefecture", region_id="630200"),
        reason="现居海东",
        acting_user=prefecture_clerk,
    )
    return received


def pages_for(received) -> dict[str, list[str]]:
    return {
        "sheng": ["/handover/", "/handover/unassigned/", "/handover/unassigned/?show=mohrss",
                  "/reporting/progress/", "/handover/transfers/"],
        "xining": ["/handover/", "/handover/worklist/", "/handover/report-in/?cohort=2026",
                   "/handover/transfers/", f"/handover/transfers/new/{received[0].pk}/", "/reporting/progress/"],
        "haidong": ["/handover/transfers/"],
        "jiaoyu": ["/handover/education/?cohort=2026"],
    }  # fmt: skip


def test_no_handover_page_links_with_an_id_number_or_phone(client, situation):
    from core.models import User

    checked = 0
    for username, urls in pages_for(situation).items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            for link in URL_ATTRIBUTES.findall(response.content.decode()):
                assert not personal_data_in(link), (url, link)
                checked += 1
    assert checked > 50  # the pages were really read


def test_handover_posts_redirect_without_an_id_number_or_phone(client, situation, prefecture_clerk):
    client.force_login(prefecture_clerk)
    stranger = make_id_number(seq=890)
    responses = [
        client.post(
            reverse("handover:report_in"),
            {"cohort": "2026", "kind": "archive", "lines": f"报到学生 {stranger} 13800009999"},
        ),
        client.post(
            reverse("handover:contact", args=[situation[0].pk]),
            {"method": "phone", "outcome": "no_answer", "note": f"新号码 13800009999 {stranger}"},
        ),
        client.post(
            reverse("graduates:prefill"), {"name": "报到学生", "id_number": stranger, "cohort": "2026"}
        ),
    ]
    for response in responses:
        assert response.status_code == 302
        assert not personal_data_in(response["Location"]), response["Location"]

"""Offices contact every received graduate one by one, and match those who report in."""

import re

import pytest
from django.urls import reverse

from graduates.models import Graduate
from handover.batches.actions import dispatch_batch
from handover.contact.actions import record_contact, record_report_ins
from handover.models import ContactAttempt, HandoverBatch, ReportIn
from tests.handover.test_dispatch import education_list
from tests.roster_files import roster_row


@pytest.fixture
def received(province_admin):
    rows = [roster_row(n, **{"入学前户口所在地": "630102"}) for n in range(1, 5)]
    education_list(province_admin, rows)
    dispatch_batch(batch=HandoverBatch.objects.get(), acting_user=province_admin)
    return list(Graduate.objects.order_by("name"))


def test_the_worklist_shows_received_graduates_oldest_first(
    client, received, prefecture_clerk, other_prefecture_clerk
):
    client.force_login(prefecture_clerk)
    rows = client.get(reverse("handover:worklist")).context["page"].object_list
    assert [g.name for g in rows] == [g.name for g in sorted(received, key=lambda g: g.pk)]
    client.force_login(other_prefecture_clerk)
    assert client.get(reverse("handover:worklist")).context["page"].paginator.count == 0


def test_each_contact_attempt_is_logged_and_moves_the_record(received, prefecture_clerk):
    first, second, third = received[:3]
    record_contact(graduate=first, method="phone", outcome="no_answer", acting_user=prefecture_clerk)
    record_contact(graduate=first, method="home", outcome="verified", acting_user=prefecture_clerk)
    record_contact(graduate=second, method="phone", outcome="unreachable", acting_user=prefecture_clerk)
    record_contact(graduate=third, method="phone", outcome="employed", acting_user=prefecture_clerk)
    states = {g.name: g.state for g in Graduate.objects.all()}
    assert (states[first.name], states[second.name], states[third.name]) == (
        "verified",
        "unreachable",
        "employed",
    )
    assert ContactAttempt.objects.filter(graduate=first).count() == 2


def test_contact_from_the_worklist_page(client, received, prefecture_clerk):
    client.force_login(prefecture_clerk)
    graduate = received[0]
    client.post(reverse("handover:contact", args=[graduate.pk]), {"method": "phone", "outcome": "verified"})
    assert Graduate.objects.get(pk=graduate.pk).state == "verified"
    assert graduate.name not in [
        g.name for g in client.get(reverse("handover:worklist")).context["page"].object_list
    ]


def test_another_prefecture_cannot_log_a_contact(client, received, other_prefecture_clerk):
    client.force_login(other_prefecture_clerk)
    response = client.post(
        reverse("handover:contact", args=[received[0].pk]), {"method": "phone", "outcome": "verified"}
    )
    assert response.status_code == 404 and not ContactAttempt.objects.exists()


def test_report_in_gives_three_lists(client, received, prefecture_clerk):
    from tests.factories import make_id_number

    stranger = make_id_number(seq=888)
    result = record_report_ins(
        entries=[
            {"name": received[0].name, "id_number": received[0].id_number.lower(), "kind": "record",
             "transfer_no": "ZD2026001", "verify_no": "HY123"},
            {"name": "现场学生", "id_number": stranger, "kind": "archive"},
        ],
        cohort=2026,
        acting_user=prefecture_clerk,
    )  # fmt: skip
    assert (result.matched, result.unknown) == (1, 1)
    assert Graduate.objects.get(pk=received[0].pk).state == "verified"
    assert ReportIn.objects.get(graduate=received[0]).transfer_no == "ZD2026001"
    client.force_login(prefecture_clerk)
    lists = client.get(reverse("handover:report_in"), {"cohort": 2026}).context["lists"]
    assert [r.name for r in lists["matched"]] == [received[0].name]
    assert {g.name for g in lists["not_reported"]} == {g.name for g in received[1:]}
    assert [r.id_number for r in lists["unknown"]] == [stranger]
    page = client.get(reverse("handover:report_in"), {"cohort": 2026}).content.decode()
    assert stranger not in " ".join(urls_in(page))  # no ID number in any link of the page
    # 现场登记 posts what is known; the registration form opens prefilled behind a token.
    response = client.post(
        reverse("graduates:prefill"), {"name": "现场学生", "id_number": stranger, "cohort": "2026"}
    )
    assert stranger not in response["Location"]
    assert client.get(response["Location"]).context["form"].initial["id_number"] == stranger
    assert f'action="{reverse("graduates:prefill")}"' in page


URL_ATTRIBUTES = re.compile(r'(?:href|action|src|formaction|hx-get|hx-post)="([^"]*)"')


def urls_in(page: str) -> list[str]:
    return URL_ATTRIBUTES.findall(page)


def test_report_in_page_accepts_pasted_lines_and_refuses_bad_ids(client, received, prefecture_clerk):
    client.force_login(prefecture_clerk)
    good = f"{received[1].name}\t{received[1].id_number}\tBDZ2022-001"
    response = client.post(
        reverse("handover:report_in"), {"cohort": 2026, "kind": "certificate", "lines": good + "\n坏号码,123"}
    )
    assert "第 2 行" in response.content.decode() and not ReportIn.objects.exists()  # nothing half-written
    client.post(reverse("handover:report_in"), {"cohort": 2026, "kind": "certificate", "lines": good})
    assert ReportIn.objects.get().certificate_no == "BDZ2022-001"


def test_unreachable_list_goes_to_education_and_the_answers_come_back(client, received, prefecture_clerk):
    import io

    import openpyxl

    for graduate in received[:2]:
        record_contact(graduate=graduate, method="phone", outcome="unreachable", acting_user=prefecture_clerk)
    client.force_login(prefecture_clerk)
    response = client.get(reverse("handover:unreachable_export"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名", "公民身份号码") and len(rows) == 3
    assert {r[1] for r in rows[1:]} == {g.id_number for g in received[:2]}
    # The Education side fills in a new mobile number for the first one.
    sheet = workbook.active
    sheet.cell(row=2, column=6, value="13911112222")
    answered = io.BytesIO()
    workbook.save(answered)
    answered.name = "反馈.xlsx"
    answered.seek(0)
    client.post(reverse("handover:unreachable_answers"), {"file": answered})
    updated = Graduate.objects.with_id_number(rows[1][1]).get()
    assert (updated.mobile, updated.state) == ("13911112222", "waiting")
    assert updated.changes.filter(note="教育部门反馈的联系方式").exists()
    assert Graduate.objects.with_id_number(rows[2][1]).get().state == "unreachable"


def test_answers_with_a_bad_cell_change_nothing(client, received, prefecture_clerk):
    import io

    import openpyxl

    record_contact(graduate=received[0], method="phone", outcome="unreachable", acting_user=prefecture_clerk)
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "公民身份号码", "毕业院校", "手机号码"])
    workbook.active.append([received[0].name, received[0].id_number, "青海大学", "12345"])
    answered = io.BytesIO()
    workbook.save(answered)
    answered.name = "反馈.xlsx"
    answered.seek(0)
    client.force_login(prefecture_clerk)
    response = client.post(reverse("handover:unreachable_answers"), {"file": answered}, follow=True)
    assert "第 2 行 手机号码" in response.content.decode()
    assert Graduate.objects.get(pk=received[0].pk).state == "unreachable"


def test_an_accepted_transfer_moves_the_hand_over_item_to_the_receiving_office(
    received, prefecture_clerk, other_prefecture_clerk
):
    from core.models import Office
    from handover.batches.selectors import acknowledgement_status
    from handover.transfers.actions import accept_transfer, request_transfer

    haidong = Office.objects.get(kind="prefecture", region_id="630200")
    transfer = request_transfer(
        graduate=received[0], to_office=haidong, reason="现居海东", acting_user=prefecture_clerk
    )
    accept_transfer(transfer=transfer, acting_user=other_prefecture_clerk)
    item = received[0].handover_items.get()
    assert (item.office, item.acknowledged_by) == (haidong, other_prefecture_clerk)
    received_by = {
        row["office__region_id"]: row["received"] for row in acknowledgement_status(other_prefecture_clerk)
    }
    assert received_by == {"630200": 1}


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "http://evil.example",
        "/\\evil.example/",
        "abc",
        "admin:index",
    ],
)
def test_contact_form_never_redirects_to_another_site(client, received, prefecture_clerk, target):
    client.force_login(prefecture_clerk)
    response = client.post(
        reverse("handover:contact", args=[received[0].pk]),
        {"method": "phone", "outcome": "no_answer", "next": target},
    )
    assert response.status_code == 302 and response["Location"] == reverse("handover:worklist")


def test_contact_form_follows_a_next_on_this_site(client, received, prefecture_clerk):
    client.force_login(prefecture_clerk)
    here = reverse("handover:worklist") + "?mine=1&page=1"
    response = client.post(
        reverse("handover:contact", args=[received[0].pk]),
        {"method": "phone", "outcome": "no_answer", "next": here},
    )
    assert response["Location"] == here


def test_a_note_with_a_nul_byte_is_refused_in_chinese(client, received, prefecture_clerk):
    client.force_login(prefecture_clerk)
    response = client.post(
        reverse("handover:contact", args=[received[0].pk]),
        {"method": "phone", "outcome": "verified", "note": "a\x00b"},
        follow=True,
    )
    assert response.status_code == 200 and "空字符" in response.content.decode()
    assert not ContactAttempt.objects.exists()


def test_no_intention_from_the_page_makes_the_record_not_seeking(client, received, prefecture_clerk):
    client.force_login(prefecture_clerk)
    page = client.get(reverse("handover:worklist")).content.decode()
    assert "数据比对" in page and "窗口办理" in page and "暂无就业意愿" in page
    client.post(
        reverse("handover:contact", args=[received[0].pk]), {"method": "window", "outcome": "no_intention"}
    )
    assert Graduate.objects.get(pk=received[0].pk).state == "not_seeking"


def test_report_in_never_moves_a_settled_or_not_seeking_record_back(received, prefecture_clerk):
    Graduate.objects.filter(pk=received[0].pk).update(state="employed")
    Graduate.objects.filter(pk=received[1].pk).update(state="studying")
    Graduate.objects.filter(pk=received[2].pk).update(state="not_seeking")
    Graduate.objects.filter(pk=received[3].pk).update(state="unreachable")
    entries = [{"name": g.name, "id_number": g.id_number, "kind": ReportIn.Kind.ARCHIVE} for g in received]
    result = record_report_ins(entries=entries, cohort=received[0].cohort, acting_user=prefecture_clerk)
    assert result.matched == 4
    states = [Graduate.objects.get(pk=g.pk).state for g in received]
    assert states == ["employed", "studying", "not_seeking", "verified"]


def answers_file(rows) -> bytes:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "公民身份号码", "手机号码"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_answers_loaded_while_a_clerk_reaches_the_graduate_never_undo_the_clerks_step(
    demo_province, county_clerk, prefecture_clerk
):
    """Two real connections: a clerk records 已核实 (row locked, not yet committed) while the Education side's
    answers load. The answers read the record as 无法联系, then wait for the row; once the clerk commits they
    find it 已核实 and leave it alone: no new phone, no step back to 待联系."""
    import threading
    import time

    from django.db import connection, transaction

    from graduates.actions import create_graduate
    from handover.contact.unreachable import load_answers
    from tests.factories import unsaved_graduate

    graduate = create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    record_contact(graduate=graduate, method="phone", outcome="unreachable", acting_user=county_clerk)
    content = answers_file([[graduate.name, graduate.id_number, "13911112222"]])
    clerk_holds, answers_wait = threading.Event(), threading.Event()
    results, errors = [], []

    def clerk() -> None:
        try:
            with transaction.atomic():
                record_contact(graduate=graduate, method="home", outcome="verified", acting_user=county_clerk)
                clerk_holds.set()
                assert answers_wait.wait(timeout=20), "the answers never waited for the clerk's row"
        except Exception as exc:  # shown by the assertion below
            errors.append(exc)
        finally:
            clerk_holds.set()
            connection.close()

    def answers() -> None:
        try:
            clerk_holds.wait(timeout=20)
            results.append(load_answers(content=content, acting_user=prefecture_clerk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk), threading.Thread(target=answers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:  # the test's own connection watches the answers wait for the row lock
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
    answers_wait.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert results[0].updated == 0
    graduate = Graduate.objects.get(pk=graduate.pk)
    assert (graduate.state, graduate.mobile) == ("verified", "13800000001")
    assert not graduate.changes.filter(note="教育部门反馈的联系方式").exists()

"""Transfers: the sender asks, the receiver accepts or rejects, the sender keeps the graduate until then."""

import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.models import AuditEvent, Office, OfficeKind, Region
from graduates.actions import create_graduate
from graduates.models import Graduate, GraduateChange
from handover.models import Transfer
from handover.transfers.actions import accept_transfer, cancel_transfer, reject_transfer, request_transfer
from handover.transfers.selectors import inbox, outbox
from tests.factories import make_id_number, unsaved_graduate


def haidong() -> Office:
    return Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="630200")


@pytest.fixture
def graduate(county_clerk) -> Graduate:
    """A graduate registered by 城东区, who now lives in 海东."""
    return create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)


@pytest.fixture
def requested(graduate, county_clerk) -> Transfer:
    return request_transfer(
        graduate=graduate, to_office=haidong(), reason="现居海东市平安区", acting_user=county_clerk
    )


def handover_notes(graduate) -> list[str]:
    return list(graduate.changes.filter(kind="handover").order_by("at", "id").values_list("note", flat=True))


def test_a_request_leaves_the_graduate_with_the_sender(requested, graduate, county_clerk):
    graduate.refresh_from_db()
    assert requested.status == "requested"
    assert requested.from_office == county_clerk.office
    assert graduate.responsible_office == county_clerk.office
    assert graduate.version == 1
    assert handover_notes(graduate) == [f"申请转移至 {haidong().name}：现居海东市平安区"]
    assert AuditEvent.objects.filter(action="handover.transfer.requested").count() == 1


def test_accepting_moves_the_graduate_and_writes_the_timeline(
    requested, graduate, county_clerk, other_prefecture_clerk
):
    Graduate.objects.filter(pk=graduate.pk).update(staff=county_clerk)
    assert list(inbox(other_prefecture_clerk)) == [requested]
    accept_transfer(transfer=requested, acting_user=other_prefecture_clerk, note="已联系本人")
    graduate.refresh_from_db()
    requested.refresh_from_db()
    assert requested.status == "accepted" and requested.decided_by == other_prefecture_clerk
    assert graduate.responsible_office == haidong()
    assert graduate.staff is None and graduate.state == "waiting" and graduate.version == 2
    accepted = graduate.changes.filter(kind="handover").order_by("-at", "-id").first()
    assert accepted.changes == {
        "responsible_office_id": [county_clerk.office_id, haidong().pk],
        "staff_id": [county_clerk.pk, None],
    }
    assert len(handover_notes(graduate)) == 2
    # The sender no longer sees the record; the receiver does.
    assert not Graduate.objects.in_scope_of(county_clerk).filter(pk=graduate.pk).exists()
    assert Graduate.objects.in_scope_of(other_prefecture_clerk).filter(pk=graduate.pk).exists()
    assert not inbox(other_prefecture_clerk).exists()


def test_rejecting_needs_a_note_and_keeps_the_graduate(
    requested, graduate, county_clerk, other_prefecture_clerk
):
    with pytest.raises(ValidationError, match="理由"):
        reject_transfer(transfer=requested, acting_user=other_prefecture_clerk, note="  ")
    reject_transfer(transfer=requested, acting_user=other_prefecture_clerk, note="本人已回西宁")
    graduate.refresh_from_db()
    requested.refresh_from_db()
    assert requested.status == "rejected" and requested.decision_note == "本人已回西宁"
    assert graduate.responsible_office == county_clerk.office and graduate.version == 1
    assert handover_notes(graduate)[-1].endswith("拒绝转移：本人已回西宁")
    with pytest.raises(ValidationError, match="已拒绝"):
        accept_transfer(transfer=requested, acting_user=other_prefecture_clerk)


def test_only_the_receiving_side_decides(requested, county_clerk, prefecture_clerk, university_clerk):
    for user in (county_clerk, prefecture_clerk, university_clerk):
        with pytest.raises(PermissionDenied):
            accept_transfer(transfer=requested, acting_user=user)
        with pytest.raises(PermissionDenied):
            reject_transfer(transfer=requested, acting_user=user, note="不")
    assert not inbox(prefecture_clerk).exists()
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_the_province_admin_may_decide_for_a_receiving_office(requested, province_admin):
    accept_transfer(transfer=requested, acting_user=province_admin)
    assert Graduate.objects.get().responsible_office == haidong()


def test_only_offices_covering_the_graduate_may_request(graduate, other_prefecture_clerk, university_clerk):
    for user in (other_prefecture_clerk, university_clerk):
        with pytest.raises(PermissionDenied):
            request_transfer(graduate=graduate, to_office=haidong(), reason="x", acting_user=user)


def test_a_request_needs_a_reason_and_one_valid_target(graduate, county_clerk):
    with pytest.raises(ValidationError, match="原因"):
        request_transfer(graduate=graduate, to_office=haidong(), reason=" ", acting_user=county_clerk)
    with pytest.raises(ValidationError, match="二者选一"):
        request_transfer(graduate=graduate, reason="x", acting_user=county_clerk)
    with pytest.raises(ValidationError, match="二者选一"):
        request_transfer(
            graduate=graduate,
            to_office=haidong(),
            to_region=Region.objects.get(code="620102"),
            reason="x",
            acting_user=county_clerk,
        )
    with pytest.raises(ValidationError, match="当前的责任机构"):
        request_transfer(
            graduate=graduate, to_office=county_clerk.office, reason="x", acting_user=county_clerk
        )
    bureau = Office.objects.get(kind=OfficeKind.BUREAU)
    with pytest.raises(ValidationError, match="市（州）或县"):
        request_transfer(graduate=graduate, to_office=bureau, reason="x", acting_user=county_clerk)
    with pytest.raises(ValidationError, match="省内转移"):
        request_transfer(
            graduate=graduate,
            to_region=Region.objects.get(code="630202"),
            reason="x",
            acting_user=county_clerk,
        )
    assert not Transfer.objects.exists()


def test_a_second_request_while_one_is_open_is_refused(requested, graduate, county_clerk):
    other = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="632200")
    with pytest.raises(ValidationError, match="已有待处理的转移申请"):
        request_transfer(graduate=graduate, to_office=other, reason="又搬家了", acting_user=county_clerk)
    assert Transfer.objects.count() == 1


def test_the_sender_cancels_an_open_request_and_may_ask_again(
    requested, graduate, county_clerk, prefecture_clerk, other_prefecture_clerk
):
    with pytest.raises(PermissionDenied):
        cancel_transfer(transfer=requested, acting_user=other_prefecture_clerk)
    cancel_transfer(transfer=requested, acting_user=prefecture_clerk)  # the sender's prefecture may too
    requested.refresh_from_db()
    assert requested.status == "cancelled"
    assert handover_notes(graduate)[-1].startswith("撤回转移至 ")
    with pytest.raises(ValidationError, match="已撤回"):
        cancel_transfer(transfer=requested, acting_user=county_clerk)
    with pytest.raises(ValidationError, match="已撤回"):
        accept_transfer(transfer=requested, acting_user=other_prefecture_clerk)
    again = request_transfer(
        graduate=graduate, to_office=haidong(), reason="再次申请", acting_user=county_clerk
    )
    assert again.status == "requested"
    assert [t.status for t in outbox(county_clerk)] == ["requested", "cancelled"]


def test_leaving_the_province_is_final_at_once(graduate, county_clerk):
    gansu = Region.objects.get(code="620102")
    transfer = request_transfer(
        graduate=graduate, to_region=gansu, reason="随家人迁往兰州", acting_user=county_clerk
    )
    graduate.refresh_from_db()
    assert transfer.status == "left" and transfer.to_office is None and transfer.decided_by == county_clerk
    assert graduate.state == "transferred" and graduate.version == 2
    assert graduate.responsible_office == county_clerk.office  # counted by the sender as 已转出
    state = graduate.changes.get(kind=GraduateChange.Kind.STATE)
    assert state.changes == {"state": ["waiting", "transferred"]}
    assert handover_notes(graduate)[0].startswith("转出省外（")
    assert not inbox(county_clerk).exists()
    with pytest.raises(ValidationError, match="已转出"):
        request_transfer(graduate=graduate, to_office=haidong(), reason="x", acting_user=county_clerk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_open_exactly_one(demo_province, county_clerk, prefecture_clerk):
    graduate = create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number(seq=321)), acting_user=county_clerk
    )
    targets = [haidong(), Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="632200")]
    users = [county_clerk, prefecture_clerk]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            request_transfer(
                graduate=graduate, to_office=targets[index], reason=f"第{index}次", acting_user=users[index]
            )
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("refused" if "已有待处理" in str(exc) else repr(exc))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Transfer.objects.filter(graduate=graduate, status="requested").count() == 1
    assert GraduateChange.objects.filter(graduate=graduate, kind="handover").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_accept_and_cancel_settle_once(demo_province, county_clerk, other_prefecture_clerk):
    graduate = create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number(seq=322)), acting_user=county_clerk
    )
    transfer = request_transfer(
        graduate=graduate, to_office=haidong(), reason="现居海东", acting_user=county_clerk
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(step) -> None:
        try:
            barrier.wait(timeout=10)
            step()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    steps = [
        lambda: accept_transfer(transfer=transfer, acting_user=other_prefecture_clerk),
        lambda: cancel_transfer(transfer=transfer, acting_user=county_clerk),
    ]
    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    transfer.refresh_from_db()
    graduate.refresh_from_db()
    assert transfer.status in ("accepted", "cancelled")
    assert (graduate.responsible_office == haidong()) == (transfer.status == "accepted")


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_request_form_offers_offices_by_prefecture_and_submits(client, graduate, county_clerk):
    client.force_login(county_clerk)
    url = f"/handover/transfers/new/{graduate.pk}/"
    page = client.get(url).content.decode()
    assert '<optgroup label="海东市' in page and "省外（转出本省）" in page
    assert f'<option value="{county_clerk.office_id}"' not in page  # not the current office
    response = client.post(url, {"target": "out", "region_code": "", "reason": "x"})
    assert "有效的 6 位区划代码" in response.content.decode()
    response = client.post(url, {"target": str(haidong().pk), "reason": "现居海东"})
    assert response.status_code == 302 and response.url == f"/graduates/{graduate.pk}/"
    assert Transfer.objects.get().to_office == haidong()
    assert "已有待处理的转移申请" in client.get(url).content.decode()


def test_the_request_form_records_leaving_the_province(client, graduate, county_clerk):
    client.force_login(county_clerk)
    url = f"/handover/transfers/new/{graduate.pk}/"
    response = client.post(url, {"target": "out", "region_code": "620102", "reason": "迁往兰州"})
    assert response.status_code == 302
    assert Graduate.objects.get().state == "transferred"


def test_out_of_scope_graduates_are_not_found(client, graduate, other_prefecture_clerk, university_clerk):
    client.force_login(other_prefecture_clerk)
    assert client.get(f"/handover/transfers/new/{graduate.pk}/").status_code == 404
    client.force_login(university_clerk)
    assert client.get("/handover/transfers/").status_code == 403


def test_the_receiver_accepts_or_rejects_from_the_list(
    client, requested, graduate, prefecture_clerk, other_prefecture_clerk, county_clerk
):
    client.force_login(prefecture_clerk)  # not the receiver: the request is not theirs to decide
    assert client.post(f"/handover/transfers/{requested.pk}/accept/").status_code == 404
    client.force_login(other_prefecture_clerk)
    page = client.get("/handover/transfers/").content.decode()
    assert graduate.name in page and "现居海东市平安区" in page
    response = client.post(f"/handover/transfers/{requested.pk}/reject/", {"note": ""}, follow=True)
    assert "拒绝转移时请填写理由" in response.content.decode()
    client.post(f"/handover/transfers/{requested.pk}/accept/", {"note": "同意"})
    assert Graduate.objects.get().responsible_office == haidong()
    record = client.get(f"/graduates/{graduate.pk}/").content.decode()  # the timeline shows every step
    assert f"责任机构：{county_clerk.office.name} → {haidong().name}" in record
    assert "申请转移至 " in record and "接收转移：同意" in record
    client.force_login(county_clerk)
    assert "已接收" in client.get("/handover/transfers/").content.decode()


def test_the_sender_cancels_from_the_list(client, requested, county_clerk, other_prefecture_clerk):
    client.force_login(other_prefecture_clerk)
    assert client.post(f"/handover/transfers/{requested.pk}/cancel/").status_code == 404
    client.force_login(county_clerk)
    client.post(f"/handover/transfers/{requested.pk}/cancel/")
    requested.refresh_from_db()
    assert requested.status == "cancelled"


def test_the_list_page_runs_a_fixed_number_of_queries(
    client, county_clerk, other_prefecture_clerk, django_assert_max_num_queries
):
    for seq in range(3):
        g = create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=400 + seq)), acting_user=county_clerk
        )
        request_transfer(graduate=g, to_office=haidong(), reason="现居海东", acting_user=county_clerk)
    client.force_login(other_prefecture_clerk)
    with django_assert_max_num_queries(12):
        assert client.get("/handover/transfers/").status_code == 200


def test_register_adds_the_nav_entry_and_the_counter(
    monkeypatch, requested, other_prefecture_clerk, county_clerk
):
    from core import navigation
    from handover.transfers.navigation import register

    monkeypatch.setattr(navigation, "_NAV", [])
    monkeypatch.setattr(navigation, "_COUNTERS", [])
    register()
    assert navigation.nav_for(county_clerk) == [
        {"label": "转移", "url": "/handover/transfers/", "url_name": "transfers:list"}
    ]
    assert navigation.waiting_work_for(other_prefecture_clerk) == [
        {"label": "待处理的转移申请", "url": "/handover/transfers/", "count": 1}
    ]


# --- a decided transfer says what happened (the office that lost the race, or a stale page) ----------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_accepting_a_transfer_the_sender_withdrew_says_so(
    client, requested, graduate, county_clerk, other_prefecture_clerk
):
    cancel_transfer(transfer=requested, acting_user=county_clerk)
    client.force_login(other_prefecture_clerk)  # its page still shows the request
    for step in ("accept", "reject"):
        response = client.post(f"/handover/transfers/{requested.pk}/{step}/", {"note": "同意"}, follow=True)
        assert response.redirect_chain[-1][0] == "/handover/transfers/"
        said = messages_of(response)
        assert said == [f"该转移申请已被{county_clerk.office.name}处理（已撤回），无需再操作。"]
        assert graduate.name not in said[0]
    assert Graduate.objects.get().responsible_office == county_clerk.office


def test_withdrawing_a_transfer_already_accepted_says_who_took_it(
    client, requested, county_clerk, other_prefecture_clerk
):
    accept_transfer(transfer=requested, acting_user=other_prefecture_clerk)
    client.force_login(county_clerk)
    response = client.post(f"/handover/transfers/{requested.pk}/cancel/", follow=True)
    assert messages_of(response) == [f"该转移申请已被{haidong().name}处理（已接收），无需再操作。"]
    requested.refresh_from_db()
    assert requested.status == "accepted"


def test_a_second_decision_on_a_stale_page_says_it_was_rejected(
    client, requested, province_admin, other_prefecture_clerk
):
    reject_transfer(transfer=requested, acting_user=province_admin, note="本人已回西宁")
    client.force_login(other_prefecture_clerk)
    response = client.post(f"/handover/transfers/{requested.pk}/accept/", follow=True)
    bureau = Office.objects.get(kind=OfficeKind.BUREAU)
    assert messages_of(response) == [f"该转移申请已被{bureau.name}处理（已拒绝），无需再操作。"]


def test_a_transfer_of_another_office_is_still_not_found(client, requested, prefecture_clerk):
    client.force_login(prefecture_clerk)  # neither the receiver nor above it
    assert client.post(f"/handover/transfers/{requested.pk}/accept/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_office_that_loses_the_race_is_told_what_happened(
    demo_province, county_clerk, other_prefecture_clerk
):
    """Receiver accepts and sender withdraws at the same moment, from the pages (two real connections)."""
    from django.test import Client

    graduate = create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number(seq=323)), acting_user=county_clerk
    )
    transfer = request_transfer(
        graduate=graduate, to_office=haidong(), reason="现居海东", acting_user=county_clerk
    )
    barrier = threading.Barrier(2)
    said: dict[str, list[str]] = {}

    def run(user, step) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            response = client.post(f"/handover/transfers/{transfer.pk}/{step}/", {"note": ""}, follow=True)
            # The page's text, not response.context: context capture is shared between threads.
            page = response.content.decode()
            found = re.findall(
                r"(该转移申请已被[^<]*?无需再操作。|已接收 [^<]*?。|已撤回 [^<]*?的转移申请。)", page
            )
            said[step] = [f"{response.status_code}", *found]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(other_prefecture_clerk, "accept")),
        threading.Thread(target=run, args=(county_clerk, "cancel")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    transfer.refresh_from_db()
    winner, loser = ("accept", "cancel") if transfer.status == "accepted" else ("cancel", "accept")
    assert said[winner][0] == said[loser][0] == "200"
    assert said[winner][1].startswith(("已接收", "已撤回"))
    assert said[loser][1].startswith("该转移申请已被") and said[loser][1].endswith("无需再操作。")
    assert graduate.name not in said[loser][1]

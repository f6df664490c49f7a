"""The handover through the API: batches (the bureau's), items (each office its share; 签收), transfers (request,
accept, reject, withdraw). Scope per persona: another office's item or transfer is 404; token and session."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent, Office, OfficeKind
from graduates.actions import create_graduate
from graduates.models import Graduate
from graduates.roster import actions as roster
from handover.batches.actions import dispatch_batch
from handover.models import HandoverBatch, HandoverItem, Transfer
from tests.factories import unsaved_graduate
from tests.roster_files import roster_bytes, roster_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Idempotency keys and throttle counters live in the cache (Redis): none left from an earlier test."""
    cache.clear()


def api(user=None) -> APIClient:
    """A client calling as USER with a token (Authorization: Token …), as another system does."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def office(region: str, kind: str = OfficeKind.PREFECTURE) -> Office:
    return Office.objects.get(kind=kind, region_id=region)


@pytest.fixture
def batch(province_admin) -> HandoverBatch:
    """The Education Dept's list received by the bureau and dispatched: one graduate to 西宁市, one to 海东市."""
    rows = [
        roster_row(1, **{"入学前户口所在地": "630102"}),  # 西宁市 城东区
        roster_row(2, **{"入学前户口所在地": "630203"}),  # 海东市 平安区
    ]
    upload = roster.create_upload(
        content=roster_bytes(rows),
        filename="移交名单.xlsx",
        source="education",
        cohort=2026,
        acting_user=province_admin,
    )
    roster.commit_upload(upload=roster.check_upload(upload), acting_user=province_admin)
    batch = HandoverBatch.objects.get()
    dispatch_batch(batch=batch, acting_user=province_admin)
    return batch


def item_of(name: str) -> HandoverItem:
    return HandoverItem.objects.get(graduate__name=name)


# --- authentication --------------------------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_and_with_a_wrong_one_too(batch):
    assert api().get("/api/v1/handover-items/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/handover-items/").status_code == 401


def test_the_browser_session_reads_and_needs_the_csrf_token_to_write(batch, prefecture_clerk):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(prefecture_clerk)
    assert browser.get("/api/v1/handover-items/").status_code == 200
    refused = browser.post("/api/v1/handover-items/acknowledge/")
    assert refused.status_code == 403
    assert not HandoverItem.objects.filter(acknowledged_at__isnull=False).exists()


# --- batches ---------------------------------------------------------------------------------------------------


def test_the_bureau_lists_its_batches_with_their_counts(batch, province_admin):
    answer = api(province_admin).get("/api/v1/handover-batches/")
    assert answer.status_code == 200
    (row,) = answer.json()["results"]
    assert (row["id"], row["source"], row["cohort"], row["status"], row["total"], row["dispatched"]) == (
        batch.pk,
        "education",
        2026,
        "dispatched",
        2,
        2,
    )
    assert (
        api(province_admin).get(f"/api/v1/handover-batches/{batch.pk}/").json()["status_display"] == "已分发"
    )


def test_offices_see_no_batch_and_a_batch_is_404_for_them(
    batch, prefecture_clerk, county_clerk, university_clerk
):
    for user in (prefecture_clerk, county_clerk, university_clerk):
        assert api(user).get("/api/v1/handover-batches/").json()["results"] == []
        assert api(user).get(f"/api/v1/handover-batches/{batch.pk}/").status_code == 404


def test_a_bad_filter_is_a_400_naming_the_parameter(batch, province_admin):
    answer = api(province_admin).get("/api/v1/handover-batches/", {"source": "nowhere"})
    assert answer.status_code == 400
    assert list(answer.json()) == ["source"]


# --- items and 签收 ---------------------------------------------------------------------------------------------


def test_each_office_lists_only_the_items_dispatched_into_its_subtree(
    batch, province_admin, prefecture_clerk, other_prefecture_clerk, county_clerk, university_clerk
):
    def names(user):
        answer = api(user).get("/api/v1/handover-items/")
        assert answer.status_code == 200
        return sorted(row["graduate_name"] for row in answer.json()["results"])

    assert names(province_admin) == ["名单学生1", "名单学生2"]
    assert names(prefecture_clerk) == ["名单学生1"]
    assert names(other_prefecture_clerk) == ["名单学生2"]
    assert names(county_clerk) == []  # dispatched to the prefecture office, not yet passed down
    assert names(university_clerk) == []


def test_another_offices_item_is_404_not_403(batch, prefecture_clerk, other_prefecture_clerk, county_clerk):
    xining = item_of("名单学生1")
    assert (
        api(prefecture_clerk).get(f"/api/v1/handover-items/{xining.pk}/").json()["office_name"]
        == xining.office.name
    )
    for user in (other_prefecture_clerk, county_clerk):
        answer = api(user).get(f"/api/v1/handover-items/{xining.pk}/")
        assert answer.status_code == 404
        assert answer.json() == {"detail": "未找到该记录，或该记录不在您的数据范围内。"}
    assert api(prefecture_clerk).get("/api/v1/handover-items/999999999/").json() == answer.json()


def test_signing_for_acknowledges_the_offices_own_share_only(batch, prefecture_clerk):
    answer = api(prefecture_clerk).post("/api/v1/handover-items/acknowledge/")
    assert answer.status_code == 200
    assert answer.json() == {"acknowledged": 1, "message": "已签收 1 名毕业生。请逐一联系核实。"}
    assert item_of("名单学生1").acknowledged_by == prefecture_clerk
    assert item_of("名单学生2").acknowledged_at is None  # 海东's
    assert AuditEvent.objects.filter(action="handover.acknowledged", actor=prefecture_clerk).exists()
    # Filters: what is still waiting, and signing again signs nothing.
    waiting = (
        api(prefecture_clerk).get("/api/v1/handover-items/", {"acknowledged": "false"}).json()["results"]
    )
    assert waiting == []
    assert api(prefecture_clerk).post("/api/v1/handover-items/acknowledge/").json()["acknowledged"] == 0


def test_a_university_cannot_sign_for_anything(batch, university_clerk):
    answer = api(university_clerk).post("/api/v1/handover-items/acknowledge/")
    assert answer.status_code == 403
    assert answer.json() == {"detail": "只有就业服务机构的工作人员可以进行此操作。"}


# --- transfers -------------------------------------------------------------------------------------------------


@pytest.fixture
def graduate(county_clerk) -> Graduate:
    """A graduate registered by 城东区 (西宁市), who now lives in 海东."""
    return create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)


def ask(user, key: str | None = None, **body):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api(user).post("/api/v1/transfers/", body, format="json", **headers)


def test_a_transfer_request_is_created_once_for_one_idempotency_key(graduate, county_clerk):
    haidong = office("630200")
    body = {"graduate": graduate.pk, "to_office": haidong.pk, "reason": "现居海东市平安区"}
    first = ask(county_clerk, "transfer-1", **body)
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "requested" and first.json()["to_office_name"] == haidong.name
    again = ask(county_clerk, "transfer-1", **body)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Transfer.objects.count() == 1
    # The same key for another body is refused; a new key is a new request (refused: one is open already).
    assert ask(county_clerk, "transfer-1", **{**body, "reason": "另一个原因"}).status_code == 422
    second = ask(county_clerk, "transfer-2", **body)
    assert second.status_code == 400
    assert second.json() == {"non_field_errors": ["该毕业生已有待处理的转移申请，请等待对方处理或先撤回。"]}


def test_a_bad_transfer_request_answers_the_pages_messages_by_field(
    graduate, county_clerk, other_prefecture_clerk
):
    assert ask(county_clerk, graduate=graduate.pk, to_office=office("630200").pk).json() == {
        "reason": ["请填写转移原因。"]
    }
    assert ask(
        county_clerk, graduate=graduate.pk, reason="x" * 301, to_office=office("630200").pk
    ).json() == {"reason": ["转移原因不能超过 300 个字。"]}
    assert ask(county_clerk, graduate=graduate.pk, reason="搬家").json() == {
        "non_field_errors": ["请选择接收机构，或填写省外的现居住地（二者选一）。"]
    }
    assert ask(
        county_clerk, graduate=graduate.pk, reason="搬家", to_office=county_clerk.office.pk
    ).json() == {"non_field_errors": ["接收机构不能是当前的责任机构。"]}
    assert ask(county_clerk, graduate=graduate.pk, reason="搬家", to_region="630203").json() == {
        "non_field_errors": ["省内转移请选择接收机构；“省外”只用于转出本省。"]
    }
    assert ask(county_clerk, graduate=graduate.pk, reason="搬家", to_region="12ab").json() == {
        "to_region": ["转出省外时请填写有效的 6 位区划代码。"]
    }
    assert ask(county_clerk, graduate="abc", reason="搬家").json()["graduate"] == [
        "请填写有效的编号（正整数）。"
    ]
    # Another office's graduate reads exactly like one that does not exist (no enumeration).
    elsewhere = ask(
        other_prefecture_clerk, graduate=graduate.pk, reason="搬家", to_office=office("630100").pk
    )
    missing = ask(other_prefecture_clerk, graduate=999999999, reason="搬家", to_office=office("630100").pk)
    assert elsewhere.status_code == missing.status_code == 400
    assert (
        elsewhere.json()
        == missing.json()
        == {"graduate": ["没有找到该毕业生，或该毕业生不在您的数据范围内。"]}
    )
    assert not Transfer.objects.exists()


def test_only_employment_offices_request_transfers(graduate, education_clerk):
    answer = ask(education_clerk, graduate=graduate.pk, reason="搬家", to_office=office("630200").pk)
    assert answer.status_code == 403
    assert answer.json() == {"detail": "只有就业服务机构的工作人员可以进行此操作。"}


def test_leaving_the_province_is_final_at_once(graduate, county_clerk):
    answer = ask(county_clerk, graduate=graduate.pk, reason="去甘肃工作", to_region="620102")
    assert answer.status_code == 201
    assert (answer.json()["status"], answer.json()["to_region"], answer.json()["to_office"]) == (
        "left",
        "620102",
        None,
    )
    graduate.refresh_from_db()
    assert graduate.state == "transferred"


@pytest.fixture
def requested(graduate, county_clerk) -> Transfer:
    answer = ask(county_clerk, graduate=graduate.pk, to_office=office("630200").pk, reason="现居海东市平安区")
    return Transfer.objects.get(pk=answer.json()["id"])


def test_both_sides_see_the_transfer_and_nobody_else_does(
    requested, county_clerk, prefecture_clerk, other_prefecture_clerk, province_admin, university_clerk
):
    for user in (county_clerk, prefecture_clerk, other_prefecture_clerk, province_admin):
        assert api(user).get(f"/api/v1/transfers/{requested.pk}/").status_code == 200
    assert api(university_clerk).get(f"/api/v1/transfers/{requested.pk}/").status_code == 404
    assert api(university_clerk).get("/api/v1/transfers/").json()["results"] == []
    inbox = api(other_prefecture_clerk).get("/api/v1/transfers/", {"box": "in", "status": "requested"})
    assert [row["id"] for row in inbox.json()["results"]] == [requested.pk]
    assert api(county_clerk).get("/api/v1/transfers/", {"box": "in"}).json()["results"] == []
    assert [
        r["id"] for r in api(county_clerk).get("/api/v1/transfers/", {"box": "out"}).json()["results"]
    ] == [requested.pk]


def test_the_receiver_accepts_and_the_graduate_moves(
    requested, graduate, other_prefecture_clerk, county_clerk
):
    # The sender cannot accept its own request: for it the transfer is not in its inbox.
    assert api(county_clerk).post(f"/api/v1/transfers/{requested.pk}/accept/").status_code == 404
    answer = api(other_prefecture_clerk).post(
        f"/api/v1/transfers/{requested.pk}/accept/", {"note": "已联系本人"}
    )
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["decision_note"]) == ("accepted", "已联系本人")
    graduate.refresh_from_db()
    assert graduate.responsible_office == office("630200")
    # Deciding again says what became of it.
    again = api(other_prefecture_clerk).post(f"/api/v1/transfers/{requested.pk}/reject/", {"note": "不对"})
    assert again.status_code == 400
    assert again.json()["non_field_errors"][0].startswith("该转移申请已被")


def test_rejecting_needs_a_reason_and_keeps_the_graduate_with_the_sender(
    requested, graduate, other_prefecture_clerk, county_clerk
):
    answer = api(other_prefecture_clerk).post(f"/api/v1/transfers/{requested.pk}/reject/", {})
    assert answer.status_code == 400
    assert answer.json() == {"note": ["拒绝转移时请填写理由。"]}
    answer = api(other_prefecture_clerk).post(
        f"/api/v1/transfers/{requested.pk}/reject/", {"note": "查无此人"}
    )
    assert answer.json()["status"] == "rejected"
    graduate.refresh_from_db()
    assert graduate.responsible_office == county_clerk.office


def test_the_sender_withdraws_and_the_receiver_cannot(requested, county_clerk, other_prefecture_clerk):
    assert api(other_prefecture_clerk).post(f"/api/v1/transfers/{requested.pk}/cancel/").status_code == 404
    answer = api(county_clerk).post(f"/api/v1/transfers/{requested.pk}/cancel/")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"


def test_a_transfer_id_that_is_no_number_is_404(county_clerk):
    assert api(county_clerk).get("/api/v1/transfers/abc/").status_code == 404
    assert api(county_clerk).get(f"/api/v1/transfers/{'9' * 30}/").status_code == 404


def test_the_id_numbers_of_the_graduates_never_appear_in_handover_answers(batch, province_admin):
    numbers = list(Graduate.objects.values_list("id_number", flat=True))
    text = api(province_admin).get("/api/v1/handover-items/").content.decode()
    assert numbers and not any(number in text for number in numbers)


def queries_for(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_queries_do_not_grow_with_their_rows(batch, province_admin, county_clerk):
    client = api(province_admin)
    items, transfers = (
        queries_for(client, "/api/v1/handover-items/"),
        queries_for(client, "/api/v1/transfers/"),
    )
    more = [roster_row(seq, **{"入学前户口所在地": "630102"}) for seq in range(10, 20)]
    upload = roster.create_upload(
        content=roster_bytes(more),
        filename="补充.xlsx",
        source="education",
        cohort=2026,
        acting_user=province_admin,
    )
    roster.commit_upload(upload=roster.check_upload(upload), acting_user=province_admin)
    dispatch_batch(batch=HandoverBatch.objects.latest("pk"), acting_user=province_admin)
    for graduate in Graduate.objects.filter(responsible_office__region_id="630100")[:5]:
        Transfer.objects.create(
            graduate=graduate, from_office=graduate.responsible_office, to_office=office("630200"), reason="搬家",
            requested_by=province_admin,
        )  # fmt: skip
    assert HandoverItem.objects.count() == 12 and Transfer.objects.count() == 5
    assert queries_for(client, "/api/v1/handover-items/") == items
    assert queries_for(client, "/api/v1/transfers/") == transfers

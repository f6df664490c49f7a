"""API calls that read personal data are audited (issue 12): one `api.read` row per list or read of people, with
the filters (ID numbers and phones masked) and the number of records; a full record's retrieve stays its own
`graduate.viewed` row, not two; lists of things that name nobody (job postings) write nothing."""

import pytest

from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def reads():
    return list(AuditEvent.objects.filter(action="api.read").order_by("id"))


def test_a_list_of_graduates_is_one_audit_row_with_its_filters_masked_and_its_count(
    api_as, county_clerk, chengdong_graduate
):
    number = chengdong_graduate.id_number
    answer = api_as("county_clerk").get("/api/v1/graduates/", {"cohort": "2026", "q": "城东"})
    assert answer.status_code == 200 and len(answer.json()["results"]) == 1
    found = api_as("county_clerk").post("/api/v1/graduates/lookup/", {"id_number": number}, format="json")
    assert found.status_code == 200 and len(found.json()) == 1
    listed, looked_up = reads()
    assert listed.actor == county_clerk and listed.office_id == county_clerk.office_id
    assert listed.data["object_type"] == "graduates.graduate" and listed.data["view"] == "list"
    assert listed.data["rows"] == 1 and listed.data["filters"] == {"cohort": "2026", "q": "城东"}
    assert looked_up.data["view"] == "lookup" and looked_up.data["rows"] == 1, looked_up.data
    assert looked_up.data["filters"].get("id_number") == f"{number[:6]}********{number[-4:]}"
    assert number not in str([event.data for event in reads()])


def test_a_full_retrieve_is_audited_once_as_the_record_view(api_as, chengdong_graduate):
    answer = api_as("county_clerk").get(f"/api/v1/graduates/{chengdong_graduate.pk}/")
    assert answer.status_code == 200 and answer.json()["id_number"] == chengdong_graduate.id_number
    assert reads() == []
    assert (
        AuditEvent.objects.filter(action="graduate.viewed", object_id=str(chengdong_graduate.pk)).count() == 1
    )


def test_refused_and_out_of_scope_reads_write_no_read_row(api_as, haidong_graduate):
    assert api_as("county_clerk").get(f"/api/v1/graduates/{haidong_graduate.pk}/").status_code == 404
    assert reads() == []


def test_handover_and_service_lists_are_audited_and_job_postings_are_not(api_as):
    client = api_as("county_clerk")
    for url in ("/api/v1/handover-items/", "/api/v1/transfers/", "/api/v1/services/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/job-postings/").status_code == 200
    assert [event.data["object_type"] for event in reads()] == [
        "handover.handoveritem",
        "handover.transfer",
        "services.serviceentry",
    ]

"""Roster uploads through the API: upload (multipart), status, commit, cancel; the page's form and messages, the
uploading office's scope (another office's upload is 404), Idempotency-Key on the upload, and a large roster
checked and written by a real Celery worker."""

import time
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from graduates.models import Graduate, RosterUpload
from tests.roster_files import roster_bytes, roster_row

URL = "/api/v1/roster-uploads/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Idempotency keys and throttle counters live in the cache (Redis): none left from an earlier test."""
    cache.clear()


def api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def upload(user, rows=None, *, content=None, filename="名单.xlsx", key=None, **fields):
    content = content if content is not None else roster_bytes(rows or [roster_row(1), roster_row(2)])
    body = {"source": "university", "cohort": 2026, **fields}
    if filename is not None:
        body["file"] = SimpleUploadedFile(filename, content)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api(user).post(URL, body, format="multipart", **headers)


@pytest.mark.django_db
def test_a_university_uploads_its_roster_and_gets_the_check_at_once(university_clerk):
    answer = upload(university_clerk)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["status_display"], body["new"], body["invalid"]) == (
        "checked",
        "待确认",
        2,
        0,
    )
    assert body["university_name"] == "青海大学" and body["errors"] == [] and not body["is_running"]
    assert not Graduate.objects.exists()  # nothing written before the commit
    committed = api(university_clerk).post(f"{URL}{body['id']}/commit/")
    assert committed.status_code == 200
    assert (committed.json()["status"], committed.json()["rows_written"]) == ("committed", 2)
    assert Graduate.objects.count() == 2


@pytest.mark.django_db
def test_invalid_rows_are_named_by_row_column_and_message_without_the_cells_value(university_clerk):
    bad = roster_row(2, **{"公民身份号码": "63010220030415123X"})
    answer = upload(university_clerk, [roster_row(1), bad])
    body = answer.json()
    assert (body["new"], body["invalid"]) == (1, 1)
    (error,) = body["errors"]
    assert error["row"] == 3 and error["column"] == "公民身份号码" and "校验" in error["message"]
    assert set(error) == {"row", "column", "message"}
    assert "63010220030415123X" not in answer.content.decode()


@pytest.mark.django_db
def test_a_bad_upload_answers_the_pages_messages_by_field(university_clerk, prefecture_clerk):
    assert upload(university_clerk, filename="名单.csv").json() == {
        "file": ["请上传 Excel 2007 及以上版本的 .xlsx 文件（可先下载模板）。"]
    }
    assert upload(university_clerk, filename=None).json() == {"file": ["请选择要上传的名单文件。"]}
    assert upload(university_clerk, cohort=1999).json() == {
        "cohort": [f"届别应为 2000 至 {timezone.localdate().year + 1} 年之间的四位年份。"]
    }
    assert upload(university_clerk, source="mohrss").json() == {"source": ["名单来源无效，请从列表中选择。"]}
    # An office loads its walk-in lists, not a university's roster.
    assert upload(prefecture_clerk).json() == {"source": ["名单来源无效，请从列表中选择。"]}
    # JSON is no upload (a list, or an object without the file): the form's messages, never a 500.
    assert api(university_clerk).post(URL, [1, 2], format="json").json()["file"] == [
        "请选择要上传的名单文件。"
    ]
    assert api(university_clerk).post(URL, {"source": "university"}, format="json").status_code == 400
    refused = upload(university_clerk, content=b"not a spreadsheet")
    assert refused.status_code == 201
    assert (refused.json()["status"], refused.json()["status_display"]) == ("refused", "无法读取")
    assert refused.json()["message"]
    assert RosterUpload.objects.count() == 1


@pytest.mark.django_db
def test_the_same_idempotency_key_and_file_upload_once(university_clerk):
    key = str(uuid.uuid4())
    # One file sent twice (a retry): two builds of the "same" roster differ in the zip's timestamps.
    content = roster_bytes([roster_row(1), roster_row(2)])
    first = upload(university_clerk, content=content, key=key)
    again = upload(university_clerk, content=content, key=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert RosterUpload.objects.count() == 1
    # The same key with another file of the same name is another request: refused, not answered from the first.
    other = upload(university_clerk, [roster_row(7)], key=key)
    assert other.status_code == 422
    assert RosterUpload.objects.count() == 1


@pytest.mark.django_db
def test_another_offices_upload_is_404_and_only_the_uploader_commits(
    prefecture_clerk, other_prefecture_clerk, county_clerk, province_admin, university_clerk
):
    answer = upload(county_clerk, source="office")
    assert answer.status_code == 201, answer.json()
    pk = answer.json()["id"]
    for user in (other_prefecture_clerk, university_clerk):
        assert api(user).get(f"{URL}{pk}/").status_code == 404
        assert api(user).post(f"{URL}{pk}/commit/").status_code == 404
        assert pk not in [row["id"] for row in api(user).get(URL).json()["results"]]
    # The county's prefecture and the bureau see it, but only the uploading office confirms it.
    assert api(prefecture_clerk).get(f"{URL}{pk}/").status_code == 200
    refused = api(province_admin).post(f"{URL}{pk}/commit/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有上传单位可以确认导入该名单。"}
    assert RosterUpload.objects.get(pk=pk).status == "checked"


@pytest.mark.django_db
def test_a_cancelled_upload_cannot_be_committed(university_clerk):
    pk = upload(university_clerk).json()["id"]
    assert api(university_clerk).post(f"{URL}{pk}/cancel/").json()["status"] == "cancelled"
    answer = api(university_clerk).post(f"{URL}{pk}/commit/")
    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": ["该名单当前状态为“已取消”，不能导入。"]}
    assert not Graduate.objects.exists()


@pytest.mark.django_db
def test_the_list_is_the_offices_uploads_with_filters(university_clerk, education_clerk):
    upload(university_clerk)
    upload(university_clerk, content=b"junk")
    rows = api(university_clerk).get(URL, {"status": "checked"}).json()["results"]
    assert [row["status"] for row in rows] == ["checked"]
    assert "errors" not in rows[0]  # the list carries the counts; the status answer the rows
    assert api(university_clerk).get(URL, {"status": "nothing"}).status_code == 400
    # The Education Dept sees the uploads the province's universities made.
    assert len(api(education_clerk).get(URL).json()["results"]) == 2


def wait_for(client, pk: int, statuses: set[str], timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        body = client.get(f"{URL}{pk}/").json()
        seen.append(body["status"])
        if body["status"] in statuses:
            return body
        time.sleep(0.1)
    raise AssertionError(f"upload {pk} still {seen[-1]} after {timeout} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_large_roster_is_checked_and_written_by_the_worker_while_the_client_polls(
    university_clerk, celery_worker_process, settings
):
    settings.ROSTER_SYNC_MAX_BYTES = 1_000  # every roster counts as large: the worker takes it
    rows = [roster_row(seq) for seq in range(1, 301)]
    answer = upload(university_clerk, rows)
    assert answer.status_code == 201
    assert answer.json()["status"] in {"uploaded", "checking", "checked"}
    client = api(university_clerk)
    checked = wait_for(client, answer.json()["id"], {"checked", "refused", "failed"})
    assert (checked["status"], checked["new"], checked["rows_total"]) == ("checked", 300, 300)
    started = client.post(f"{URL}{checked['id']}/commit/")
    assert started.status_code == 202
    assert started.json()["status"] == "committing" and started.json()["is_running"]
    committed = wait_for(client, checked["id"], {"committed", "failed"})
    assert (committed["status"], committed["rows_written"]) == ("committed", 300)
    assert Graduate.objects.filter(cohort=2026).count() == 300

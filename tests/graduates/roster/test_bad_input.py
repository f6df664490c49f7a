"""Absurd input on the roster pages: a Chinese message, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Office
from graduates.models import RosterUpload
from tests.roster_files import roster_bytes, roster_row

ABSURD = ["99999", "-5", "0", "abc", "1999", "\x00", "2026\x00", "9" * 30, "1e400", "NaN", "长" * 500, "%00"]


@pytest.mark.parametrize("cohort", ABSURD)
def test_the_universities_page_answers_a_bad_cohort_in_chinese(client, education_clerk, cohort):
    client.force_login(education_clerk)
    response = client.get(reverse("roster:universities"), {"cohort": cohort})
    assert response.status_code == 400
    page = response.content.decode()
    assert "届别应为 2000 至" in page and 'data-testid="university-status"' in page


def test_the_universities_page_still_shows_a_good_cohort(client, education_clerk):
    client.force_login(education_clerk)
    response = client.get(reverse("roster:universities"), {"cohort": "2025"})
    assert response.status_code == 200 and response.context["cohort"] == 2025
    assert client.get(reverse("roster:universities")).status_code == 200  # no cohort: this year's


def post_upload(client, **fields):
    data = {
        "file": SimpleUploadedFile("名单.xlsx", roster_bytes([roster_row(1)])),
        "source": "office",
        "cohort": "2026",
        **fields,
    }
    return client.post(reverse("roster:list"), data)


@pytest.mark.parametrize("cohort", ABSURD)
def test_an_upload_with_a_bad_cohort_is_refused_in_chinese(client, county_clerk, cohort):
    client.force_login(county_clerk)
    response = post_upload(client, cohort=cohort)
    assert response.status_code == 400
    assert "届别应为 2000 至" in response.content.decode()
    assert not RosterUpload.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "\x00", "名单来源无效"),
        ("source", "mohrss", "名单来源无效"),  # not a county office's to load
        ("source", "长" * 500, "名单来源无效"),
        ("university", "\x00", "所选院校不存在"),
        ("university", "abc", "所选院校不存在"),
        ("university", "99999999999999999999", "所选院校不存在"),
        ("university", "-5", "所选院校不存在"),
    ],
)
def test_every_other_upload_field_is_bounded(client, county_clerk, field, value, message):
    client.force_login(county_clerk)
    response = post_upload(client, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RosterUpload.objects.exists()


def test_an_upload_without_a_file_is_refused_in_chinese(client, county_clerk):
    client.force_login(county_clerk)
    response = client.post(reverse("roster:list"), {"source": "office", "cohort": "2026"})
    assert response.status_code == 400 and "请选择要上传的名单文件" in response.content.decode()


def test_a_file_name_with_nul_bytes_and_folders_is_kept_clean(client, county_clerk):
    client.force_login(county_clerk)
    upload_file = SimpleUploadedFile("..\\目录/窗\x00口\x07名单.xlsx", roster_bytes([roster_row(1)]))
    response = client.post(
        reverse("roster:list"), {"file": upload_file, "source": "office", "cohort": "2026"}
    )
    assert response.status_code == 302
    upload = RosterUpload.objects.get()
    assert upload.filename == "窗口名单.xlsx" and upload.status == RosterUpload.Status.CHECKED


def test_the_university_field_takes_a_real_university(client, county_clerk):
    client.force_login(county_clerk)
    qhu = Office.objects.get(name="青海大学")
    response = post_upload(client, university=str(qhu.pk))
    assert response.status_code == 302
    assert RosterUpload.objects.get().university == qhu


@pytest.mark.parametrize("page", ["abc", "-5", "0", "99999", "\x00", "9" * 30])
def test_page_numbers_never_fail(client, county_clerk, page):
    client.force_login(county_clerk)
    post_upload(client)
    upload = RosterUpload.objects.get()
    assert client.get(reverse("roster:list"), {"page": page}).status_code == 200
    assert client.get(reverse("roster:detail", args=[upload.pk]), {"page": page}).status_code == 200


def test_the_command_line_refuses_an_absurd_cohort(county_clerk):
    from django.core.exceptions import ValidationError

    from graduates.roster import actions

    with pytest.raises(ValidationError) as exc:
        actions.create_upload(
            content=roster_bytes([roster_row(1)]),
            filename="x.xlsx",
            source="office",
            cohort=99999,
            acting_user=county_clerk,
        )
    assert "届别应在 2000 至" in "".join(exc.value.messages)

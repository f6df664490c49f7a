"""Who may see, commit and cancel an upload: checked inside the actions, and on the pages through them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import Office
from graduates.models import Graduate, RosterRow, RosterUpload
from graduates.roster import actions, selectors
from tests.factories import UserFactory
from tests.roster_files import roster_bytes, roster_row


def checked_upload(user, rows, *, source="office", university=None) -> RosterUpload:
    upload = actions.create_upload(
        content=roster_bytes(rows),
        filename="窗口名单.xlsx",
        source=source,
        cohort=2026,
        acting_user=user,
        university=university,
    )
    upload = actions.check_upload(upload)
    assert upload.status == RosterUpload.Status.CHECKED, upload.message
    return upload


@pytest.fixture
def qhu():
    return Office.objects.get(name="青海大学")


@pytest.fixture
def office_upload_tagged_with_the_university(county_clerk, qhu):
    """A county office's walk-in list naming 青海大学, with one invalid row (its full ID number and phone)."""
    rows = [roster_row(1), roster_row(2, **{"学历": "博士后", "手机号码": "13800000002"})]
    return checked_upload(county_clerk, rows, university=qhu)


# --- visibility ----------------------------------------------------------------------------------------------


def test_an_office_upload_tagged_with_a_university_stays_hidden_from_that_university(
    client, university_clerk, office_upload_tagged_with_the_university
):
    upload = office_upload_tagged_with_the_university
    assert upload.invalid == 1 and upload.university.name == "青海大学"
    client.force_login(university_clerk)
    assert client.get(reverse("roster:detail", args=[upload.pk])).status_code == 404
    assert client.get(reverse("roster:invalid_rows", args=[upload.pk])).status_code == 404
    listing = client.get(reverse("roster:list")).content.decode()
    assert upload.filename not in listing and roster_row(2)["公民身份号码"] not in listing
    assert not selectors.uploads_visible_to(university_clerk).filter(pk=upload.pk).exists()


def test_a_university_sees_what_it_uploaded_itself(client, university_clerk):
    own = checked_upload(university_clerk, [roster_row(1)], source="university")
    colleague = UserFactory(role="university_staff", office=university_clerk.office)
    client.force_login(colleague)
    assert client.get(reverse("roster:detail", args=[own.pk])).status_code == 200
    assert list(selectors.uploads_visible_to(colleague)) == [own]


def test_the_education_dept_sees_universities_uploads_but_not_an_offices_list_tagged_with_one(
    university_clerk, education_clerk, office_upload_tagged_with_the_university
):
    own = checked_upload(university_clerk, [roster_row(3)], source="university")
    visible = set(selectors.uploads_visible_to(education_clerk))
    assert own in visible and office_upload_tagged_with_the_university not in visible


def test_offices_see_their_subtree_and_the_bureau_sees_every_upload(
    university_clerk, prefecture_clerk, other_prefecture_clerk, province_admin, county_clerk
):
    county = checked_upload(county_clerk, [roster_row(1)])
    university = checked_upload(university_clerk, [roster_row(2)], source="university")
    assert set(selectors.uploads_visible_to(prefecture_clerk)) == {county}  # 城东区 lies in 西宁市
    assert set(selectors.uploads_visible_to(other_prefecture_clerk)) == set()
    assert set(selectors.uploads_visible_to(province_admin)) == {county, university}


# --- commit and cancel ---------------------------------------------------------------------------------------


def test_another_office_cannot_commit_or_cancel_even_when_it_can_see_the_upload(
    client, county_clerk, prefecture_clerk
):
    upload = checked_upload(county_clerk, [roster_row(1)])
    assert selectors.uploads_visible_to(prefecture_clerk).filter(pk=upload.pk).exists()  # 西宁 sees 城东's
    with pytest.raises(PermissionDenied):
        actions.commit_upload(upload=upload, acting_user=prefecture_clerk)
    with pytest.raises(PermissionDenied):
        actions.start_commit(upload=upload, acting_user=prefecture_clerk)
    with pytest.raises(PermissionDenied):
        actions.cancel_upload(upload=upload, acting_user=prefecture_clerk)
    # The pages answer with the reason and change nothing.
    client.force_login(prefecture_clerk)
    page = client.post(reverse("roster:commit", args=[upload.pk]), follow=True).content.decode()
    assert "只有上传单位可以确认导入该名单" in page
    page = client.post(reverse("roster:cancel", args=[upload.pk]), follow=True).content.decode()
    assert "只有上传单位（或省级管理员）可以取消该名单" in page
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.CHECKED
    assert RosterRow.objects.filter(upload=upload).count() == 1
    assert not Graduate.objects.exists()


def test_another_prefecture_cannot_cancel_through_the_action(county_clerk, other_prefecture_clerk):
    upload = checked_upload(county_clerk, [roster_row(1)])
    with pytest.raises(PermissionDenied):
        actions.cancel_upload(upload=upload, acting_user=other_prefecture_clerk)
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.CHECKED


def test_a_colleague_of_the_uploading_office_commits(client, county_clerk):
    upload = checked_upload(county_clerk, [roster_row(1)])
    colleague = UserFactory(role="county_staff", office=county_clerk.office)
    client.force_login(colleague)
    page = client.post(reverse("roster:commit", args=[upload.pk]), follow=True).content.decode()
    assert "已导入：新增 1 名" in page
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.COMMITTED
    assert Graduate.objects.get().responsible_office == county_clerk.office


def test_the_uploader_cancels_its_own_upload(client, county_clerk):
    upload = checked_upload(county_clerk, [roster_row(1)])
    client.force_login(county_clerk)
    page = client.post(reverse("roster:cancel", args=[upload.pk]), follow=True).content.decode()
    assert "已取消，未导入任何记录" in page
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.CANCELLED
    assert not RosterRow.objects.filter(upload=upload).exists()


def test_the_bureau_cancels_a_universitys_pending_upload_but_cannot_commit_it(
    client, university_clerk, province_admin
):
    upload = checked_upload(university_clerk, [roster_row(1)], source="university")
    with pytest.raises(PermissionDenied):
        actions.commit_upload(upload=upload, acting_user=province_admin)
    client.force_login(province_admin)
    page = client.post(reverse("roster:cancel", args=[upload.pk]), follow=True).content.decode()
    assert "已取消，未导入任何记录" in page
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.CANCELLED
    assert not Graduate.objects.exists()


def test_a_university_cannot_cancel_an_office_upload_tagged_with_it(
    university_clerk, office_upload_tagged_with_the_university
):
    with pytest.raises(PermissionDenied):
        actions.cancel_upload(upload=office_upload_tagged_with_the_university, acting_user=university_clerk)
    with pytest.raises(PermissionDenied):
        actions.commit_upload(upload=office_upload_tagged_with_the_university, acting_user=university_clerk)

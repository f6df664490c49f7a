"""The Education Dept confirms the universities' committed rosters as its hand-over batch: no double entry."""

import pytest
from django.core.exceptions import PermissionDenied

from graduates.models import Graduate
from graduates.roster import actions as roster
from handover.batches.actions import confirm_university_rosters, dispatch_batch
from handover.models import BatchSource, HandoverBatch
from tests.roster_files import roster_bytes, roster_row


def university_roster(user, rows, cohort=2026):
    upload = roster.create_upload(
        content=roster_bytes(rows),
        filename="院校名单.xlsx",
        source="university",
        cohort=cohort,
        acting_user=user,
    )
    return roster.commit_upload(upload=roster.check_upload(upload), acting_user=user)


def test_confirming_makes_an_education_batch_of_the_loaded_rosters(university_clerk, education_clerk):
    university_roster(university_clerk, [roster_row(1), roster_row(2, **{"就业状态": "签约"})])
    batch = confirm_university_rosters(cohort=2026, acting_user=education_clerk)
    assert (batch.source, batch.cohort, batch.total) == (BatchSource.EDUCATION, 2026, 2)
    assert batch.items.filter(kept=True).count() == 1
    assert Graduate.objects.count() == 2  # the same people, not entered again


def test_confirming_again_adds_only_the_new_graduates(university_clerk, education_clerk):
    university_roster(university_clerk, [roster_row(1)])
    confirm_university_rosters(cohort=2026, acting_user=education_clerk)
    assert confirm_university_rosters(cohort=2026, acting_user=education_clerk) is None
    university_roster(university_clerk, [roster_row(1), roster_row(3)])
    again = confirm_university_rosters(cohort=2026, acting_user=education_clerk)
    assert again.total == 1
    assert HandoverBatch.objects.filter(source="education", cohort=2026).count() == 2
    assert confirm_university_rosters(cohort=2027, acting_user=education_clerk) is None


def test_only_the_education_dept_confirms(university_clerk, province_admin, county_clerk):
    university_roster(university_clerk, [roster_row(1)])
    for user in (university_clerk, province_admin, county_clerk):
        with pytest.raises(PermissionDenied, match="只有教育厅"):
            confirm_university_rosters(cohort=2026, acting_user=user)
    assert not HandoverBatch.objects.exists()


def test_the_bureau_dispatches_the_confirmed_batch(university_clerk, education_clerk, province_admin):
    university_roster(university_clerk, [roster_row(1, **{"入学前户口所在地": "630102"})])
    batch = confirm_university_rosters(cohort=2026, acting_user=education_clerk)
    result = dispatch_batch(batch=batch, acting_user=province_admin)
    assert result.by_office == {"630100": 1}


def test_the_education_page_confirms_and_bounds_the_cohort(
    client, university_clerk, education_clerk, county_clerk
):
    university_roster(university_clerk, [roster_row(1)])
    client.force_login(education_clerk)
    page = client.get("/handover/education/?cohort=2026").content.decode()
    assert "确认移交" in page and "青海大学" in page
    response = client.post("/handover/education/", {"cohort": "2026"}, follow=True)
    assert "已确认移交 1 名" in response.content.decode()
    for bad in ("99999", "abc", "-5"):
        assert client.get(f"/handover/education/?cohort={bad}").status_code == 200
        assert client.post("/handover/education/", {"cohort": bad}).status_code == 200
    assert HandoverBatch.objects.filter(source="education").count() == 1
    client.force_login(county_clerk)
    assert client.get("/handover/education/").status_code == 403

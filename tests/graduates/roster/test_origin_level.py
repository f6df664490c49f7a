"""入学前户口所在地 is asked down to the county (annex 1: 省市县（区）): a province- or prefecture-level origin loads,
with a warning in the preview and on the record ("请补全到县级")."""

import pytest
from django.urls import reverse

from graduates.checks import origin_level_warnings
from graduates.models import Graduate, RosterUpload
from graduates.roster import actions
from tests.roster_files import roster_bytes, roster_row


@pytest.mark.parametrize(
    ("code", "warned"),
    [("630000", True), ("630100", True), ("632200", True), ("630102", False), ("632221", False), ("", False)],
)
def test_origin_level_warnings(code, warned):
    warnings = origin_level_warnings(code, "青海省")
    assert bool(warnings) == warned
    if warned:
        assert "请补全到县级" in warnings[0] and code in warnings[0]


@pytest.fixture
def checked(university_clerk) -> RosterUpload:
    rows = [
        roster_row(1, **{"入学前户口所在地": "630000"}),  # the province
        roster_row(2, **{"入学前户口所在地": "630100"}),  # a prefecture
        roster_row(3, **{"入学前户口所在地": "青海省西宁市"}),  # a prefecture, by name
        roster_row(4, **{"入学前户口所在地": "630102"}),  # a county: as asked
    ]
    upload = actions.create_upload(
        content=roster_bytes(rows),
        filename="名单.xlsx",
        source="university",
        cohort=2026,
        acting_user=university_clerk,
    )
    return actions.check_upload(upload)


def test_an_origin_above_the_county_is_a_warning_and_the_row_still_loads(client, university_clerk, checked):
    assert (checked.status, checked.new, checked.invalid, checked.errors) == ("checked", 4, 0, [])
    warned = {w["row"]: w for w in checked.warnings}
    assert set(warned) == {2, 3, 4}
    assert (warned[3]["column"], warned[3]["value"]) == ("入学前户口所在地", "630100")
    assert warned[4]["value"] == "青海省西宁市"
    assert all("请补全到县级" in w["message"] for w in checked.warnings)
    assert "630000（青海省）" in warned[2]["message"]
    client.force_login(university_clerk)
    page = client.get(reverse("roster:detail", args=[checked.pk])).content.decode()
    assert 'data-testid="warning-table"' in page and page.count("请补全到县级") == 3
    actions.commit_upload(upload=checked, acting_user=university_clerk)
    assert Graduate.objects.count() == 4  # all of them loaded


def test_the_record_page_shows_the_warning(client, university_clerk, province_admin, checked):
    actions.commit_upload(upload=checked, acting_user=university_clerk)
    client.force_login(province_admin)  # the records wait at the bureau
    prefecture = Graduate.objects.get(name="名单学生2")
    page = client.get(reverse("graduates:detail", args=[prefecture.pk])).content.decode()
    assert 'data-testid="origin-warning"' in page and "请补全到县级" in page
    county = Graduate.objects.get(name="名单学生4")
    page = client.get(reverse("graduates:detail", args=[county.pk])).content.decode()
    assert "请补全到县级" not in page

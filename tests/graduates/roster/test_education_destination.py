"""毕业去向 in a university's file is the education system's destination list, never read as 就业去向."""

from graduates.models import Graduate, RosterUpload
from graduates.roster import actions
from tests.roster_files import SUMMARY_HEADER, roster_bytes, roster_row

# A university's own export: the 汇总表 columns without 就业去向（回访结果）, plus the education system's 毕业去向.
UNIVERSITY_HEADER = [c for c in SUMMARY_HEADER if c != "就业去向（回访结果）"] + ["毕业去向"]


def check(user, rows, header):
    upload = actions.create_upload(
        content=roster_bytes(rows, header=header),
        filename="毕业生名单.xlsx",
        source="university",
        cohort=2026,
        acting_user=user,
    )
    upload = actions.check_upload(upload)
    assert upload.status == RosterUpload.Status.CHECKED, upload.message
    return upload


def test_a_numeric_education_destination_is_refused_with_the_reason(university_clerk):
    rows = [
        roster_row(1, **{"毕业去向": "10"}),  # 签就业协议形式就业 there; 部队 in 就业去向
        roster_row(2, **{"毕业去向": 11}),  # 签劳动合同 there; 就业见习 in 就业去向
        roster_row(3, **{"毕业去向": ""}),  # an empty cell is fine
        roster_row(4),
    ]
    upload = check(university_clerk, rows, UNIVERSITY_HEADER)
    assert (upload.new, upload.invalid) == (2, 2)
    errors = {e["row"]: e for e in upload.errors}
    assert set(errors) == {2, 3}
    assert (errors[2]["column"], errors[2]["value"]) == ("毕业去向", "10")
    assert (errors[3]["column"], errors[3]["value"]) == ("毕业去向", "11")
    message = errors[2]["message"]
    assert "毕业去向" in message and "10" in message and "签就业协议形式就业" in message
    assert "与“就业去向（回访结果）”的代码含义不同" in message
    actions.commit_upload(upload=upload, acting_user=university_clerk)
    assert sorted(Graduate.objects.values_list("name", flat=True)) == ["名单学生3", "名单学生4"]
    assert set(Graduate.objects.values_list("destination", "state")) == {("", "waiting")}


def test_a_text_education_destination_is_refused_too_never_guessed(university_clerk):
    upload = check(university_clerk, [roster_row(1, **{"毕业去向": "签劳动合同"})], UNIVERSITY_HEADER)
    assert upload.invalid == 1
    assert "不是同一套分类" in upload.errors[0]["message"]


def test_the_column_is_named_as_headed_in_the_file(university_clerk):
    header = [c if c != "毕业去向" else "毕业去向（代码）" for c in UNIVERSITY_HEADER]
    upload = check(university_clerk, [roster_row(1, **{"毕业去向（代码）": "12"})], header)
    assert (upload.errors[0]["column"], upload.errors[0]["value"]) == ("毕业去向（代码）", "12")
    assert "“毕业去向（代码）”列的 12" in upload.errors[0]["message"]


def test_jiuye_quxiang_beside_biye_quxiang_is_still_read(university_clerk):
    header = [*SUMMARY_HEADER, "毕业去向"]
    rows = [roster_row(1, **{"就业去向（回访结果）": "4", "毕业去向": ""})]
    upload = check(university_clerk, rows, header)
    assert (upload.new, upload.invalid) == (1, 0), upload.errors
    actions.commit_upload(upload=upload, acting_user=university_clerk)
    graduate = Graduate.objects.get()
    assert (graduate.destination, graduate.state) == ("4", "employed")

"""The roster import in a real browser, as a university's employment office uses it."""

import io

import openpyxl
import pytest

from graduates.models import Graduate
from tests.factories import make_id_number, wrong_check_digit
from tests.roster_files import roster_bytes, roster_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_errors_download_invalid_rows_then_commit(
    page, university_clerk, password, screenshot, tmp_path
):
    rows = [
        roster_row(1),
        roster_row(2, **{"公民身份号码": wrong_check_digit(make_id_number(seq=601))}),
        roster_row(3),
        roster_row(4, **{"学历": "大专生"}),
    ]
    path = tmp_path / "青海大学2026届名单.xlsx"
    path.write_bytes(roster_bytes(rows, title_rows=["青海大学2026届离校未就业毕业生名单"]))

    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(university_clerk.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="名单导入").click()
    page.get_by_label("名单文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()

    # Preview: the counts and every invalid row with its row number, column and reason.
    assert page.get_by_test_id("count-new").inner_text() == "2"
    assert page.get_by_test_id("count-invalid").inner_text() == "2"
    errors = page.get_by_test_id("error-table").inner_text()
    assert "4\t公民身份号码" in errors and "校验码错误" in errors
    assert "6\t学历" in errors and "大专生" in errors
    screenshot("roster-preview")
    assert Graduate.objects.count() == 0  # nothing written before the commit

    with page.expect_download() as download_info:
        page.get_by_test_id("invalid-download").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    table = list(workbook.active.iter_rows(values_only=True))
    assert table[0][-1] == "错误原因"
    assert [row[0] for row in table[1:]] == [4, 6]  # the rows as Excel numbers them (title row, header)

    page.get_by_role("button", name="确认导入 2 条有效记录").click()
    assert "已导入：新增 2 名" in page.locator(".alert-success").first.inner_text()
    screenshot("roster-committed")
    assert set(Graduate.objects.values_list("name", flat=True)) == {"名单学生1", "名单学生3"}

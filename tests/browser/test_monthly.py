"""月度汇总表 in a real browser: above REPORT_ASYNC_ROWS the 生成 button hands the table to a real worker, the page's
progress bar polls it (htmx) until the finished version's download link appears, and the list shows it."""

import datetime

import pytest
from playwright.sync_api import expect

from graduates import actions as graduate_actions
from tests.factories import make_id_number, unsaved_graduate
from tests.reporting.test_monthly_table import on

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]


@pytest.fixture
def graduates(county_clerk):
    with on("2025-10-10"):
        for seq in (51, 53, 55, 57):
            graduate_actions.create_graduate(
                graduate=unsaved_graduate(
                    id_number=make_id_number(seq=seq), cohort=2025, graduation_date=datetime.date(2025, 6, 30)
                ),
                acting_user=county_clerk,
            )


def test_a_big_table_shows_a_progress_bar_until_its_download(
    page, county_clerk, password, graduates, settings, celery_workers, screenshot
):
    settings.REPORT_ASYNC_ROWS = 2
    celery_workers.start()
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(county_clerk.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.get_by_role("link", name="月度汇总表", exact=True).click()
    page.goto(page.base_url + "/reporting/monthly/?month=2025-11&cohort=2025")
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("monthly-job")).to_be_visible()
    expect(page.get_by_text("该表共 4 人，已交由后台生成")).to_be_visible()
    expect(page.get_by_test_id("monthly-job")).to_have_attribute("data-state", "done", timeout=90_000)
    expect(page.get_by_test_id("job-progress")).to_have_text("已写入 4 / 4 行（100%）")
    expect(page.get_by_role("table").first).to_contain_text("城东区")
    screenshot("monthly-job-done")
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    assert download.value.suggested_filename.endswith("_202511_v1.xlsx")
    # The page reloaded itself when the job ended: the month's list shows the new version.
    expect(page.get_by_test_id("monthly-job")).to_have_attribute("data-state", "done")
    expect(page.get_by_role("table").first).to_contain_text("城东区")

"""The handover in a real browser: the bureau dispatches, 西宁 signs for and verifies, then transfers the graduate
to 海东, which accepts."""

import pytest

from core.models import Office, User
from graduates.models import Graduate
from tests.conftest import pass_second_factor_in_browser
from tests.handover.test_dispatch import education_list
from tests.roster_files import roster_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    pass_second_factor_in_browser(page, User.objects.get(username=username))
    page.wait_for_url(page.base_url + "/")


def log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login/")


def test_dispatch_acknowledge_verify_and_transfer_accepted_by_another_office(
    page, province_admin, password, screenshot
):
    education_list(province_admin, [roster_row(1, **{"入学前户口所在地": "630102"})])
    graduate = Graduate.objects.get()

    # The bureau dispatches the Education Dept's list by origin.
    log_in(page, "sheng", password)
    page.get_by_role("link", name="交接", exact=True).click()
    page.get_by_role("button", name="按生源地分发").click()
    assert "已分发 1 名到 1 个机构" in page.locator(".alert-success").inner_text()
    screenshot("handover-dispatched")
    log_out(page)

    # 西宁 signs for its share, contacts the graduate and verifies the record.
    log_in(page, "xining", password)
    page.get_by_role("link", name="交接", exact=True).click()
    assert "待签收 1 名" in page.get_by_test_id("my-share").inner_text()
    page.get_by_role("button", name="签收").click()
    page.get_by_role("link", name="逐一联系核实").click()
    row = page.get_by_test_id("worklist").locator("tbody tr").first
    row.get_by_label("联系方式").select_option(label="电话")
    row.get_by_label("联系结果").select_option(label="已核实并完善信息")
    row.get_by_role("button", name="保存").click()
    assert "已记录对" in page.locator(".alert-success").inner_text()
    screenshot("handover-verified")
    graduate.refresh_from_db()
    assert graduate.state == "verified"

    # The graduate lives in 海东 now: 西宁 asks for a transfer.
    page.goto(f"{page.base_url}/graduates/{graduate.pk}/")
    page.get_by_role("link", name="申请转移").click()
    haidong = Office.objects.get(kind="prefecture", region_id="630200")
    page.get_by_label("接收机构").select_option(value=str(haidong.pk))
    page.get_by_label("转移原因").fill("本人已在海东市工作居住")
    page.get_by_role("button", name="提交").click()
    graduate.refresh_from_db()
    assert graduate.responsible_office.region_id == "630100"  # the sender keeps it until accepted
    log_out(page)

    # 海东 accepts it.
    log_in(page, "haidong", password)
    page.goto(page.base_url + "/handover/transfers/")
    screenshot("handover-transfer-inbox")
    page.get_by_role("button", name="接收").click()
    graduate.refresh_from_db()
    assert graduate.responsible_office == haidong
    page.goto(f"{page.base_url}/graduates/{graduate.pk}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "按生源地分发" in timeline and "海东" in timeline
    screenshot("handover-transferred-record")

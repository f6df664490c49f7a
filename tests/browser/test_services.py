"""Services in a real browser: a county clerk logs a service on the record page and the plan follows."""

import pytest
from playwright.sync_api import expect

from graduates import actions
from tests.factories import unsaved_graduate
from tests.services.conftest import ensure_service_standards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, county_clerk, password):
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(county_clerk.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    return page


def test_logging_a_service_turns_the_plans_obligation_from_due_to_met(logged_in, county_clerk, screenshot):
    page = logged_in
    ensure_service_standards()  # an earlier transactional test's flush emptied the presets
    graduate = actions.create_graduate(graduate=unsaved_graduate(name="计划学生"), acting_user=county_clerk)
    page.goto(page.base_url + f"/graduates/{graduate.pk}/")
    policy = page.locator('[data-testid="obligation"][data-service="policy"]')
    expect(policy).to_have_attribute("data-state", "due")
    expect(policy).to_contain_text("0/1")
    expect(policy).to_contain_text("待完成")
    form = page.get_by_test_id("service-form")
    form.get_by_label("服务类型").select_option(label="政策咨询")
    form.get_by_label("服务内容").fill("讲解高校毕业生就业补贴政策")
    form.get_by_role("button", name="保存服务记录").click()
    expect(page.get_by_text("已记录服务：政策咨询")).to_be_visible()
    policy = page.locator('[data-testid="obligation"][data-service="policy"]')
    expect(policy).to_have_attribute("data-state", "met")
    expect(policy).to_contain_text("1/1")
    expect(policy).to_contain_text("按期完成")
    # The other obligations are still owed.
    expect(page.locator('[data-testid="obligation"][data-service="job_referral"]')).to_have_attribute(
        "data-state", "due"
    )
    screenshot("services-plan-met")

"""Self-registration on a phone (375×812): fill in, consent, submit, read the answer; the office finds the lead."""

import pytest

from core.demo import DEMO_PASSWORD
from graduates.models import SelfRegistration
from tests.factories import make_id_number

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_graduate_registers_on_a_phone_and_the_office_sees_the_lead(phone, page, demo_province, settings):
    settings.SELF_REGISTRATION_MIN_FILL_SECONDS = 1
    phone.goto(phone.base_url + "/register/")
    assert phone.get_by_role("heading", name="求职登记 · 申请就业服务").is_visible()
    assert fits_the_screen(phone)
    shot(phone, "selfreg-phone-form-top", full_page=False)

    # Sent without consent and with a wrong mobile: the page says what to fix, next to each field.
    phone.get_by_label("姓名").fill("手机登记")
    phone.get_by_label("公民身份号码").fill(make_id_number("630102", "20040512", 611))
    phone.get_by_label("手机号码").fill("1391234")
    phone.wait_for_timeout(1100)
    phone.get_by_role("button", name="提交登记").click()
    phone.wait_for_load_state()
    errors = phone.get_by_test_id("selfreg-errors")
    assert "请修改下面标红的" in errors.inner_text()
    assert phone.get_by_text("手机号码应为以 1 开头的 11 位数字。").is_visible()
    assert phone.get_by_text("请阅读并同意个人信息处理说明。").is_visible()
    assert (
        phone.get_by_text("请选择学历。").is_visible() and phone.get_by_text("请填写毕业日期。").is_visible()
    )
    assert phone.get_by_label("姓名").input_value() == "手机登记"  # what was typed is kept
    assert fits_the_screen(phone)
    shot(phone, "selfreg-phone-errors", full_page=False)

    phone.get_by_label("手机号码").fill("13912340611")
    assert (
        phone.get_by_text("手机号码应为以 1 开头的 11 位数字。").count() == 0
    )  # corrected: no longer marked
    phone.get_by_label("电子邮箱").fill("grad611@example.com")
    phone.get_by_label("毕业院校").fill("青海大学")
    phone.get_by_label("毕业日期").fill("2026-06-30")
    phone.get_by_label("学历").select_option("3")
    phone.get_by_label("所学专业").fill("软件工程")
    phone.get_by_label("入学前户口所在地").select_option("630102")
    phone.get_by_label("准备到企业就业").check()
    phone.get_by_label("职业介绍").check()
    phone.get_by_label("就业见习").check()
    assert phone.get_by_test_id("selfreg-pipl").is_visible()
    phone.get_by_label("我已阅读并同意以上个人信息处理说明").check()
    shot(phone, "selfreg-phone-filled")
    phone.get_by_label("学历").scroll_into_view_if_needed()
    shot(phone, "selfreg-phone-middle", full_page=False)
    phone.get_by_role("button", name="提交登记").scroll_into_view_if_needed()
    shot(phone, "selfreg-phone-consent", full_page=False)
    phone.wait_for_timeout(1100)
    phone.get_by_role("button", name="提交登记").click()

    answer = phone.get_by_test_id("selfreg-answer")
    assert "已收到，工作人员将在1个工作日内与您联系" in answer.inner_text()
    assert fits_the_screen(phone)
    shot(phone, "selfreg-phone-answer", full_page=False)

    lead = SelfRegistration.objects.select_related("graduate", "office").get()
    assert lead.graduate.name == "手机登记" and lead.graduate.service_needs == ["2", "4"]
    assert lead.office.region_id == "630100"

    # The 西宁市 clerk sees it first thing: the home counter, then the worklist.
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill("xining")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    page.get_by_role("link", name="本人登记", exact=True).click()
    row = page.get_by_test_id("selfreg-lead").filter(has_text="手机登记")
    assert row.is_visible()
    assert "新登记" in row.inner_text() and "准备到企业就业" in row.inner_text()
    shot(page, "selfreg-office-worklist")
    row.get_by_placeholder("联系情况").fill("已电话联系")
    row.get_by_role("button", name="已联系").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("selfreg-lead").count() == 0
    lead.refresh_from_db()
    assert lead.status == "contacted"

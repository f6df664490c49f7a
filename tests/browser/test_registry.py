"""The registry in a real browser, as a county clerk uses it."""

import pytest
from playwright.sync_api import expect

from core.models import Region
from graduates import actions
from graduates.models import Graduate
from tests.factories import make_id_number, unsaved_graduate, wrong_check_digit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, county_clerk, password):
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(county_clerk.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    return page


@pytest.fixture
def graduate(county_clerk):
    return actions.create_graduate(graduate=unsaved_graduate(name="浏览器学生"), acting_user=county_clerk)


def test_search_by_id_number_finds_the_record(logged_in, county_clerk, graduate, screenshot):
    page = logged_in
    for seq in range(3):  # others who must not match
        actions.create_graduate(
            graduate=unsaved_graduate(name=f"其他学生{seq}", id_number=make_id_number(seq=400 + seq)),
            acting_user=county_clerk,
        )
    page.get_by_role("link", name="毕业生", exact=True).click()
    page.get_by_label("姓名/身份证号/手机").fill(graduate.id_number)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**q=%40*")  # the URL carries a token for the search, never the number itself
    assert graduate.id_number not in page.url
    rows = page.get_by_test_id("graduate-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    assert "浏览器学生" in rows.first.inner_text()
    assert graduate.masked_id_number in rows.first.inner_text()
    screenshot("registry-search-by-id")
    rows.first.get_by_role("link", name="浏览器学生").click()
    assert page.get_by_test_id("id-number").inner_text() == graduate.id_number


def test_wrong_check_digit_shows_the_error_and_saves_nothing(logged_in, screenshot):
    page = logged_in
    page.goto(page.base_url + "/graduates/new/")
    page.get_by_label("姓名").fill("校验学生")
    page.get_by_label("民族").select_option(label="回族")
    page.get_by_label("公民身份号码").fill(wrong_check_digit(make_id_number(seq=901)))
    page.get_by_label("毕业院校（系统内）").select_option(label="青海大学")
    page.get_by_label("毕业日期").fill("2026-06-30")
    page.get_by_label("学历").select_option(label="大学本科")
    page.get_by_label("所学专业").fill("法学")
    page.get_by_label("入学前户口所在地").fill("630102")
    page.get_by_label("准备到企业就业").check()
    page.get_by_role("button", name="保存").click()
    error = page.locator('[data-field="id_number"]')
    assert "校验码错误" in error.inner_text()
    assert "信息尚未保存" in page.get_by_test_id("form-errors").inner_text()
    screenshot("registry-wrong-check-digit")
    assert Graduate.objects.count() == 0


def test_editing_a_field_shows_in_the_timeline(logged_in, graduate, screenshot):
    page = logged_in
    page.goto(f"{page.base_url}/graduates/{graduate.pk}/")
    page.get_by_role("link", name="修改").click()
    page.get_by_label("所学专业").fill("软件工程")
    page.get_by_label("入学前户口所在地").fill("630103")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{page.base_url}/graduates/{graduate.pk}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "所学专业：计算机科学与技术 → 软件工程" in timeline
    assert "入学前户口所在地" in timeline
    screenshot("registry-edit-timeline")
    graduate.refresh_from_db()
    assert graduate.major == "软件工程" and graduate.origin_region == Region.objects.get(code="630103")


def test_logging_a_visit_with_a_destination_updates_the_record(logged_in, graduate, screenshot):
    page = logged_in
    page.goto(f"{page.base_url}/graduates/{graduate.pk}/")
    form = page.get_by_test_id("visit-form")
    form.get_by_label("回访方式").select_option(label="入户走访")
    form.get_by_label("就业去向").select_option(label="非国有企业")
    form.get_by_label("就业单位").fill("某某科技有限公司")
    form.get_by_role("button", name="保存回访").click()
    page.wait_for_url(f"{page.base_url}/graduates/{graduate.pk}/")
    assert page.get_by_test_id("graduate-state").inner_text() == "已就业"
    assert page.get_by_test_id("destination").inner_text() == "非国有企业"
    assert "某某科技有限公司" in page.get_by_test_id("timeline").inner_text()
    screenshot("registry-visit")
    graduate.refresh_from_db()
    assert (graduate.state, graduate.destination) == ("employed", "4")

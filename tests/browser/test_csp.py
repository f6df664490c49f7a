"""The Content-Security-Policy (no inline script or style) breaks nothing a clerk sees: every page loads in a
real browser without one violation, the statistics charts still draw, progress bars get their width and the
select-all checkbox still works (static/js/app.js)."""

import pytest
from playwright.sync_api import expect

from graduates import actions
from tests.factories import make_id_number, unsaved_graduate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));"""


@pytest.fixture
def clerk_page(page, county_clerk, password):
    page.add_init_script(LISTEN)
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.csp_console = messages
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(county_clerk.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    return page


def test_no_page_violates_the_policy(clerk_page, county_clerk):
    page = clerk_page
    graduate = None
    for seq in (61, 63):
        graduate = actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=seq)), acting_user=county_clerk
        )
    urls = ["/", "/graduates/", f"/graduates/{graduate.pk}/", f"/graduates/{graduate.pk}/edit/", "/graduates/new/",
            "/handover/", "/handover/transfers/", "/services/", "/imports/", "/notifications/",
            "/reporting/monthly/", "/reporting/progress/", "/reporting/statistics/", "/graduates/999999999/"]  # fmt: skip
    for url in urls:
        page.goto(page.base_url + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], url
    assert page.csp_console == []

    # The charts draw under the policy (ECharts from our own static files, styles set through the CSSOM).
    page.goto(page.base_url + "/reporting/statistics/")
    page.wait_for_function("() => document.querySelectorAll('[data-chart][data-drawn]').length > 0")
    # The select-all box of the graduates list ticks every row (it was an onclick= attribute).
    page.goto(page.base_url + "/graduates/")
    page.get_by_label("全选").check()
    boxes = page.locator("input[name=ids]")
    assert boxes.count() == 2
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()
    assert page.evaluate("window.__violations") == []


def test_the_api_docs_render_under_the_policy(clerk_page, screenshot):
    page = clerk_page
    page.goto(page.base_url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot("api-docs")
    assert page.evaluate("window.__violations") == []
    assert page.csp_console == []

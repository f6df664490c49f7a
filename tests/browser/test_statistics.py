"""统计分析 in a real browser: every chart is drawn by ECharts (served from node_modules, no CDN, no inline script)
and shows the same numbers as the table beside it; a county's row drills down to that county."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from graduates import actions
from graduates.codes import VisitMethod
from reporting.statistics.selectors import default_cohort
from tests.factories import make_id_number, unsaved_graduate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const option = echarts.getInstanceByDom(el).getOption();
  return {
    key: el.dataset.chart,
    canvas: el.querySelectorAll('canvas').length,
    series: option.series.map(s => ({name: s.name,
                                      data: s.data.map(d => (d !== null && typeof d === 'object') ? d.value : d)})),
  };
})"""

TABLES = """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-table]')).map(table => [
  table.dataset.table,
  {
    columns: Array.from(table.querySelectorAll('thead th')).slice(1).map(th => th.textContent.trim()),
    rows: Array.from(table.querySelectorAll('tbody tr')).map(tr =>
      Array.from(tr.querySelectorAll('[data-value]')).map(td => {
        const text = td.textContent.trim();
        return text === '—' ? null : Number(text);  // a month still to come: no value, as in the chart
      })),
  },
]))"""


@pytest.fixture
def graduates(county_clerk, prefecture_clerk):
    today = timezone.localdate()
    cohort = default_cohort(today)  # the page's default cohort
    people = [
        (county_clerk, 11, {"education": "3", "hardship": ["2"], "service_needs": ["1", "2"]}),
        (county_clerk, 13, {"education": "4", "major": "护理", "hardship": ["4"]}),
        (county_clerk, 15, {"education": "2", "major": "会计学", "hardship": ["1", "3"]}),
        (prefecture_clerk, 17, {"education": "3", "major": "法学", "service_needs": ["5"]}),
    ]
    made = [
        actions.create_graduate(
            graduate=unsaved_graduate(
                id_number=make_id_number(seq=seq),
                cohort=cohort,
                graduation_date=datetime.date(cohort, 6, 30),
                **values,
            ),
            acting_user=clerk,
        )
        for clerk, seq, values in people
    ]
    actions.record_visit(
        graduate=made[0],
        acting_user=county_clerk,
        visited_on=today,
        method=VisitMethod.PHONE,
        destination="9",
    )
    return made


@pytest.fixture
def logged_in(page, prefecture_clerk, password):
    page.goto(page.base_url + "/login/")
    page.get_by_label("用户名").fill(prefecture_clerk.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(page.base_url + "/")
    return page


def assert_charts_match_tables(page) -> list[dict]:
    # Every section has arrived (htmx, one request each) and every chart in it is drawn. A function, not an
    # expression: Playwright evals an expression in the page when it polls, which the CSP refuses.
    page.wait_for_function(
        "() => document.querySelector('[data-section-pending]') === null"
        " && document.querySelectorAll('[data-chart]:not([data-drawn])').length === 0"
        " && document.querySelectorAll('[data-chart]').length > 0"
    )
    charts = page.evaluate(CHARTS)
    tables = page.evaluate(TABLES)
    assert charts and int(page.get_attribute("body", "data-charts-ready")) == len(charts)
    for chart in charts:
        assert chart["canvas"] >= 1, chart["key"]
        assert chart["series"], chart["key"]
        table = tables[chart["key"]]
        for series in chart["series"]:
            column = table["columns"].index(series["name"])
            assert series["data"] == [row[column] for row in table["rows"]], (chart["key"], series["name"])
    return charts


def test_the_charts_render_with_the_tables_numbers_and_drill_down(logged_in, graduates, screenshot):
    page = logged_in
    page.get_by_role("link", name="统计分析", exact=True).click()
    expect(page.get_by_test_id("scope-name")).to_have_text("西宁市公共就业和人才服务中心")
    charts = assert_charts_match_tables(page)
    keys = {c["key"] for c in charts}
    assert {"offices", "education", "major", "discipline", "destination", "needs", "visits", "hardship",
            "services", "monthly"} <= keys  # fmt: skip
    education = next(c for c in charts if c["key"] == "education")
    assert education["series"][0]["data"] == [0, 1, 2, 1, 0]  # 博士, 硕士, 本科, 专科, 其他
    page.get_by_test_id("breakdown-education").scroll_into_view_if_needed()
    screenshot("statistics-prefecture")

    page.get_by_test_id("breakdown-offices").get_by_role("link", name="城东区公共就业和人才服务中心").click()
    expect(page.get_by_test_id("scope-name")).to_have_text("城东区公共就业和人才服务中心")
    assert "office=" in page.url
    charts = assert_charts_match_tables(page)
    education = next(c for c in charts if c["key"] == "education")
    assert sum(education["series"][0]["data"]) == 3
    expect(page.get_by_test_id("crumbs")).to_contain_text("西宁市公共就业和人才服务中心")
    screenshot("statistics-county")

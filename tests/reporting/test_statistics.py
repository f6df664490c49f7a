"""统计分析 (人社厅发〔2012〕69号 §一(六)): a cohort's figures per breakdown for the user's scope, drill-down from the
province to prefectures and counties, and the .xlsx of every chart's numbers.

The set: five 2026 graduates — three registered by 城东区, one by 西宁市 itself, one by 海东市 — and one 2025
graduate of 城东区 that no 2026 figure may count. Every expected number below is counted by hand from it."""

import datetime
import io
import json
import re

import pytest
import time_machine
from openpyxl import load_workbook

from core.models import AuditEvent, Office, Role
from core.spreadsheets import formula_safe
from graduates import actions as graduate_actions
from graduates.codes import VisitMethod, VisitOutcome
from reporting.statistics import selectors
from services import actions as service_actions
from tests.factories import UserFactory, make_id_number, unsaved_graduate

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PAGE = "/reporting/statistics/"
DOWNLOAD = "/reporting/statistics/statistics.xlsx"


def on(day: str):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def office(name: str) -> Office:
    return Office.objects.get(name__startswith=name, kind__in=["bureau", "prefecture", "county"])


def register(clerk, seq: int, **values):
    values.setdefault("cohort", 2026)
    values["id_number"] = make_id_number(seq=seq)
    values["graduation_date"] = datetime.date(values["cohort"], 6, 30)
    return graduate_actions.create_graduate(graduate=unsaved_graduate(**values), acting_user=clerk)


@pytest.fixture
def cohort_2026(county_clerk, prefecture_clerk, other_prefecture_clerk):
    with on("2026-09-10"):
        employed = register(county_clerk, 11, education="3", major="计算机科学与技术", hardship=["2", "T"],
                            service_needs=["1", "2"])  # fmt: skip
        not_seeking = register(county_clerk, 13, education="4", major="护理", hardship=["4"], intentions=["9"],
                               service_needs=[])  # fmt: skip
        register(county_clerk, 15, education="2", major="会计学", hardship=["1"], service_needs=["2", "3"])
        register(prefecture_clerk, 17, education="3", major="=cmd|' /C calc'!A0", hardship=[],
                 service_needs=["3"])  # fmt: skip
        register(
            other_prefecture_clerk, 19, education="1", major="临床医学", hardship=["3"], service_needs=["1"]
        )
        register(
            county_clerk, 21, cohort=2025, education="5", major="法学", hardship=["1"], service_needs=["9"]
        )
    with on("2026-10-20"):
        graduate_actions.record_visit(
            graduate=employed, acting_user=county_clerk, visited_on=datetime.date(2026, 10, 1),
            method=VisitMethod.PHONE, destination="4",
        )  # fmt: skip
        graduate_actions.record_visit(
            graduate=not_seeking, acting_user=county_clerk, visited_on=datetime.date(2026, 10, 2),
            method=VisitMethod.HOME, outcome=VisitOutcome.NOT_REACHED,
        )  # fmt: skip
        for stype in ("job_referral", "policy", "policy"):  # the last is voided
            entry = service_actions.log_service(
                graduate=employed, service_type=stype, date=datetime.date(2026, 10, 5), channel="phone",
                acting_user=county_clerk,
            )  # fmt: skip
        service_actions.void_service(entry=entry, reason="录错类型", acting_user=county_clerk)
    return {"employed": employed}


def page(client, user, query: str = ""):
    client.force_login(user)
    with on("2026-11-20"):
        return client.get(f"{PAGE}?{query}")


def charts(response) -> dict:
    """The chart data of every section in the response: breakdown key → what static/js/statistics.js draws."""
    found = re.findall(
        r'<script id="statistics-data-([a-z]+)" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return {key: json.loads(data) for key, data in found}


def breakdowns(response) -> dict:
    """The breakdowns as the view computed them. The full page is a frame: each of its sections is loaded by its
    own request (?breakdown=X&part=1, what htmx asks for), made here with the page's query."""
    computed = {b.key: b for b in response.context["breakdowns"]}
    for key in response.context["sections"] and dict(response.context["sections"]):
        query = response.wsgi_request.GET.copy()
        query.update({"breakdown": key, "part": "1"})
        with on("2026-11-20"):
            part = response.client.get(f"{PAGE}?{query.urlencode()}")
        assert part.status_code == 200, key
        assert charts(part).keys() == {b.key for b in part.context["breakdowns"]}
        computed.update({b.key: b for b in part.context["breakdowns"]})
    return computed


def figures(response, key: str) -> dict[str, list[int]]:
    """A breakdown's table as the view computed it: row label → numbers."""
    return dict(breakdowns(response)[key].rows)


def test_province_figures_per_breakdown_match_the_hand_count(client, province_admin, cohort_2026):
    response = page(client, province_admin, "cohort=2026")
    assert response.status_code == 200
    assert figures(response, "education") == {
        "博士研究生": [1], "硕士研究生": [1], "大学本科": [2], "大学专科": [1], "其他": [0],
    }  # fmt: skip
    majors = figures(response, "major")
    assert sorted(majors) == sorted(["计算机科学与技术", "护理", "会计学", "=cmd|' /C calc'!A0", "临床医学"])
    assert all(v == [1] for v in majors.values())
    disciplines = figures(response, "discipline")
    assert (disciplines["工学"], disciplines["医学"], disciplines["管理学"], disciplines["未归类"]) == (
        [1], [2], [1], [1],
    )  # fmt: skip
    assert sum(v[0] for v in disciplines.values()) == 5
    destination = figures(response, "destination")
    assert destination["非国有企业"] == [1] and destination["尚无回访去向"] == [4]
    assert sum(v[0] for v in destination.values()) == 5
    needs = figures(response, "needs")
    assert (needs["政策咨询"], needs["职业介绍"], needs["职业指导"], needs["无需求/未填写"]) == (
        [2],
        [2],
        [2],
        [1],
    )
    assert sum(v[0] for v in needs.values()) == 7  # multi-valued: 7 mentions by 5 graduates
    hardship = figures(response, "hardship")
    assert {k: v[0] for k, v in hardship.items() if v[0]} == {
        "零就业家庭": 1, "家庭经济困难": 1, "残疾": 1, "不属于困难情况": 1, "脱贫家庭": 1, "未填写": 1,
    }  # fmt: skip
    visits = figures(response, "visits")
    assert visits["电话"] == [1, 0] and visits["入户走访"] == [0, 1] and visits["网络/微信"] == [0, 0]
    services = figures(response, "services")
    assert services["政策咨询"] == [1, 1] and services["岗位推荐"] == [1, 1]  # the voided one does not count
    assert sum(v[0] for v in services.values()) == 2
    monthly = figures(response, "monthly")
    assert monthly["2026年9月"] == [5, 0, 0] and monthly["2026年10月"] == [0, 2, 2]
    assert sum(v[0] or 0 for v in monthly.values()) == 5
    offices = figures(response, "offices")
    assert offices["西宁市公共就业和人才服务中心"][:1] == [4] and offices["海东市公共就业和人才服务中心"][
        :1
    ] == [1]
    assert offices["西宁市公共就业和人才服务中心"][4] == 1  # 已就业 (the phone visit's destination 4)
    # The section shows the share and the base of multi-valued codes.
    html = page(client, province_admin, "cohort=2026&breakdown=needs").content.decode()
    assert "以登记人数 5 人为基数" in html and "40.0%" in html  # 政策咨询: 2 of 5


def test_chart_data_is_the_table(client, province_admin, cohort_2026):
    frame = page(client, province_admin, "cohort=2026")
    assert not frame.context["breakdowns"]  # the frame computes nothing itself ...
    html = frame.content.decode()
    for key in ("offices", "education", "major", "needs", "services", "monthly", "compliance"):
        assert f"breakdown={key}&amp;part=1" in html  # ... each section loads its own figures
    for key in selectors.BREAKDOWNS:
        response = page(client, province_admin, f"cohort=2026&breakdown={key}&part=1")
        assert response.status_code == 200
        assert "<html" not in response.content.decode()  # only the section
        data = charts(response)
        for breakdown in response.context["breakdowns"]:
            chart = data[breakdown.key]
            assert chart["categories"] == [label for label, _values in breakdown.rows]
            for series in chart["series"]:
                assert series["data"] == [values[series["column"]] for _label, values in breakdown.rows]


def test_a_prefecture_sees_its_counties_and_drills_down_to_one(client, prefecture_clerk, cohort_2026):
    response = page(client, prefecture_clerk, "cohort=2026")
    offices = figures(response, "offices")
    assert offices["城东区公共就业和人才服务中心"][0] == 3
    assert offices["西宁市公共就业和人才服务中心（本级）"][0] == 1
    assert "海东市公共就业和人才服务中心" not in offices
    assert sum(v[0] for v in offices.values()) == 4
    chengdong = office("城东区")
    section = page(client, prefecture_clerk, "cohort=2026&breakdown=offices&part=1").content.decode()
    assert f'href="?office={chengdong.pk}&amp;cohort=2026"' in section

    drilled = page(client, prefecture_clerk, f"cohort=2026&office={chengdong.pk}")
    assert drilled.status_code == 200
    assert drilled.context["scope"].name == chengdong.name
    assert sum(v[0] for v in figures(drilled, "education").values()) == 3
    assert "西宁市公共就业和人才服务中心" in drilled.content.decode()  # the way back up


def test_another_prefecture_or_a_higher_office_is_404(client, prefecture_clerk, county_clerk, cohort_2026):
    haidong, xining = office("海东市"), office("西宁市")
    assert page(client, prefecture_clerk, f"office={haidong.pk}").status_code == 404
    assert page(client, prefecture_clerk, f"office={office('乐都区').pk}").status_code == 404
    assert page(client, county_clerk, f"office={xining.pk}").status_code == 404
    assert page(client, county_clerk, "office=999999").status_code == 404
    client.force_login(prefecture_clerk)
    with on("2026-11-20"):
        assert client.get(f"{DOWNLOAD}?office={haidong.pk}").status_code == 404


def test_a_county_sees_only_its_own_graduates(client, county_clerk, cohort_2026):
    response = page(client, county_clerk, "cohort=2026")
    assert sum(v[0] for v in figures(response, "education").values()) == 3
    assert list(figures(response, "offices")) == ["城东区公共就业和人才服务中心"]
    assert figures(response, "needs")["职业指导"] == [1]  # 西宁本级's graduate's need is not 城东's


def test_the_education_dept_sees_universities_and_universities_see_nothing(
    client, education_clerk, university_clerk, cohort_2026
):
    response = page(client, education_clerk, "cohort=2026")
    assert response.status_code == 200
    # The generated graduates carry no university of the system (university_name only): none are the Dept's.
    assert sum(v[0] for v in figures(response, "education").values()) == 0
    assert "compliance" not in {b.key for b in response.context["breakdowns"]}
    assert page(client, education_clerk, f"office={office('城东区').pk}").status_code == 404
    assert page(client, university_clerk).status_code == 403


def test_the_cohort_filter_counts_only_that_cohort(client, county_clerk, cohort_2026):
    response = page(client, county_clerk, "cohort=2025")
    assert figures(response, "education")["其他"] == [1]
    assert sum(v[0] for v in figures(response, "education").values()) == 1
    assert figures(response, "needs")["公益性岗位"] == [1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cohort=abc", "届别应为"),
        ("cohort=99999", "届别应为"),
        ("cohort=-1", "届别应为"),
        ("breakdown=nonsense", "没有这个统计项目"),
        ("breakdown=%00%27", "没有这个统计项目"),
    ],
)
def test_bad_filters_answer_with_a_message(client, county_clerk, query, message):
    response = page(client, county_clerk, query)
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("query", ["office=abc", "office=0", "office=99999999999999999999", "office=-3"])
def test_a_bad_office_is_404(client, county_clerk, query):
    assert page(client, county_clerk, query).status_code == 404


def test_a_bad_download_is_404_never_500(client, county_clerk):
    client.force_login(county_clerk)
    with on("2026-11-20"):
        assert client.get(f"{DOWNLOAD}?cohort=abc").status_code == 404
        assert client.get(f"{DOWNLOAD}?breakdown=nope").status_code == 404


def test_one_breakdown_alone(client, county_clerk, cohort_2026):
    response = page(client, county_clerk, "cohort=2026&breakdown=hardship")
    assert [b.key for b in response.context["breakdowns"]] == ["hardship"]
    assert list(charts(response)) == ["hardship"]


def sheet_rows(sheet) -> dict[str, list]:
    """A statistics sheet's table (title, scope line, column titles, then rows) as label → numbers."""
    rows = list(sheet.iter_rows(values_only=True))
    table = {}
    for row in rows[3:]:
        if row[0] is None or str(row[0]).startswith("说明"):
            break
        table[row[0]] = [None if v == "—" else v for v in row[1:] if v is not None]  # — : no value yet
    return table


def test_the_xlsx_parses_back_to_the_page_numbers_and_is_audited(client, province_admin, cohort_2026):
    response = page(client, province_admin, "cohort=2026")
    client.force_login(province_admin)
    with on("2026-11-20"):
        download = client.get(f"{DOWNLOAD}?cohort=2026")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download["Cache-Control"].startswith("no-store")
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    shown = list(breakdowns(response).values())
    assert len(book.sheetnames) == len(shown)
    for breakdown, name in zip(shown, book.sheetnames, strict=True):
        table = sheet_rows(book[name])
        for label, values in breakdown.rows:
            assert table[formula_safe(label)][: len(values)] == values, (breakdown.key, label)
        if breakdown.additive:
            assert table["合计"] == breakdown.totals
    # A major that looks like a formula stays text.
    majors = sheet_rows(book["专业结构（按专业）"])
    assert "'=cmd|' /C calc'!A0" in majors
    event = AuditEvent.objects.get(action="reporting.statistics.downloaded")
    assert event.actor == province_admin and event.data["cohort"] == 2026
    assert "education" in event.data["breakdowns"]


def test_months_still_to_come_have_no_value_not_zero(client, province_admin, cohort_2026):
    """On 20 November 2026 the months December 2026 – June 2027 have not happened: no figure (a gap in the line,
    — in the table and the .xlsx), while the months gone by without any activity show a real 0."""
    response = page(client, province_admin, "cohort=2026&breakdown=monthly")
    monthly = dict(response.context["breakdowns"][0].rows)
    assert monthly["2026年8月"] == [0, 0, 0] and monthly["2026年11月"] == [0, 0, 0]  # gone by, or running
    assert monthly["2026年10月"] == [0, 2, 2]
    to_come = ["2026年12月", *(f"2027年{m}月" for m in range(1, 7))]
    assert all(monthly[month] == [None, None, None] for month in to_come)
    chart = charts(response)["monthly"]
    for series in chart["series"]:
        assert series["data"][-7:] == [None] * 7 and None not in series["data"][:-7]
    rows = re.findall(r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", response.content.decode(), re.S)
    shown = {label: re.findall(r"<td[^>]*data-value>(.*?)</td>", cells, re.S) for label, cells in rows}
    assert shown["2026年11月"] == ["0", "0", "0"]
    assert all(re.sub(r"<[^>]+>", "", v) == "—" for month in to_come for v in shown[month])
    assert "合计" in response.content.decode() and response.context["breakdowns"][0].totals == [5, 2, 2]
    client.force_login(province_admin)
    with on("2026-11-20"):
        download = client.get(f"{DOWNLOAD}?cohort=2026&breakdown=monthly")
    table = sheet_rows(load_workbook(io.BytesIO(download.content), read_only=True)["逐月情况"])
    assert table["2026年11月"] == [0, 0, 0] and table["2027年6月"] == [None, None, None]
    assert table["合计"] == [5, 2, 2]
    # A year later the whole reporting year has happened: every month has its number.
    with on("2027-11-20"):
        client.force_login(province_admin)  # the session of a year ago has ended
        later = client.get(f"{PAGE}?cohort=2026&breakdown=monthly")
    assert all(None not in values for _label, values in later.context["breakdowns"][0].rows)


def test_one_breakdowns_xlsx(client, county_clerk, cohort_2026):
    client.force_login(county_clerk)
    with on("2026-11-20"):
        download = client.get(f"{DOWNLOAD}?cohort=2026&breakdown=education")
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    assert book.sheetnames == ["学历状况"]
    table = sheet_rows(book["学历状况"])
    assert table["大学本科"][0] == 1 and table["大学专科"][0] == 1 and table["硕士研究生"][0] == 1
    assert table["合计"] == [3]


def test_the_menu_shows_statistics_to_offices_and_the_education_dept(
    client, county_clerk, education_clerk, university_clerk
):
    for user, shown in ((county_clerk, True), (education_clerk, True), (university_clerk, False)):
        client.force_login(user)
        assert (f'href="{PAGE}"' in client.get("/").content.decode()) is shown, user


def test_a_new_county_user_of_another_prefecture_sees_only_its_county(client, cohort_2026):
    ledu = UserFactory(role=Role.COUNTY_STAFF, office=office("乐都区"))
    response = page(client, ledu, "cohort=2026")
    assert sum(v[0] for v in figures(response, "education").values()) == 0
    assert page(client, ledu, f"office={office('城东区').pk}").status_code == 404


def test_plan_compliance_per_rule_is_the_services_compliance(client, county_clerk, cohort_2026):
    from services.selectors import compliance_for

    response = page(client, county_clerk, "breakdown=compliance")
    plan = figures(response, "compliance")
    with on("2026-11-20"):
        expected = compliance_for(user=county_clerk, as_of=datetime.date(2026, 11, 20))
    assert expected.standard is not None and plan
    assert list(plan.values()) == [list(counts.values()) for _rule, counts in expected.rules]
    assert sum(map(sum, plan.values())) > 0  # the 2026 graduates' obligations (and the 2025 one's)


def test_the_page_runs_the_same_queries_whatever_the_number_of_graduates(
    client, province_admin, county_clerk
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(province_admin)

    def queries() -> int:
        with on("2026-11-20"), CaptureQueriesContext(connection) as captured:
            assert client.get(f"{PAGE}?cohort=2026").status_code == 200
            for key in selectors.BREAKDOWNS:
                assert client.get(f"{PAGE}?cohort=2026&breakdown={key}&part=1").status_code == 200
        return len(captured)

    empty = queries()
    with on("2026-09-10"):
        for seq in range(31, 51, 2):
            register(county_clerk, seq, service_needs=["1", "2", "3"], hardship=["1", "2"])
    assert queries() == empty


def test_majors_beyond_the_top_are_one_other_row(client, county_clerk):
    with on("2026-09-10"):
        for i, major in enumerate(["软件工程"] * 3 + [f"测试专业{n:02d}" for n in range(16)]):
            register(county_clerk, 101 + 2 * i, major=major)
    majors = figures(page(client, county_clerk, "cohort=2026&breakdown=major"), "major")
    assert len(majors) == 16 and next(iter(majors)) == "软件工程" and majors["软件工程"] == [3]
    assert majors["其他（2 个专业）"] == [2]  # 17 names: the 15 largest, then the 2 left
    assert sum(v[0] for v in majors.values()) == 19

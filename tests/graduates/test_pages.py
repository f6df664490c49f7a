"""The offices' pages: list, record, forms; masking and the scope rule as a user meets them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Region
from graduates import actions
from graduates.codes import State
from graduates.models import Graduate
from tests.factories import make_id_number, unsaved_graduate


@pytest.fixture
def chengdong_graduate(county_clerk):
    return actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)


@pytest.fixture
def haidong_graduate(other_prefecture_clerk):
    return actions.create_graduate(
        graduate=unsaved_graduate(
            name="海东学生",
            id_number=make_id_number(region="630202", seq=222),
            origin_region=Region.objects.get(code="630202"),
            mobile="13700000002",
        ),
        acting_user=other_prefecture_clerk,
    )


def page_of(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response, response.content.decode()


def test_list_masks_id_numbers_and_phones(client, county_clerk, chengdong_graduate):
    response, page = page_of(client, county_clerk, reverse("graduates:list"))
    assert response.status_code == 200
    assert "630102********" + chengdong_graduate.id_number[-4:] in page
    assert chengdong_graduate.id_number not in page
    assert "138****0001" in page and "13800000001" not in page


def test_record_page_shows_the_full_id_number_and_logs_the_view(client, county_clerk, chengdong_graduate):
    _, page = page_of(client, county_clerk, reverse("graduates:detail", args=[chengdong_graduate.pk]))
    assert chengdong_graduate.id_number in page and "13800000001" in page
    assert AuditEvent.objects.filter(action="graduate.viewed", actor=county_clerk).count() == 1


def test_list_shows_only_the_users_scope(client, prefecture_clerk, chengdong_graduate, haidong_graduate):
    _, page = page_of(client, prefecture_clerk, reverse("graduates:list"))
    assert "测试学生" in page and "海东学生" not in page
    assert "共 <strong>1</strong> 名" in page


def test_province_admin_sees_both_prefectures(client, province_admin, chengdong_graduate, haidong_graduate):
    _, page = page_of(client, province_admin, reverse("graduates:list"))
    assert "测试学生" in page and "海东学生" in page


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "graduates:detail"),
        ("get", "graduates:edit"),
        ("post", "graduates:edit"),
        ("post", "graduates:state"),
        ("post", "graduates:visit"),
    ],
)
def test_another_prefectures_record_is_404_everywhere(
    client, other_prefecture_clerk, chengdong_graduate, method, name
):
    client.force_login(other_prefecture_clerk)
    url = reverse(name, args=[chengdong_graduate.pk])
    response = getattr(client, method)(
        url, {"to_state": "verified", "visited_on": "2026-01-01", "method": "phone"}
    )
    assert response.status_code == 404
    assert Graduate.objects.get(pk=chengdong_graduate.pk).state == State.WAITING


def test_university_user_cannot_open_the_offices_forms(client, university_clerk):
    client.force_login(university_clerk)
    assert client.get(reverse("graduates:create")).status_code == 403


def test_bulk_action_on_someone_elses_graduate_changes_nothing(
    client, other_prefecture_clerk, chengdong_graduate
):
    client.force_login(other_prefecture_clerk)
    client.post(reverse("graduates:bulk"), {"action": "unreachable", "ids": [chengdong_graduate.pk]})
    assert Graduate.objects.get(pk=chengdong_graduate.pk).state == State.WAITING


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "waiting"}, {"测试学生"}),
        ({"state": "employed"}, {"就业学生"}),
        ({"cohort": "2025"}, {"就业学生"}),
        ({"education": "2"}, {"就业学生"}),
        ({"hardship": "1"}, {"就业学生"}),
        ({"intention": "4"}, {"就业学生"}),
        ({"need": "3"}, {"测试学生"}),
        ({"destination": "4"}, {"就业学生"}),
        ({"destination": "none"}, {"测试学生"}),
        ({"major": "计算机"}, {"测试学生"}),
        ({"q": "就业"}, {"就业学生"}),
        ({"q": "13700000009"}, {"就业学生"}),
        ({"staff": "none"}, {"测试学生", "就业学生"}),
    ],
)
def test_filters_and_search(client, county_clerk, chengdong_graduate, params, expected):
    other = actions.create_graduate(
        graduate=unsaved_graduate(
            name="就业学生",
            id_number=make_id_number(seq=555),
            cohort=2025,
            graduation_date=datetime.date(2025, 6, 30),
            education="2",
            major="法学",
            hardship=["1", "T"],
            intentions=["4"],
            service_needs=["7", "8"],
            mobile="13700000009",
        ),
        acting_user=county_clerk,
    )
    actions.record_visit(
        graduate=other,
        acting_user=county_clerk,
        visited_on=timezone.localdate(),
        method="phone",
        destination="4",
    )
    client.force_login(county_clerk)
    rows = client.get(reverse("graduates:list"), params, follow=True).context["page"].object_list
    assert {row["name"] for row in rows} == expected


def test_search_by_full_id_number_including_lower_case_x(client, county_clerk):
    number = next(n for n in (make_id_number(seq=s) for s in range(1, 300)) if n.endswith("X"))
    actions.create_graduate(
        graduate=unsaved_graduate(id_number=number, name="叉号学生"), acting_user=county_clerk
    )
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:search"), {"q": number.lower()}, follow=True)
    rows = response.context["page"].object_list
    assert [r["name"] for r in rows] == ["叉号学生"]


def test_list_query_count_does_not_grow_with_rows(client, county_clerk, django_assert_max_num_queries):
    for seq in range(10):
        actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=seq + 1), mobile=f"1380000010{seq}"),
            acting_user=county_clerk,
        )
    client.force_login(county_clerk)
    client.get(reverse("graduates:list"))  # warm the session and user
    # session, user, scope, staff, offices, count, page, notifications…: the same whatever the number of rows
    with django_assert_max_num_queries(11):
        response = client.get(reverse("graduates:list"))
    assert len(response.context["page"].object_list) == 10


def test_htmx_request_gets_only_the_results(client, county_clerk, chengdong_graduate):
    client.force_login(county_clerk)
    response = client.get(reverse("graduates:list"), {"state": "waiting"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'data-testid="graduate-table"' in page and "<html" not in page


def test_create_form_with_wrong_check_digit_shows_the_error_and_saves_nothing(client, county_clerk):
    client.force_login(county_clerk)
    data = form_data(id_number=make_id_number()[:-1] + ("0" if make_id_number()[-1] != "0" else "1"))
    response = client.post(reverse("graduates:create"), data)
    assert response.status_code == 400
    assert "校验码错误" in response.content.decode()
    assert Graduate.objects.count() == 0


def test_create_form_registers_and_opens_the_record(client, county_clerk):
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:create"), form_data())
    graduate = Graduate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "graduates:detail", args=[graduate.pk]
    )
    assert graduate.university.name == "青海大学" and graduate.university_name == "青海大学"


def test_entering_an_existing_graduate_leads_to_the_existing_record(client, county_clerk, chengdong_graduate):
    client.force_login(county_clerk)
    response = client.post(
        reverse("graduates:create"), form_data(id_number=chengdong_graduate.id_number.lower())
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("graduates:detail", args=[chengdong_graduate.pk])
    assert Graduate.objects.count() == 1


def test_existing_graduate_of_another_office_is_neither_named_nor_shown(
    client, other_prefecture_clerk, chengdong_graduate
):
    client.force_login(other_prefecture_clerk)
    response = client.post(reverse("graduates:create"), form_data(id_number=chengdong_graduate.id_number))
    page = response.content.decode()
    assert response.status_code == 400
    assert "已在其他机构登记" in page and "办理转移" in page and "省就业服务局" in page
    assert "城东区公共就业和人才服务中心" not in page and "测试学生" not in page
    assert Graduate.objects.count() == 1


def test_edit_shows_in_the_timeline(client, county_clerk, chengdong_graduate):
    client.force_login(county_clerk)
    data = form_data(id_number=chengdong_graduate.id_number, major="软件工程", version=1)
    assert client.post(reverse("graduates:edit", args=[chengdong_graduate.pk]), data).status_code == 302
    page = client.get(reverse("graduates:detail", args=[chengdong_graduate.pk])).content.decode()
    assert "所学专业：计算机科学与技术 → 软件工程" in page


def test_state_buttons_offer_only_allowed_transitions(client, county_clerk, chengdong_graduate):
    _, page = page_of(client, county_clerk, reverse("graduates:detail", args=[chengdong_graduate.pk]))
    assert "改为“已核实”" in page and "改为“已转出”" not in page
    client.post(reverse("graduates:state", args=[chengdong_graduate.pk]), {"to_state": "transferred"})
    assert Graduate.objects.get(pk=chengdong_graduate.pk).state == State.WAITING


def test_home_counts_graduates_waiting_for_contact(client, county_clerk):
    client.force_login(county_clerk)
    counters = {c["label"]: c for c in client.get(reverse("home")).context["waiting"]}
    assert counters["待联系毕业生"] == {
        "label": "待联系毕业生",
        "url": reverse("graduates:list") + "?state=waiting",
        "count": 0,
    }
    actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)
    counters = {c["label"]: c for c in client.get(reverse("home")).context["waiting"]}
    assert counters["待联系毕业生"]["count"] == 1


def form_data(**overrides):
    data = {
        "name": "表单学生",
        "ethnicity": "03",
        "id_number": make_id_number(seq=777),
        "cohort": "2026",
        "category": "fresh",
        "university": "",
        "university_name": "青海大学",
        "graduation_date": "2026-06-30",
        "education": "3",
        "major": "计算机科学与技术",
        "origin_region": "630102",
        "mobile": "13600000003",
        "hardship": ["4"],
        "location_intention": "2",
        "intentions": ["3"],
        "service_needs": ["2"],
    }
    from core.models import Office

    data["university"] = str(Office.objects.get(name="青海大学").pk)
    data.update(overrides)
    return data


def test_sorting_by_name_from_the_column_header_keeps_the_filters(client, county_clerk):
    for seq, name in enumerate(["丙", "甲", "乙"]):
        actions.create_graduate(
            graduate=unsaved_graduate(name=name, id_number=make_id_number(seq=seq + 10)),
            acting_user=county_clerk,
        )
    client.force_login(county_clerk)
    response = client.get(reverse("graduates:list"), {"state": "waiting", "sort": "name"})
    assert [r["name"] for r in response.context["page"].object_list] == sorted(["丙", "甲", "乙"])
    assert 'href="?state=waiting&amp;sort=cohort"' in response.content.decode()


def test_an_abolished_region_in_the_id_number_is_shown_as_a_warning(client, county_clerk):
    graduate = actions.create_graduate(
        graduate=unsaved_graduate(id_number=make_id_number(region="632121", birth="19990101")),
        acting_user=county_clerk,
    )
    _, page = page_of(client, county_clerk, reverse("graduates:detail", args=[graduate.pk]))
    assert "是已撤销的行政区划代码" in page

"""Searching the list: pasted invisible characters, and no ID number or phone in any URL."""

import json
import re

import pytest
from django.urls import reverse

from graduates import actions
from graduates.checks import check_id_number, normalize_text
from tests.factories import make_id_number, unsaved_graduate

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
              "\u202e", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\ufeff", "\u00a0"]  # fmt: skip


@pytest.fixture
def graduate(county_clerk):
    return actions.create_graduate(
        graduate=unsaved_graduate(name="隐形学生", id_number=make_id_number(seq=321)),
        acting_user=county_clerk,
    )


@pytest.mark.parametrize("char", INVISIBLES, ids=[f"U+{ord(c):04X}" for c in INVISIBLES])
def test_invisible_characters_are_dropped_from_a_pasted_id_number(db, char):
    number = make_id_number(seq=321)
    pasted = f"{char}{number[:6]}{char}{number[6:]}{char}"
    assert normalize_text(pasted) == number
    assert check_id_number(pasted).number == number


@pytest.mark.parametrize("char", ["\u200b", "\ufeff", "\u200e", "\u202d", "\u2060", "\u00a0"])
def test_a_pasted_id_number_with_invisible_characters_is_found(client, county_clerk, graduate, char):
    client.force_login(county_clerk)
    response = client.post(
        reverse("graduates:search"), {"q": f"{char}{graduate.id_number}{char}"}, follow=True
    )
    assert [r["name"] for r in response.context["page"].object_list] == ["隐形学生"]


URL_ATTRIBUTE = re.compile(r'(?:href|action|hx-get|hx-post|hx-push-url|src)="([^"]*)"')


def urls_in(page: str) -> list[str]:
    return URL_ATTRIBUTE.findall(page)


def assert_no_url_holds(number: str, response):
    for url in [
        response.get("Location", ""),
        response.get("HX-Location", ""),
        *urls_in(response.content.decode()),
    ]:
        assert number not in url


@pytest.mark.parametrize("field", ["id_number", "mobile"])
def test_a_search_by_id_number_or_mobile_redirects_to_a_url_without_it(client, county_clerk, graduate, field):
    number = getattr(graduate, field)
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:search"), {"q": number, "state": "waiting", "cohort": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert number not in location and not re.search(r"\d{6}", location)
    assert "state=waiting" in location and "cohort" not in location  # filters stay; empty ones go
    page = client.get(location)
    assert [r["name"] for r in page.context["page"].object_list] == ["隐形学生"]
    assert_no_url_holds(number, page)
    assert f'value="{number}"' in page.content.decode()  # the box still shows what was typed


def test_a_name_search_may_stay_in_the_url(client, county_clerk, graduate):
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:search"), {"q": "隐形"})
    assert response["Location"] == reverse("graduates:list") + "?q=%E9%9A%90%E5%BD%A2"


def test_an_old_link_with_the_number_is_moved_out_of_the_url(client, county_clerk, graduate):
    client.force_login(county_clerk)
    response = client.get(reverse("graduates:list"), {"q": graduate.id_number, "sort": "name"})
    assert response.status_code == 302 and graduate.id_number not in response["Location"]
    assert "sort=name" in response["Location"]
    rows = client.get(response["Location"]).context["page"].object_list
    assert [r["name"] for r in rows] == ["隐形学生"]


def test_a_token_means_nothing_in_another_session(client, county_clerk, graduate):
    from django.test import Client

    client.force_login(county_clerk)
    location = client.post(reverse("graduates:search"), {"q": graduate.id_number})["Location"]
    other = Client()
    other.force_login(county_clerk)
    response = other.get(location, follow=True)
    assert "该查询已失效" in response.content.decode()
    assert "q=" not in response.redirect_chain[-1][0]


def test_htmx_search_answers_a_location_without_the_number(client, county_clerk, graduate):
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:search"), {"q": graduate.mobile}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    location = json.loads(response["HX-Location"])
    assert location["target"] == "#results" and graduate.mobile not in location["path"]
    partial = client.get(location["path"], HTTP_HX_REQUEST="true")
    assert "隐形学生" in partial.content.decode() and "<html" not in partial.content.decode()
    assert_no_url_holds(graduate.mobile, partial)


def test_paging_and_sorting_links_carry_the_token_not_the_number(client, county_clerk):
    for seq in range(30):
        actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=seq + 1), mobile="13911112222"),
            acting_user=county_clerk,
        )
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:search"), {"q": "13911112222", "per_page": "25"}, follow=True)
    page = response.content.decode()
    assert "第 1 / 2 页" in page
    assert_no_url_holds("13911112222", response)
    assert 'name="query" value="q=%40' in page  # the bulk form's way back, by token


def test_a_prefilled_registration_keeps_the_id_number_out_of_the_url(client, county_clerk):
    number = make_id_number(seq=654)
    client.force_login(county_clerk)
    for response in (
        client.get(reverse("graduates:create"), {"name": "到场学生", "id_number": number, "cohort": "2026"}),
        client.post(
            reverse("graduates:prefill"), {"name": "到场学生", "id_number": number, "cohort": "2026"}
        ),
    ):
        assert response.status_code == 302 and number not in response["Location"]
        form = client.get(response["Location"]).context["form"]
        assert (form["name"].value(), form["id_number"].value(), str(form["cohort"].value())) == (
            "到场学生",
            number,
            "2026",
        )


def test_the_search_box_form_posts(client, county_clerk):
    client.force_login(county_clerk)
    page = client.get(reverse("graduates:list")).content.decode()
    assert re.search(r'<form id="filters"[^>]*method="post"', page)

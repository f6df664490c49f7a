"""Absurd input on every registry page: a Chinese message or the value ignored, never a 500."""

import pytest
from django.urls import reverse

from graduates import actions
from graduates.models import Graduate
from tests.factories import unsaved_graduate
from tests.graduates.test_pages import form_data

ABSURD = [
    "长" * 500,
    "a\x00b",
    "\x00",
    "99999",
    "-5",
    "0",
    "abc",
    "9" * 30,
    "1e400",
    "NaN",
    "<script>",
    "%00",
    "\n\r",
]
LIST_PARAMS = ["q", "state", "cohort", "education", "category", "hardship", "intention", "need", "source",
               "destination", "university", "major", "office", "staff", "sort", "info", "page", "per_page"]  # fmt: skip
FORM_FIELDS = [
    "name", "gender", "ethnicity", "id_number", "cohort", "category", "university", "university_name",
    "graduation_date", "education", "major", "origin_region", "mobile", "landline", "email", "postcode",
    "hardship", "location_intention", "intentions", "service_needs", "unemployment_cert_no",
    "unemployment_cert_date", "version",
]  # fmt: skip


@pytest.fixture
def graduate(county_clerk):
    return actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)


@pytest.fixture
def clerk_client(client, county_clerk):
    client.force_login(county_clerk)
    return client


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("param", LIST_PARAMS)
def test_list_filters(clerk_client, graduate, param, value):
    response = clerk_client.get(reverse("graduates:list"), {param: value}, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("value", ABSURD)
def test_search_post(clerk_client, graduate, value):
    response = clerk_client.post(
        reverse("graduates:search"), {"q": value, "cohort": value, "junk" * 50: value}, follow=True
    )
    assert response.status_code == 200
    assert len(response.redirect_chain[-1][0]) < 2500  # only known parameters, each cut to 100 characters


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("field", FORM_FIELDS)
def test_create_and_edit_forms(clerk_client, graduate, field, value):
    create = clerk_client.post(reverse("graduates:create"), form_data(**{field: value}))
    assert create.status_code in (302, 400)
    edit = clerk_client.post(
        reverse("graduates:edit", args=[graduate.pk]),
        form_data(**{"id_number": graduate.id_number, "version": graduate.version, field: value}),
    )
    assert edit.status_code in (302, 400)
    if create.status_code == 400:
        assert "请修改" in create.content.decode() or "保存失败" in create.content.decode()


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("field", ["visited_on", "method", "outcome", "destination", "employer", "note"])
def test_visit_form(clerk_client, graduate, field, value):
    data = {"visited_on": "2026-07-01", "method": "phone", "outcome": "reached", field: value}
    response = clerk_client.post(reverse("graduates:visit", args=[graduate.pk]), data)
    assert response.status_code in (302, 400)


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("field", ["action", "ids", "staff", "query"])
def test_bulk_form(clerk_client, graduate, field, value):
    data = {"action": "assign", "ids": [str(graduate.pk)], "staff": "", field: value}
    response = clerk_client.post(reverse("graduates:bulk"), data, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("value", ABSURD)
def test_prefill_and_notes(clerk_client, graduate, value):
    for response in (
        clerk_client.get(reverse("graduates:create"), {"name": value, "id_number": value, "cohort": value}),
        clerk_client.post(reverse("graduates:prefill"), {"name": value, "id_number": value, "cohort": value}),
        clerk_client.post(reverse("graduates:state", args=[graduate.pk]), {"to_state": value, "note": value}),
        clerk_client.get(reverse("graduates:create"), {"prefill": value}),
    ):
        assert response.status_code in (200, 302)


@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_huge_record_ids_are_404(clerk_client, pk):
    for name in ("graduates:detail", "graduates:edit"):
        assert (
            clerk_client.get(f"/graduates/{pk}/" + ("edit/" if name.endswith("edit") else "")).status_code
            == 404
        )


def test_a_long_bulk_selection_is_refused_in_chinese(clerk_client, graduate):
    ids = [str(graduate.pk)] * 600
    response = clerk_client.post(
        reverse("graduates:bulk"), {"action": "unreachable", "ids": ids}, follow=True
    )
    assert "一次最多" in response.content.decode()
    assert Graduate.objects.get(pk=graduate.pk).state == "waiting"

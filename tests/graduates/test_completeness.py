"""信息不全 (001 §一(二) 不漏项、不缺项): records missing 就业地意向, 就业意向 or 困难状况 are flagged."""

import pytest
from django.urls import reverse

from graduates import actions
from graduates.models import Graduate
from tests.factories import make_id_number, unsaved_graduate


@pytest.fixture
def four_graduates(county_clerk):
    made = {}
    for seq, (name, missing) in enumerate(
        [
            ("完整学生", {}),
            ("缺地学生", {"location_intention": ""}),
            ("缺意向学生", {"intentions": [], "service_needs": []}),
            ("缺困难学生", {"hardship": []}),
        ]
    ):
        made[name] = actions.create_graduate(
            graduate=unsaved_graduate(name=name, id_number=make_id_number(seq=seq + 1), **missing),
            acting_user=county_clerk,
        )
    return made


def test_the_queryset_knows_incomplete_records(four_graduates):
    assert set(Graduate.objects.incomplete().values_list("name", flat=True)) == {
        "缺地学生",
        "缺意向学生",
        "缺困难学生",
    }
    assert list(Graduate.objects.complete().values_list("name", flat=True)) == ["完整学生"]
    assert four_graduates["缺地学生"].missing_information == ["就业地意向"]
    assert four_graduates["完整学生"].missing_information == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("incomplete", {"缺地学生", "缺意向学生", "缺困难学生"}),
        ("complete", {"完整学生"}),
        ("", None),
        ("abc", None),
    ],
)
def test_the_list_filters_by_completeness_in_the_url(client, county_clerk, four_graduates, value, expected):
    client.force_login(county_clerk)
    response = client.get(reverse("graduates:list"), {"info": value})
    assert response.status_code == 200
    names = {row["name"] for row in response.context["page"].object_list}
    assert names == (expected or set(four_graduates))


def test_list_rows_and_record_carry_the_badge(client, county_clerk, four_graduates):
    client.force_login(county_clerk)
    page = client.get(reverse("graduates:list")).content.decode()
    assert page.count('data-testid="incomplete-badge"') == 3
    record = client.get(reverse("graduates:detail", args=[four_graduates["缺意向学生"].pk])).content.decode()
    assert 'data-testid="incomplete-badge"' in record and "信息不全：缺少就业意向" in record
    complete = client.get(reverse("graduates:detail", args=[four_graduates["完整学生"].pk])).content.decode()
    assert "信息不全" not in complete


def test_the_home_page_counts_incomplete_records_of_the_scope(
    client, county_clerk, other_prefecture_clerk, four_graduates
):
    client.force_login(county_clerk)
    counters = {c["label"]: c for c in client.get(reverse("home")).context["waiting"]}
    assert counters["信息不全的毕业生"] == {
        "label": "信息不全的毕业生",
        "url": reverse("graduates:list") + "?info=incomplete",
        "count": 3,
    }
    client.force_login(other_prefecture_clerk)
    counters = {c["label"]: c for c in client.get(reverse("home")).context["waiting"]}
    assert counters["信息不全的毕业生"]["count"] == 0


def test_completing_the_record_clears_the_flag(client, county_clerk, four_graduates):
    graduate = Graduate.objects.get(pk=four_graduates["缺地学生"].pk)
    graduate.location_intention = "1"
    actions.update_graduate(graduate=graduate, acting_user=county_clerk, expected_version=graduate.version)
    assert not Graduate.objects.incomplete().filter(pk=graduate.pk).exists()

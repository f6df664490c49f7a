"""Provincial admins in the Django admin: search, read-only history, export of the filtered list."""

import io

import openpyxl
import pytest
from django.urls import reverse

from core.models import AuditEvent, Region
from graduates import actions
from tests.factories import make_id_number, unsaved_graduate


@pytest.fixture
def two_graduates(county_clerk, other_prefecture_clerk):
    a = actions.create_graduate(
        graduate=unsaved_graduate(hardship=["1", "T"], intentions=["3", "1"], service_needs=["3", "1"]),
        acting_user=county_clerk,
    )
    b = actions.create_graduate(
        graduate=unsaved_graduate(
            name="=HYPERLINK(1)",
            id_number=make_id_number(region="630202", seq=333),
            origin_region=Region.objects.get(code="630202"),
            mobile="13700000003",
        ),
        acting_user=other_prefecture_clerk,
    )
    return a, b


def test_admin_search_by_full_id_number_moves_it_out_of_the_url(client, province_admin, two_graduates):
    client.force_login(province_admin)
    number = two_graduates[0].id_number
    response = client.get(reverse("admin:graduates_graduate_changelist"), {"q": number})
    assert response.status_code == 302 and number not in response["Location"]
    response = client.get(response["Location"])
    assert list(response.context["cl"].result_list) == [two_graduates[0]]
    assert number not in response.content.decode()  # neither in links nor in the search box


def test_admin_record_is_read_only_with_its_history(client, province_admin, two_graduates):
    client.force_login(province_admin)
    url = reverse("admin:graduates_graduate_change", args=[two_graduates[0].pk])
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "变更记录（只读）" in page
    assert 'name="name"' not in page  # no editable inputs
    assert client.post(url, {"name": "改名"}).status_code == 403


def test_export_of_the_filtered_list_writes_the_summary_columns_as_codes(
    client, province_admin, two_graduates
):
    client.force_login(province_admin)
    url = (
        reverse("admin:graduates_graduate_export")
        + "?state__exact=waiting&q="
        + token(client, two_graduates[0])
    )
    response = client.post(url, {"format": "0", "resource": "0", **export_field_params()})
    assert response.status_code == 200, response.content[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:5] == ("姓名", "性别", "民族", "公民身份号码", "毕业院校")
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["困难状况"] == "12"  # 脱贫家庭 reported nationally as 2
    assert row["就业意向"] == "13" and row["就业服务需求"] == "13"
    assert row["毕业日期"] == "20260630" and row["入学前户口所在地"] == "630102"
    assert AuditEvent.objects.filter(action="graduate.exported", actor=province_admin, data__rows=1).exists()


def test_export_never_writes_a_formula(client, province_admin, two_graduates):
    client.force_login(province_admin)
    url = reverse("admin:graduates_graduate_export") + "?q=" + token(client, two_graduates[1])
    response = client.post(url, {"format": "0", "resource": "0", **export_field_params()})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    name_cell = sheet.cell(row=2, column=1)
    assert name_cell.data_type == "s" and not str(name_cell.value).startswith("=")


def export_field_params():
    from graduates.resources import GraduateExportResource

    return {f"graduateexportresource_{name}": "on" for name in GraduateExportResource._meta.export_order}


def token(client, graduate) -> str:
    """The search token the changelist gives GRADUATE's ID number (what its export link then carries)."""
    response = client.get(reverse("admin:graduates_graduate_changelist"), {"q": graduate.id_number})
    return response["Location"].split("q=")[1].split("&")[0]

"""Bulk downloads of personal data ask for a purpose first (GB/T 35273-2020 §7), and every export's audit row holds
who, scope, filters, rows and the stated purpose. EXPORT_PURPOSE_THRESHOLD is lowered here so a handful of generated
people stands for "more than 100"."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from core.models import AuditEvent
from graduates import actions as graduate_actions
from handover.contact.actions import record_contact
from reporting.models import MonthlySnapshot
from tests.factories import make_id_number, unsaved_graduate
from tests.graduates.test_admin import export_field_params
from tests.reporting.test_feedback import on as feedback_day
from tests.reporting.test_feedback import register as register_for_university
from tests.reporting.test_feedback import university
from tests.reporting.test_monthly_table import on

pytestmark = pytest.mark.django_db
PURPOSE = "按月向人社部报送离校未就业毕业生实名信息"


@pytest.fixture
def unreachable(prefecture_clerk, county_clerk):
    graduates = [
        graduate_actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=700 + n)), acting_user=county_clerk
        )
        for n in range(3)
    ]
    for graduate in graduates:
        record_contact(graduate=graduate, method="phone", outcome="unreachable", acting_user=county_clerk)
    return graduates


def is_xlsx(response) -> bool:
    return response.status_code == 200 and response.content[:2] == b"PK"


def test_the_unreachable_list_above_the_threshold_asks_for_a_purpose_and_stores_it(
    client, settings, county_clerk, unreachable
):
    settings.EXPORT_PURPOSE_THRESHOLD = 2
    client.force_login(county_clerk)
    url = reverse("handover:unreachable_export")
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and not is_xlsx(response)
    assert "请先填写使用目的" in page and "共 <strong>3</strong> 人" in page and "GB/T 35273-2020" in page
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action="handover.unreachable.exported").exists()  # nothing left yet

    response = client.post(url, {"purpose": "  "})
    assert response.status_code == 400 and "请填写使用目的" in response.content.decode()
    response = client.post(url, {"purpose": "看看"})
    assert response.status_code == 400 and "至少 4 个字" in response.content.decode()
    response = client.post(url, {"purpose": "长" * 201})
    assert response.status_code == 400 and "最多 200 个字" in response.content.decode()
    assert not AuditEvent.objects.filter(action="handover.unreachable.exported").exists()

    response = client.post(url, {"purpose": f"  发教育厅补充联系方式\n{PURPOSE} "})
    assert is_xlsx(response)
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4
    event = AuditEvent.objects.get(action="handover.unreachable.exported")
    assert event.actor == county_clerk and event.office == county_clerk.office
    assert event.data["rows"] == 3 and event.data["purpose"] == f"发教育厅补充联系方式 {PURPOSE}"
    assert event.data["scope"] == f"{county_clerk.office.name}辖区"


def test_at_or_below_the_threshold_the_download_comes_at_once_and_is_audited_without_purpose(
    client, settings, county_clerk, unreachable
):
    settings.EXPORT_PURPOSE_THRESHOLD = 3
    client.force_login(county_clerk)
    response = client.get(reverse("handover:unreachable_export"))
    assert is_xlsx(response)
    event = AuditEvent.objects.get(action="handover.unreachable.exported")
    assert event.data["rows"] == 3 and event.data["purpose"] == ""


def test_the_default_threshold_is_100_rows(settings):
    from config import settings as project_settings

    assert project_settings.EXPORT_PURPOSE_THRESHOLD == 100


def test_the_monthly_table_download_asks_for_a_purpose_above_the_threshold(client, settings, county_clerk):
    settings.EXPORT_PURPOSE_THRESHOLD = 1
    with on("2025-09-10"):
        for seq in (41, 42):
            graduate_actions.create_graduate(
                graduate=unsaved_graduate(
                    id_number=make_id_number(seq=seq), cohort=2025, graduation_date=datetime.date(2025, 6, 30)
                ),
                acting_user=county_clerk,
            )
    client.force_login(county_clerk)
    with on("2025-10-02"):
        client.post("/reporting/monthly/", {"month": "2025-09", "cohort": "2025"})
    snapshot = MonthlySnapshot.objects.get()
    url = reverse("reporting:download", args=[snapshot.pk])
    response = client.get(url)
    assert not is_xlsx(response) and "下载月度汇总表" in response.content.decode()
    response = client.post(url, {"purpose": PURPOSE})
    assert is_xlsx(response) and "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="reporting.monthly.downloaded")
    assert (event.data["rows"], event.data["purpose"], event.data["month"]) == (2, PURPOSE, "2025-09")
    assert event.data["scope"] == county_clerk.office.name and event.object_id == str(snapshot.pk)


def test_the_feedback_downloads_ask_for_a_purpose_above_the_threshold(
    client, settings, county_clerk, education_clerk
):
    settings.EXPORT_PURPOSE_THRESHOLD = 1
    qhu = university("青海大学")
    with feedback_day("2025-09-01"):
        register_for_university(county_clerk, 51, qhu)
        register_for_university(county_clerk, 52, qhu)
    client.force_login(education_clerk)
    with feedback_day("2026-01-10"):
        one = reverse("reporting:feedback_download", args=[qhu.pk]) + "?cohort=2025"
        assert "请先填写使用目的" in client.get(one).content.decode()
        assert is_xlsx(client.post(one, {"purpose": PURPOSE}))
        every = reverse("reporting:feedback_zip") + "?cohort=2025"
        assert "请先填写使用目的" in client.get(every).content.decode()
        response = client.post(every, {"purpose": "反馈各院校毕业生服务情况"})
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    single = AuditEvent.objects.get(action="reporting.feedback.downloaded")
    assert (single.data["rows"], single.data["purpose"], single.data["filters"]) == (
        2,
        PURPOSE,
        {"cohort": "2025"},
    )
    assert (
        AuditEvent.objects.get(action="reporting.feedback.downloaded_all").data["purpose"]
        == "反馈各院校毕业生服务情况"
    )


def test_the_admins_export_of_the_registry_requires_the_purpose_above_the_threshold(
    client, settings, province_admin, county_clerk
):
    settings.EXPORT_PURPOSE_THRESHOLD = 1
    for seq in (61, 62):
        graduate_actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=seq)), acting_user=county_clerk
        )
    client.force_login(province_admin)
    url = reverse("admin:graduates_graduate_export") + "?state__exact=waiting"
    page = client.get(url).content.decode()
    assert "使用目的" in page
    response = client.post(url, {"format": "0", "resource": "0", **export_field_params()})
    assert not is_xlsx(response) and "请填写使用目的" in response.content.decode()
    assert not AuditEvent.objects.filter(action="graduate.exported").exists()
    response = client.post(url, {"format": "0", "resource": "0", "purpose": PURPOSE, **export_field_params()})
    assert is_xlsx(response)
    event = AuditEvent.objects.get(action="graduate.exported")
    assert (event.actor, event.data["rows"], event.data["purpose"]) == (province_admin, 2, PURPOSE)
    assert event.data["filters"] == {"state__exact": "waiting"} and event.data["scope"] == "全省"

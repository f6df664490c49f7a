"""The reporting app's other spreadsheets open in LibreOffice (a real headless soffice converting every sheet to
CSV) with the cells openpyxl reads back: the weekly progress table (counted now and as submitted), the 汇总表 for
MOHRSS, every sheet of the statistics workbook and every university's feedback sheet in the zip."""

import io
import zipfile

from django.urls import reverse

from graduates.models import Graduate
from reporting.models import WeeklyProgressSnapshot
from tests.libreoffice import assert_same_cells, assert_same_cells_in_every_sheet
from tests.reporting.test_feedback import cohort_2025  # noqa: F401 - fixture
from tests.reporting.test_feedback import on as on_feedback_day
from tests.reporting.test_progress import graduate, office, situation  # noqa: F401 - fixture
from tests.reporting.test_statistics import DOWNLOAD, cohort_2026  # noqa: F401 - fixture
from tests.reporting.test_statistics import on as on_statistics_day


def test_libreoffice_reads_the_weekly_progress_table(client, situation, province_admin, tmp_path):  # noqa: F811
    client.force_login(province_admin)
    response = client.get(reverse("reporting:weekly"), {"as_of": "2026-08-06", "cohort": "2026"})
    assert response.status_code == 200
    source = tmp_path / "weekly.xlsx"
    source.write_bytes(response.content)
    rows = assert_same_cells(source)
    assert rows[0][0] == "2026届离校未就业高校毕业生信息衔接工作进展汇总表（截至 2026年8月6日）"
    assert rows[2][0] == "单位" and rows[-1][:5] == ["全省合计", "6", "2", "5", "2"]
    by_label = {row[0]: row for row in rows[3:]}
    assert by_label[office("630102").name][1:5] == ["2", "2", "2", "1"]


def test_libreoffice_reads_the_submitted_weekly_table(client, situation, prefecture_clerk, tmp_path):  # noqa: F811
    client.force_login(prefecture_clerk)
    client.post(reverse("reporting:weekly_submit"), {"cohort": 2026, "week": "2026-08-06"})
    snapshot = WeeklyProgressSnapshot.objects.get()
    response = client.get(reverse("reporting:weekly_snapshot", args=[snapshot.pk]))
    assert response.status_code == 200
    source = tmp_path / "weekly-submitted.xlsx"
    source.write_bytes(response.content)
    rows = assert_same_cells(source)
    assert any("填报人" in cell for cell in rows[1]) and rows[-1][:2] == ["合计", "4"]


def test_libreoffice_reads_the_summary_for_mohrss(client, situation, province_admin, tmp_path):  # noqa: F811
    first_graduate = graduate(1)
    Graduate.objects.filter(pk=first_graduate.pk).update(name="=HYPERLINK(1)", postcode="010010")
    client.force_login(province_admin)
    response = client.get(reverse("reporting:mohrss"), {"cohort": "2026"})
    assert response.status_code == 200
    source = tmp_path / "mohrss.xlsx"
    source.write_bytes(response.content)
    rows = assert_same_cells(source)
    header, data = rows[2], rows[3:]
    first = dict(zip(header, data[0], strict=False))
    assert first["序号"] == "1" and first["姓名"] == "'=HYPERLINK(1)"
    assert first["公民身份号码"] == first_graduate.id_number and first["邮编"] == "010010"
    assert first["民族"] == "汉族" and first["毕业日期"] == "20260630" and first["就业服务需求"] == "23"


def test_libreoffice_reads_every_sheet_of_the_statistics(client, province_admin, cohort_2026, tmp_path):  # noqa: F811
    client.force_login(province_admin)
    with on_statistics_day("2026-11-20"):
        response = client.get(f"{DOWNLOAD}?cohort=2026")
    source = tmp_path / "statistics.xlsx"
    source.write_bytes(response.content)
    sheets = assert_same_cells_in_every_sheet(source)
    assert len(sheets) > 3
    majors = {row[0] for row in sheets["专业结构（按专业）"][3:]}
    assert "'=cmd|' /C calc'!A0" in majors


def test_libreoffice_reads_every_feedback_sheet_in_the_zip(client, education_clerk, cohort_2025, tmp_path):  # noqa: F811
    client.force_login(education_clerk)
    with on_feedback_day("2026-01-10"):
        response = client.get(reverse("reporting:feedback_zip"), {"cohort": "2025"})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = {}
    for number, name in enumerate(archive.namelist()):
        source = tmp_path / f"feedback-{number}.xlsx"
        source.write_bytes(archive.read(name))
        names[name.split("_")[-1]] = assert_same_cells(source)
    assert {"青海大学.xlsx", "青海师范大学.xlsx"} <= set(names)
    assert [row[1] for row in names["青海师范大学.xlsx"][3:4]] == ["师大生"]

"""The feedback spreadsheet opens in LibreOffice (a real headless soffice run, converting it to CSV) with the same
cells openpyxl reads back."""

from django.urls import reverse

from tests.libreoffice import assert_same_cells
from tests.reporting.test_feedback import cohort_2025, on  # noqa: F401 - fixture


def test_libreoffice_reads_the_feedback_sheet(client, university_clerk, cohort_2025, tmp_path):  # noqa: F811
    client.force_login(university_clerk)
    with on("2026-01-10"):
        response = client.get(reverse("reporting:feedback_download", args=[cohort_2025["qhu"].pk]))
    source = tmp_path / "feedback.xlsx"
    source.write_bytes(response.content)
    office_rows = assert_same_cells(source)
    data = office_rows[3]
    assert data[3] == cohort_2025["served"].id_number  # all 18 digits, not 6.3E+17
    assert data[1] == "服务生" and data[9] == "3"
    assert "'=HYPERLINK" in data[-1]  # shown as text, not evaluated

"""The statistics workbook opens in LibreOffice (a real headless soffice run converting its first sheet to CSV)
with the cells openpyxl reads back."""

from tests.libreoffice import assert_same_cells
from tests.reporting.test_statistics import DOWNLOAD, cohort_2026, on  # noqa: F401 - fixture


def test_libreoffice_reads_the_statistics_sheet(client, county_clerk, cohort_2026, tmp_path):  # noqa: F811
    client.force_login(county_clerk)
    with on("2026-11-20"):
        response = client.get(f"{DOWNLOAD}?cohort=2026&breakdown=hardship")
    source = tmp_path / "statistics.xlsx"
    source.write_bytes(response.content)
    office_rows = assert_same_cells(source)
    table = {row[0]: row[1:] for row in office_rows[3:]}
    assert table["家庭经济困难"][0] == "1" and table["零就业家庭"][0] == "1" and table["登记人数"][0] == "3"

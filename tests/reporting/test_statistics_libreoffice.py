"""The statistics workbook opens in LibreOffice (a real headless soffice run converting its first sheet to CSV)
with the cells openpyxl reads back."""

import csv
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from tests.reporting.test_statistics import DOWNLOAD, cohort_2026, on  # noqa: F401 - fixture

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _text(value) -> str:
    return "" if value is None else str(value)


def test_libreoffice_reads_the_statistics_sheet(client, county_clerk, cohort_2026, tmp_path):  # noqa: F811
    assert SOFFICE, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    client.force_login(county_clerk)
    with on("2026-11-20"):
        response = client.get(f"{DOWNLOAD}?cohort=2026&breakdown=hardship")
    source = tmp_path / "statistics.xlsx"
    source.write_bytes(response.content)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = tmp_path / "statistics.csv"
    assert converted.exists(), result.stdout + result.stderr
    with Path(converted).open(encoding="utf-8", newline="") as handle:
        office_rows = list(csv.reader(handle))
    expected = [
        [_text(v) for v in row]
        for row in load_workbook(source, read_only=True).active.iter_rows(values_only=True)
    ]
    width = max(len(row) for row in expected)
    assert [row + [""] * (width - len(row)) for row in office_rows] == [
        row + [""] * (width - len(row)) for row in expected
    ]
    table = {row[0]: row[1:] for row in office_rows[3:]}
    assert table["家庭经济困难"][0] == "1" and table["零就业家庭"][0] == "1" and table["登记人数"][0] == "3"

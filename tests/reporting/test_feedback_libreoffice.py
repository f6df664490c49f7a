"""The feedback spreadsheet opens in LibreOffice (a real headless soffice run, converting it to CSV) with the same
cells openpyxl reads back."""

import csv
import shutil
import subprocess
from pathlib import Path

from django.urls import reverse
from openpyxl import load_workbook

from tests.reporting.test_feedback import cohort_2025, on  # noqa: F401 - fixture

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def test_libreoffice_reads_the_feedback_sheet(client, university_clerk, cohort_2025, tmp_path):  # noqa: F811
    assert SOFFICE, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    client.force_login(university_clerk)
    with on("2026-01-10"):
        response = client.get(reverse("reporting:feedback_download", args=[cohort_2025["qhu"].pk]))
    source = tmp_path / "feedback.xlsx"
    source.write_bytes(response.content)
    profile = tmp_path / "lo-profile"  # a profile of its own: other soffice runs on the machine don't collide
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = tmp_path / "feedback.csv"
    assert converted.exists(), result.stdout + result.stderr
    with Path(converted).open(encoding="utf-8", newline="") as handle:
        office_rows = list(csv.reader(handle))
    expected = [
        [_cell_text(v) for v in row]
        for row in load_workbook(source, read_only=True).active.iter_rows(values_only=True)
    ]
    width = len(expected[2])
    assert [row + [""] * (width - len(row)) for row in office_rows] == [
        row + [""] * (width - len(row)) for row in expected
    ]
    data = office_rows[3]
    assert data[3] == cohort_2025["served"].id_number  # all 18 digits, not 6.3E+17
    assert data[1] == "服务生" and data[9] == "3"
    assert "'=HYPERLINK" in data[-1]  # shown as text, not evaluated

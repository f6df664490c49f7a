"""LibreOffice, the spreadsheet program of many offices, reads what we write: a real headless soffice converts a
workbook's first sheet to CSV, to be compared with what openpyxl reads back."""

import csv
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, double quote, UTF-8, first sheet


def libreoffice_rows(source: Path) -> list[list[str]]:
    """The first sheet of SOURCE as LibreOffice shows it (every cell as its displayed text)."""
    assert SOFFICE, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    outdir = source.parent / f"{source.stem}-csv"
    profile = (
        source.parent / "lo-profile"
    )  # a profile of its own: other soffice runs on the machine don't collide
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", CSV_FILTER,
         "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    converted = outdir / f"{source.stem}.csv"
    assert converted.exists(), result.stdout + result.stderr
    with Path(converted).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def openpyxl_rows(source: Path) -> list[list[str]]:
    """The first sheet of SOURCE as openpyxl reads it, each cell as text ("" for an empty one)."""
    sheet = load_workbook(source, read_only=True).active
    return [
        ["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)
    ]


def assert_same_cells(source: Path) -> list[list[str]]:
    """LibreOffice shows every cell of SOURCE's first sheet as openpyxl reads it; LibreOffice's rows."""
    seen, expected = libreoffice_rows(source), openpyxl_rows(source)
    width = max(len(row) for row in [*seen, *expected])
    assert [row + [""] * (width - len(row)) for row in seen] == [
        row + [""] * (width - len(row)) for row in expected
    ]
    return seen

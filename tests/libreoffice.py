"""LibreOffice, the spreadsheet program of many offices, reads what we write: a real headless soffice converts a
workbook's first sheet (or every sheet) to CSV, to be compared with what openpyxl reads back."""

import atexit
import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import load_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1"  # comma, double quote, UTF-8, first sheet


_PROFILE: list[Path] = []


def _profile() -> Path:
    """The LibreOffice profile of this test process: made by its first conversion (soffice's slow first start),
    reused by the next ones; a folder of its own, so other soffice runs on the machine (another test process's
    included) don't collide with it. One process's conversions run one after another."""
    if not _PROFILE:
        _PROFILE.append(Path(tempfile.mkdtemp(prefix="gradservice-lo-profile-")))
        atexit.register(shutil.rmtree, _PROFILE[0], ignore_errors=True)
    return _PROFILE[0]


def _convert(source: Path, csv_filter: str, outdir: Path) -> subprocess.CompletedProcess:
    """One headless soffice run converting SOURCE with CSV_FILTER into OUTDIR, on this process's profile."""
    assert SOFFICE, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    return subprocess.run(
        [SOFFICE, f"-env:UserInstallation={_profile().as_uri()}", "--headless", "--convert-to", csv_filter,
         "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def libreoffice_rows(source: Path) -> list[list[str]]:
    """The first sheet of SOURCE as LibreOffice shows it (every cell as its displayed text)."""
    outdir = source.parent / f"{source.stem}-csv"
    result = _convert(source, CSV_FILTER, outdir)
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


# Token 12 of the CSV filter (LibreOffice 7.2+): -1 writes every sheet, each as <stem>-<sheet name>.csv.
ALL_SHEETS_FILTER = f"{CSV_FILTER},,,,,,,,-1"


def assert_same_cells_in_every_sheet(source: Path) -> dict[str, list[list[str]]]:
    """LibreOffice shows every cell of every sheet of SOURCE (hidden ones too) as openpyxl reads it, in one soffice
    run; {sheet name: LibreOffice's rows}."""
    outdir = source.parent / f"{source.stem}-sheets"
    result = _convert(source, ALL_SHEETS_FILTER, outdir)
    workbook = load_workbook(source, read_only=True)
    seen = {}
    for sheet in workbook.worksheets:
        converted = outdir / f"{source.stem}-{sheet.title}.csv"
        assert converted.exists(), (sheet.title, sorted(outdir.glob("*")), result.stdout + result.stderr)
        with converted.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        expected = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        width = max((len(row) for row in [*rows, *expected]), default=0)
        assert _padded(rows, width) == _padded(expected, width), sheet.title
        seen[sheet.title] = rows
    return seen


def _padded(rows: list[list[str]], width: int) -> list[list[str]]:
    """Rows of WIDTH cells, without the empty rows at the end (an empty sheet is no rows)."""
    padded = [row + [""] * (width - len(row)) for row in rows]
    while padded and not any(padded[-1]):
        padded.pop()
    return padded

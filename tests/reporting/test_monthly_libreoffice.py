"""The monthly 汇总表 (written by XlsxWriter in constant-memory mode, inline strings) opens in LibreOffice — a
real headless soffice converting it to CSV — with every cell as openpyxl reads it: ID numbers whole, codes with
their leading zeros, formula-like text shown as text."""

import datetime

from tests.factories import make_id_number
from tests.libreoffice import assert_same_cells
from tests.reporting.test_monthly_table import HEADER, generate, on, register


def test_libreoffice_reads_the_monthly_table(county_clerk, tmp_path):
    with on("2025-09-10"):
        register(county_clerk, 13, hardship=["T", "1"], service_needs=["A", "1"], name="=HYPERLINK(1)")
        register(county_clerk, 15, graduation_date=datetime.date(2025, 7, 1), postcode="010010")
    with on("2025-10-02"):
        snapshot = generate("2025-09", office=county_clerk.office, user=county_clerk)
    source = tmp_path / "monthly.xlsx"
    source.write_bytes(bytes(snapshot.content))
    rows = assert_same_cells(source)
    assert rows[0][0] == "2025届离校未就业高校毕业生信息汇总表"
    assert rows[2][: len(HEADER)] == HEADER
    table = {row[4]: dict(zip(HEADER, row, strict=False)) for row in rows[3:5]}
    first, second = table[make_id_number(seq=13)], table[make_id_number(seq=15)]
    assert first["姓名"] == "'=HYPERLINK(1)" and first["困难状况"] == "12" and first["就业服务需求"] == "1A"
    assert second["毕业日期"] == "20250701" and second["邮编"] == "010010"
    assert first["入学前户口所在地"] == "630102"

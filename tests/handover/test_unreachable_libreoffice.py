"""The unreachable list sent to the Education side opens in LibreOffice (a real headless soffice converting it to
CSV) with the cells openpyxl reads back: ID numbers whole, phone numbers and region codes as written, formula-like
text shown as text."""

from django.urls import reverse

from graduates.models import Graduate
from handover.batches.actions import dispatch_batch
from handover.contact.actions import record_contact
from handover.models import HandoverBatch
from tests.handover.test_dispatch import education_list
from tests.libreoffice import assert_same_cells
from tests.roster_files import roster_row


def test_libreoffice_reads_the_unreachable_list(client, province_admin, prefecture_clerk, tmp_path):
    rows = [
        roster_row(1, **{"入学前户口所在地": "630102", "所学专业": "+法学", "固定电话": "0971-8123456"}),
        roster_row(2, **{"入学前户口所在地": "630103", "电子邮箱": "a@example.cn"}),
        roster_row(3, **{"入学前户口所在地": "630102"}),
    ]
    education_list(province_admin, rows)
    dispatch_batch(batch=HandoverBatch.objects.get(), acting_user=province_admin)
    unreachable = list(Graduate.objects.order_by("name")[:2])
    for graduate in unreachable:
        record_contact(graduate=graduate, method="phone", outcome="unreachable", acting_user=prefecture_clerk)
    client.force_login(prefecture_clerk)
    response = client.get(reverse("handover:unreachable_export"))
    assert response.status_code == 200, response.content[:300]
    source = tmp_path / "unreachable.xlsx"
    source.write_bytes(response.content)
    table = assert_same_cells(source)
    header = table[0]
    assert header[:2] == ["姓名", "公民身份号码"]
    by_id = {row[1]: dict(zip(header, row, strict=True)) for row in table[1:]}
    assert set(by_id) == {g.id_number for g in unreachable}
    first = by_id[unreachable[0].id_number]
    assert first["所学专业"] == "'+法学" and first["固定电话"] == "0971-8123456"
    assert first["手机号码"] == unreachable[0].mobile and first["入学前户口所在地"].startswith("630102 ")

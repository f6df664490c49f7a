"""Encryption at rest (issue 12): no ID number in clear in any table or in pg_dump; search through the blind index;
the one-per-ID-and-cohort rule; key rotation; loud failures on a missing or wrong key."""

import base64
import os
import subprocess

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from core import crypto
from core.fields import EncryptedLookupError
from core.models import AuditEvent, Office
from graduates import actions
from graduates.models import Graduate
from handover.contact.actions import record_report_ins
from tests.factories import make_id_number, unsaved_graduate
from tests.manage_cli import ROOT, run_manage

NEW_KEY = "2:" + base64.b64encode(b"rotated-key-0002").decode()


@pytest.fixture
def people(county_clerk):
    """Generated graduates registered through the real actions, one number changed (history), one report-in."""
    graduates = [
        actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=seq), name=f"加密{seq}"),
            acting_user=county_clerk,
        )
        for seq in (101, 202, 303)
    ]
    first = graduates[0]
    first.id_number = make_id_number(seq=505)
    actions.update_graduate(graduate=first, acting_user=county_clerk, expected_version=first.version)
    record_report_ins(
        entries=[{"name": "加密202", "id_number": graduates[1].id_number, "kind": "archive"}],
        cohort=2026,
        acting_user=county_clerk,
    )
    return [make_id_number(seq=seq) for seq in (101, 202, 303, 505)]


def every_table_as_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(table_name) FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        texts = []
        for table in tables:
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 - names from the catalogue
            texts.extend(row for (row,) in cursor.fetchall())
    assert len(tables) > 30
    return "\n".join(texts)


def test_no_table_holds_an_id_number_in_clear(people):
    text = every_table_as_text()
    assert "加密101" in text  # the rows are there
    for number in people:
        assert number not in text
        assert number[:17] not in text  # not even without its check digit
    stored = Graduate.objects.values_list("id_number", flat=True)
    assert sorted(stored) == sorted(people[1:])  # and read back in clear through the model


@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_id_number_in_clear(people):
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(
        ["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
         "-U", db["USER"], db["NAME"]],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    assert "加密303" in dump
    for number in people:
        assert number not in dump
    assert "v1:" in dump


def test_search_by_full_id_number_goes_through_the_blind_index(client, county_clerk, people):
    number = people[2]
    row = Graduate.objects.with_id_number(number.lower()).get()
    assert row.name == "加密303" and row.id_number == number
    assert row.id_number_digest == crypto.blind_index(number) and len(row.id_number_digest) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM graduates_graduate WHERE id = %s", [row.pk])
        assert cursor.fetchone()[0].startswith("v1:")
    # The registry's search box finds it by the whole number.
    client.force_login(county_clerk)
    page = client.post(reverse("graduates:search"), {"q": number}, follow=True).content.decode()
    assert "加密303" in page and "加密202" not in page
    # A plain comparison with the ciphertext column is refused loudly, never an empty answer.
    with pytest.raises(EncryptedLookupError, match="blind index"):
        Graduate.objects.filter(id_number=number)
    with pytest.raises(EncryptedLookupError):
        Graduate.objects.filter(id_number__in=[number])


def test_one_record_per_id_number_and_cohort_still_holds(client, county_clerk, people):
    other = Graduate.objects.with_id_number(people[2]).get()
    data = {
        "name": other.name, "ethnicity": "01", "id_number": people[1], "cohort": "2026", "category": "fresh",
        "university": str(Office.objects.get(name="青海大学").pk), "university_name": "青海大学",
        "graduation_date": "2026-06-30", "education": "3", "major": "计算机科学与技术", "origin_region": "630102",
        "mobile": "13800000001", "hardship": ["4"], "location_intention": "2", "intentions": ["3"],
        "service_needs": ["2", "3"], "version": other.version,
    }  # fmt: skip
    client.force_login(county_clerk)
    response = client.post(reverse("graduates:edit", args=[other.pk]), data)
    assert "该公民身份号码在 2026 届已有另一条登记记录。" in response.content.decode()
    assert Graduate.objects.get(pk=other.pk).id_number == people[2]
    # The database's own rule, on the blind index: a copy that bypasses the action is refused.
    copy = Graduate.objects.with_id_number(people[1]).get()
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_rotation_re_encrypts_every_value_and_keeps_them_readable(settings, people, county_clerk, capsys):
    from graduates.models import RosterRow, RosterUpload
    from graduates.roster import actions as roster_actions
    from tests.roster_files import roster_bytes, roster_row

    upload = roster_actions.create_upload(  # a file kept encrypted whole, and an invalid row kept to be fixed
        content=roster_bytes([roster_row(1), roster_row(2, 学历="99")]),
        filename="名单.xlsx",
        source="office",
        cohort=2026,
        acting_user=county_clerk,
    )
    roster_actions.check_upload(upload)
    staged_cells = RosterRow.objects.filter(upload=upload).filter(data__has_key="id_number")
    assert staged_cells.exists()
    before = dict(Graduate.objects.values_list("pk", "id_number"))
    settings.FIELD_ENCRYPTION_KEY = f"{NEW_KEY},{settings.FIELD_ENCRYPTION_KEY}"
    crypto.reset_keys()
    try:
        with connection.cursor() as cursor:
            assert crypto.rows_to_convert(
                cursor, table="graduates_graduate", column="id_number", direction="rotate"
            )
        call_command("rotate_field_key", batch_size=2)
        out = capsys.readouterr().out
        assert "graduates_graduate.id_number：3 行待重新加密为密钥版本 2" in out
        assert "handover_reportin.id_number：1 行" in out
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number FROM graduates_graduate UNION ALL SELECT id_number FROM handover_reportin"
            )
            assert {value[:3] for (value,) in cursor.fetchall()} == {"v2:"}
            cursor.execute(
                "SELECT DISTINCT left(data->>'id_number', 3) FROM graduates_rosterrow WHERE data ? 'id_number'"
            )
            assert {value for (value,) in cursor.fetchall()} == {"v2:"}
            cursor.execute("SELECT DISTINCT substring(content from 1 for 3) FROM graduates_rosterupload")
            assert {bytes(value) for (value,) in cursor.fetchall()} == {b"v2:"}
        event = AuditEvent.objects.get(action="crypto.key_rotated")
        assert event.data["key_version"] == 2 and event.data["rows"]["graduates_graduate.id_number"] == 3
        assert event.data["rows"]["graduates_rosterupload.content"] == 1
        assert event.data["rows"]["graduates_rosterrow.data"] == staged_cells.count()
        # Only the new key is needed now.
        settings.FIELD_ENCRYPTION_KEY = NEW_KEY
        crypto.reset_keys()
        assert dict(Graduate.objects.values_list("pk", "id_number")) == before
        assert Graduate.objects.with_id_number(people[1]).get().name == "加密202"
        assert crypto.decrypt_bytes(bytes(RosterUpload.objects.get(pk=upload.pk).content)).startswith(b"PK")
        assert {crypto.decrypt(row.data["id_number"]) for row in staged_cells} <= {
            roster_row(1)["公民身份号码"],
            roster_row(2)["公民身份号码"],
        }
        # A second run has nothing left to do.
        call_command("rotate_field_key")
        assert "共重新加密 0 个值" in capsys.readouterr().out
        # The old key alone opens nothing any more: loudly.
        settings.FIELD_ENCRYPTION_KEY = crypto.DEVELOPMENT_FIELD_ENCRYPTION_KEY
        crypto.reset_keys()
        with pytest.raises(crypto.FieldDecryptionError, match="version 2 is not configured"):
            list(Graduate.objects.values_list("id_number", flat=True))
    finally:
        crypto.reset_keys()


def test_a_wrong_key_or_a_tampered_value_fails_loudly(settings):
    token = crypto.encrypt("63010220030415123X")
    assert token.startswith("v1:") and crypto.decrypt(token) == "63010220030415123X"
    assert crypto.encrypt("63010220030415123X") != token  # a fresh nonce each time
    with pytest.raises(crypto.FieldDecryptionError, match="not a field ciphertext"):
        crypto.decrypt("63010220030415123X")
    with pytest.raises(crypto.FieldDecryptionError, match="version 7"):
        crypto.decrypt("v7:" + token[3:])
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(crypto.FieldDecryptionError, match="tampered"):
        crypto.decrypt(tampered)
    settings.FIELD_ENCRYPTION_KEY = "1:" + base64.b64encode(b"some-other-key16").decode()
    crypto.reset_keys()
    try:
        with pytest.raises(crypto.FieldDecryptionError, match="wrong key"):
            crypto.decrypt(token)
    finally:
        crypto.reset_keys()
    with pytest.raises(ImproperlyConfigured, match="16 bytes"):
        crypto.parse_key_ring("1:" + base64.b64encode(b"short").decode())
    with pytest.raises(ImproperlyConfigured, match="version"):
        crypto.parse_key_ring(base64.b64encode(b"DEV-ONLY-sm4-key").decode())


def test_production_refuses_to_start_without_the_keys():
    drop = frozenset({"DEBUG", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"})
    result = run_manage("check", env={"SECRET_KEY": "x" * 60}, drop=drop)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY" in result.stderr
    key_file = ROOT / "var" / f"test-field-key-{os.getpid()}"
    key_file.parent.mkdir(exist_ok=True)
    key_file.write_text(NEW_KEY + "\n")
    try:
        result = run_manage(
            "check", drop=drop,
            env={"SECRET_KEY": "x" * 60, "FIELD_ENCRYPTION_KEY_FILE": str(key_file),
                 "BLIND_INDEX_KEY": crypto.DEVELOPMENT_BLIND_INDEX_KEY},
        )  # fmt: skip
    finally:
        key_file.unlink()
    assert result.returncode == 0, result.stderr


def test_an_id_number_given_as_an_export_filter_is_kept_masked_in_the_audit_log(county_clerk):
    from core.audit import record_export

    number = make_id_number(seq=607)
    event = record_export(action="graduate.exported", actor=county_clerk, rows=1, filters={"q": number})
    assert event.data["filters"]["q"] == f"{number[:6]}********{number[-4:]}"
    assert number not in every_table_as_text()

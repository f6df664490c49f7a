"""Dispatch: the bureau splits a received list by origin; set-based, atomic, idempotent."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from core.models import Office, OfficeKind
from graduates.models import Graduate
from graduates.roster import actions as roster
from handover.batches.actions import dispatch_batch
from handover.models import HandoverBatch
from tests.roster_files import roster_bytes, roster_row

ROOT = Path(__file__).resolve().parents[2]


def education_list(user, rows, source="education"):
    upload = roster.create_upload(
        content=roster_bytes(rows), filename="移交名单.xlsx", source=source, cohort=2026, acting_user=user
    )
    upload = roster.check_upload(upload)
    return roster.commit_upload(upload=upload, acting_user=user)


@pytest.fixture
def batch(province_admin):
    rows = [
        roster_row(1, **{"入学前户口所在地": "630102"}),  # 西宁市
        roster_row(2, **{"入学前户口所在地": "632221"}),  # 海北州
        roster_row(3, **{"入学前户口所在地": "632121"}),  # abolished 平安县 → 平安区, 海东市
        # Another province, a university the system does not know as province-run: waits at the bureau.
        roster_row(4, **{"入学前户口所在地": "620102", "毕业院校": "青海某职业技术学院"}),
        roster_row(5, **{"就业状态": "签约"}),  # signed: kept for statistics
        # A province-run university's graduate from another province: reported to MOHRSS, not dispatched.
        roster_row(6, **{"入学前户口所在地": "620102"}),
    ]
    education_list(province_admin, rows)
    return HandoverBatch.objects.get()


def test_an_education_list_becomes_a_batch_of_every_graduate_it_names(batch):
    assert (batch.source, batch.cohort, batch.total, batch.status) == ("education", 2026, 6, "received")
    assert batch.items.filter(kept=True).count() == 1


def test_a_university_roster_is_not_a_handover_batch(university_clerk):
    education_list(university_clerk, [roster_row(1)], source="university")
    assert not HandoverBatch.objects.exists()


def test_dispatch_by_origin_keeps_signed_and_queues_unknown(batch, province_admin):
    result = dispatch_batch(batch=batch, acting_user=province_admin)
    assert result.as_dict() == {
        "dispatched": 3,
        "unassigned": 1,
        "kept": 1,
        "reported_to_mohrss": 1,
        "by_office": {"630100": 1, "630200": 1, "632200": 1},
    }
    by_name = {g.name: g.responsible_office for g in Graduate.objects.select_related("responsible_office")}
    assert by_name["名单学生1"].region_id == "630100"
    assert by_name["名单学生3"].region_id == "630200"
    assert by_name["名单学生4"].kind == OfficeKind.BUREAU  # 待分配
    assert (
        by_name["名单学生5"].kind == OfficeKind.BUREAU
        and Graduate.objects.get(name="名单学生5").state == "employed"
    )
    change = Graduate.objects.get(name="名单学生1").changes.get(kind="handover")
    assert change.changes["responsible_office_id"][1] == by_name["名单学生1"].pk


def test_dispatching_twice_dispatches_nothing_more(batch, province_admin):
    dispatch_batch(batch=batch, acting_user=province_admin)
    again = dispatch_batch(batch=batch, acting_user=province_admin)
    assert (again.dispatched, again.by_office, again.unassigned, again.kept) == (0, {}, 1, 1)
    assert Graduate.objects.get(name="名单学生1").changes.filter(kind="handover").count() == 1


def test_a_province_that_hands_over_to_counties_dispatches_to_county_offices(batch, province_admin):
    Office.objects.filter(kind=OfficeKind.BUREAU).update(handover_to_county=True)
    result = dispatch_batch(batch=batch, acting_user=province_admin)
    assert result.by_office == {"630102": 1, "630203": 1, "632221": 1}


@pytest.mark.django_db(transaction=True)
def test_command_json_and_rerun(demo_province, province_admin):
    education_list(province_admin, [roster_row(1), roster_row(2, **{"入学前户口所在地": "630202"})])
    db = connection.settings_dict
    env = {
        **__import__("os").environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }

    def run():
        out = subprocess.run(
            [sys.executable, "manage.py", "dispatch_batch", "--latest", "--json"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return json.loads(out.stdout)

    assert run() == {
        "dispatched": 2,
        "unassigned": 0,
        "kept": 0,
        "reported_to_mohrss": 0,
        "by_office": {"630100": 1, "630200": 1},
    }
    assert run() == {"dispatched": 0, "unassigned": 0, "kept": 0, "reported_to_mohrss": 0, "by_office": {}}


def test_unknown_origins_wait_in_the_queue_with_a_suggestion_and_are_assigned_by_hand(
    client, batch, province_admin
):
    from handover.batches.actions import assign_from_queue, suggested_office
    from handover.batches.selectors import unassigned_queue

    dispatch_batch(batch=batch, acting_user=province_admin)
    queue = list(unassigned_queue(province_admin))
    assert [g.name for g in queue] == ["名单学生4"]
    assert suggested_office(queue[0].id_number).region_id == "630100"  # the ID was issued in 城东区
    haibei = Office.objects.get(kind="prefecture", region_id="632200")
    assert assign_from_queue(graduate_ids=[queue[0].pk], office=haibei, acting_user=province_admin) == 1
    assert Graduate.objects.get(name="名单学生4").responsible_office == haibei
    client.force_login(province_admin)
    assert "没有待分配的毕业生" in client.get("/handover/unassigned/").content.decode()


def test_offices_sign_for_their_share_and_the_bureau_sees_who_has_not(
    client, batch, province_admin, prefecture_clerk
):
    from handover.batches.actions import acknowledge
    from handover.batches.selectors import acknowledgement_status

    dispatch_batch(batch=batch, acting_user=province_admin)
    waiting = {row["office__region_id"]: row["waiting"] for row in acknowledgement_status(province_admin)}
    assert waiting == {"630100": 1, "630200": 1, "632200": 1}
    client.force_login(prefecture_clerk)
    home = client.get("/").context["waiting"]
    assert {"label": "待签收的交接名单", "url": "/handover/", "count": 1} in home
    client.post("/handover/acknowledge/")
    waiting = {row["office__region_id"]: row["waiting"] for row in acknowledgement_status(province_admin)}
    assert waiting["630100"] == 0 and waiting["630200"] == 1
    with pytest.raises(Exception, match="只能签收本机构"):
        acknowledge(
            office=Office.objects.get(region_id="630200", kind="prefecture"), acting_user=prefecture_clerk
        )


def test_a_prefecture_passes_its_graduates_down_to_county_offices(
    client, batch, province_admin, prefecture_clerk
):
    dispatch_batch(batch=batch, acting_user=province_admin)
    client.force_login(prefecture_clerk)
    client.post("/handover/pass-down/")
    graduate = Graduate.objects.get(name="名单学生1")
    assert graduate.responsible_office.region_id == "630102"
    assert graduate.handover_items.get().office.region_id == "630102"
    assert graduate.changes.filter(kind="handover").count() == 2


def test_offices_do_not_see_batches_and_universities_see_no_handover(
    client, batch, county_clerk, university_clerk
):
    client.force_login(county_clerk)
    assert client.post(f"/handover/batches/{batch.pk}/dispatch/").status_code == 404
    assert client.get("/handover/unassigned/").status_code == 403
    client.force_login(university_clerk)
    assert client.get("/handover/").status_code == 403


def test_the_queue_answers_bad_input_in_chinese_never_a_500(client, batch, province_admin):
    dispatch_batch(batch=batch, acting_user=province_admin)
    client.force_login(province_admin)
    response = client.post("/handover/unassigned/", {"office": "abc", "ids": ["abc"]}, follow=True)
    assert response.status_code == 200 and "请选择一个接收机构" in response.content.decode()
    assert client.post("/handover/unassigned/", {"office": "9" * 30}, follow=True).status_code == 200
    assert client.get("/handover/unassigned/?page=abc").status_code == 200
    assert Graduate.objects.get(name="名单学生4").responsible_office.kind == OfficeKind.BUREAU


# --- province-run universities' graduates from other provinces: reported to MOHRSS (000 §一(一)3) -------------


def test_province_run_graduates_from_other_provinces_are_reported_to_mohrss_not_queued(
    client, batch, province_admin
):
    from handover.batches.actions import assign_from_queue
    from handover.batches.selectors import reported_to_mohrss, unassigned_queue
    from reporting.progress.exports import mohrss_graduates

    result = dispatch_batch(batch=batch, acting_user=province_admin)
    assert (result.reported_to_mohrss, result.unassigned) == (1, 1)
    six = Graduate.objects.get(name="名单学生6")
    item = six.handover_items.get()
    assert item.reported_to_mohrss and item.office is None  # marked in its hand-over item, not dispatched
    assert not Graduate.objects.get(name="名单学生4").handover_items.get().reported_to_mohrss
    assert [g.name for g in unassigned_queue(province_admin)] == ["名单学生4"]
    assert [g.name for g in reported_to_mohrss(province_admin)] == ["名单学生6"]
    assert six in mohrss_graduates(cohort=2026)  # in the 汇总表 the bureau sends up
    batch.refresh_from_db()
    assert (batch.unassigned, batch.reported_to_mohrss) == (1, 1)
    haibei = Office.objects.get(kind="prefecture", region_id="632200")
    assert assign_from_queue(graduate_ids=[six.pk], office=haibei, acting_user=province_admin) == 0
    assert Graduate.objects.get(pk=six.pk).responsible_office.kind == OfficeKind.BUREAU

    client.force_login(province_admin)
    home = client.get("/handover/").content.decode()
    assert 'href="/handover/unassigned/?show=mohrss">1</a>' in home
    queue = client.get("/handover/unassigned/")
    assert [r["g"].name for r in queue.context["rows"]] == ["名单学生4"]
    assert "另有省属院校省外生源 1 名已报人社部" in queue.content.decode()
    listed = client.get("/handover/unassigned/", {"show": "mohrss"})
    assert [r["g"].name for r in listed.context["rows"]] == ["名单学生6"]
    assert "报人社部" in listed.content.decode() and 'name="ids"' not in listed.content.decode()


def test_a_corrected_origin_puts_a_graduate_back_into_dispatch(batch, province_admin):
    from graduates.actions import update_graduate
    from handover.batches.selectors import reported_to_mohrss

    dispatch_batch(batch=batch, acting_user=province_admin)
    six = Graduate.objects.get(name="名单学生6")
    six.origin_region_id = "630102"
    update_graduate(graduate=six, acting_user=province_admin, expected_version=six.version)
    again = dispatch_batch(batch=batch, acting_user=province_admin)
    assert (again.dispatched, again.reported_to_mohrss, again.by_office) == (1, 0, {"630100": 1})
    assert not reported_to_mohrss(province_admin).exists()
    assert not Graduate.objects.get(pk=six.pk).handover_items.get().reported_to_mohrss


def test_graduates_are_marked_when_the_batch_arrives(batch):
    """Before any dispatch the queue already leaves them out: the mark is set when the list is received."""
    assert batch.reported_to_mohrss == 1
    assert batch.items.get(reported_to_mohrss=True).graduate.name == "名单学生6"

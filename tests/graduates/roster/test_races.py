"""Races of the roster import, each with two real database connections (one per thread), and a check that
crashes: no lost cancel, no lost office edit, no upload left 检查中."""

import logging
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse

from graduates import actions as registry
from graduates.models import Graduate, GraduateChange, GraduateSource, RosterRow, RosterUpload
from graduates.roster import actions, engine
from graduates.tasks import check_roster_task
from tests.factories import UserFactory
from tests.roster_files import roster_bytes, roster_row

pytestmark = pytest.mark.django_db(transaction=True)


def create(user, rows, *, source="office") -> RosterUpload:
    return actions.create_upload(
        content=roster_bytes(rows), filename="名单.xlsx", source=source, cohort=2026, acting_user=user
    )


def in_thread(target, *args, **kwargs) -> tuple[threading.Thread, dict]:
    """Run TARGET on a connection of its own; its result or exception lands in the returned dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target(*args, **kwargs)
        except BaseException as exc:  # the test asserts on it
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_for_a_blocked_backend(timeout: float = 20) -> None:
    """Until another connection of this database waits for a lock this connection holds."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the other connection never waited for the lock")


# --- a cancel while the check runs sticks ----------------------------------------------------------------------


def test_a_cancel_made_while_the_check_starts_sticks(county_clerk):
    """The check has set 检查中 and waits (for the staging table); the clerk cancels from another connection."""
    upload = create(county_clerk, [roster_row(n) for n in range(1, 4)])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RosterRow._meta.db_table} IN SHARE MODE")
        checker, outcome = in_thread(actions.check_upload, RosterUpload.objects.get(pk=upload.pk))
        wait_for_a_blocked_backend()
        assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.CHECKING
        actions.cancel_upload(upload=upload, acting_user=county_clerk)
    checker.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    final = RosterUpload.objects.get(pk=upload.pk)
    assert final.status == RosterUpload.Status.CANCELLED  # the check's end did not overwrite it
    assert outcome["result"].status == RosterUpload.Status.CANCELLED
    assert final.new == 0 and final.rows_read == 0
    assert not RosterRow.objects.filter(upload=upload).exists()


def test_a_cancel_between_chunks_stops_the_staging(county_clerk, monkeypatch):
    """Cancelled after the first chunk: the check stops there, stages nothing more and leaves nothing staged."""
    monkeypatch.setattr(actions, "CHECK_CHUNK_ROWS", 2)
    first_chunk_checked, go_on = threading.Event(), threading.Event()
    real_check_sheet, real_stage_rows = engine.check_sheet, actions._stage_rows
    staged: list[int] = []

    def check_sheet_pausing_after_the_first_chunk(*args, **kwargs):  # the real check, with a pause
        chunks = real_check_sheet(*args, **kwargs)
        yield next(chunks)
        first_chunk_checked.set()
        assert go_on.wait(timeout=30)
        yield from chunks

    def stage_rows_counted(upload, rows):
        staged.append(len(rows))
        real_stage_rows(upload, rows)

    monkeypatch.setattr(engine, "check_sheet", check_sheet_pausing_after_the_first_chunk)
    monkeypatch.setattr(actions, "_stage_rows", stage_rows_counted)
    upload = create(county_clerk, [roster_row(n) for n in range(1, 7)])  # three chunks of two rows
    checker, outcome = in_thread(actions.check_upload, RosterUpload.objects.get(pk=upload.pk))
    assert first_chunk_checked.wait(timeout=30)
    actions.cancel_upload(upload=upload, acting_user=county_clerk)  # this thread's own connection
    go_on.set()
    checker.join(timeout=60)
    assert "error" not in outcome, outcome.get("error")
    final = RosterUpload.objects.get(pk=upload.pk)
    assert final.status == RosterUpload.Status.CANCELLED
    assert staged == [2]  # the second and third chunks were never staged
    assert final.rows_read == 2 and final.rows_total == 6
    assert not RosterRow.objects.filter(upload=upload).exists()


def test_a_cancelled_upload_is_not_checked_again(county_clerk):
    upload = create(county_clerk, [roster_row(1)])
    actions.cancel_upload(upload=upload, acting_user=county_clerk)
    assert actions.check_upload(upload).status == RosterUpload.Status.CANCELLED
    assert check_roster_task.apply(args=[upload.pk]).get() == RosterUpload.Status.CANCELLED
    assert not RosterRow.objects.filter(upload=upload).exists()


# --- an office edit during the commit is never overwritten ------------------------------------------------------


def test_an_office_edit_made_during_the_commit_is_kept_and_listed_as_a_conflict(
    university_clerk, province_admin
):
    first = actions.check_upload(create(university_clerk, [roster_row(1)], source="university"))
    actions.commit_upload(upload=first, acting_user=university_clerk)
    upload = actions.check_upload(
        create(
            university_clerk,
            [roster_row(1, **{"所学专业": "名单里的新专业"}), roster_row(2)],
            source="university",
        )
    )
    assert (upload.new, upload.updated, upload.conflicts) == (1, 1, 0)
    edited, release = threading.Event(), threading.Event()

    def office_edit():
        """The bureau's clerk saves an edit; it commits only after the roster commit has begun."""
        with transaction.atomic():
            graduate = Graduate.objects.get(name="名单学生1")
            graduate.major = "经办核实的专业"
            registry.update_graduate(graduate=graduate, acting_user=province_admin, expected_version=1)
            edited.set()
            assert release.wait(timeout=30)

    editor, edit_outcome = in_thread(office_edit)
    assert edited.wait(timeout=30)
    committer, commit_outcome = in_thread(actions.commit_upload, upload=upload, acting_user=university_clerk)
    wait_for_a_blocked_backend()  # the commit passed its version test and waits for the edited row
    release.set()
    editor.join(timeout=60)
    committer.join(timeout=60)
    assert "error" not in edit_outcome, edit_outcome.get("error")
    assert "error" not in commit_outcome, commit_outcome.get("error")
    graduate = Graduate.objects.get(name="名单学生1")
    assert graduate.major == "经办核实的专业" and graduate.version == 2  # the office's edit stands
    assert not GraduateChange.objects.filter(
        graduate=graduate, kind="updated", actor=university_clerk
    ).exists()
    committed = RosterUpload.objects.get(pk=upload.pk)
    assert committed.status == RosterUpload.Status.COMMITTED
    assert (committed.new, committed.updated, committed.conflicts, committed.rows_written) == (1, 0, 1, 1)
    assert {
        "row": 2,
        "graduate": graduate.pk,
        "column": "所学专业",
        "office_value": "经办核实的专业",
        "file_value": "名单里的新专业",
    } in committed.conflict_list
    assert commit_outcome["result"].changed_during_commit == 1
    assert Graduate.objects.filter(name="名单学生2").exists()  # the rest of the list landed


def run_together(*steps) -> list:
    """Start STEPS at once, each on its own connection; their results or exceptions, in order."""
    barrier = threading.Barrier(len(steps))
    outcomes: list = [None] * len(steps)

    def run(index, step):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = step()
        except Exception as exc:  # the test asserts on it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_confirmations_at_once_write_the_list_once(county_clerk):
    upload = actions.check_upload(create(county_clerk, [roster_row(1), roster_row(2)]))
    colleague = UserFactory(role="county_staff", office=county_clerk.office)
    outcomes = run_together(
        lambda: actions.commit_upload(upload=upload, acting_user=county_clerk),
        lambda: actions.commit_upload(upload=upload, acting_user=colleague),
    )
    committed = [o for o in outcomes if isinstance(o, RosterUpload)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(committed), len(refused)) == (1, 1), outcomes
    assert "已导入" in refused[0].messages[0]
    assert Graduate.objects.count() == 2
    assert GraduateSource.objects.count() == 2


def test_a_confirmation_and_a_cancel_at_once_settle_once(county_clerk):
    for n in range(3):  # either order; the loser is told, never a half-written list
        upload = actions.check_upload(create(county_clerk, [roster_row(10 * n + 1), roster_row(10 * n + 2)]))
        outcomes = run_together(
            lambda upload=upload: actions.commit_upload(upload=upload, acting_user=county_clerk),
            lambda upload=upload: actions.cancel_upload(upload=upload, acting_user=county_clerk),
        )
        final = RosterUpload.objects.get(pk=upload.pk)
        written = Graduate.objects.filter(name__in=[f"名单学生{10 * n + 1}", f"名单学生{10 * n + 2}"]).count()
        if final.status == RosterUpload.Status.COMMITTED:
            assert written == 2 and isinstance(outcomes[1], ValidationError), outcomes
        else:
            assert final.status == RosterUpload.Status.CANCELLED and written == 0
            assert isinstance(outcomes[0], ValidationError), outcomes
            assert not RosterRow.objects.filter(upload=upload).exists()


# --- a crash inside the check ------------------------------------------------------------------------------------

SECRET_ID = roster_row(1)["公民身份号码"]
SECRET_TEXT = f"无法处理 {SECRET_ID} 13800000001"  # an exception text quoting personal data


def crash(*args, **kwargs):
    raise RuntimeError(SECRET_TEXT)


@pytest.mark.parametrize("where", ["the check", "the staging thread"])
def test_a_check_that_crashes_in_the_request_marks_the_upload_failed(
    client, county_clerk, monkeypatch, caplog, where
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if where == "the check":
        monkeypatch.setattr(engine, "_compare_with_registry", crash)
    else:
        monkeypatch.setattr(actions, "_stage_rows", crash)
    client.force_login(county_clerk)
    caplog.set_level(logging.ERROR, logger="graduates.roster.actions")
    upload_file = SimpleUploadedFile("名单.xlsx", roster_bytes([roster_row(1), roster_row(2)]))
    response = client.post(
        reverse("roster:list"), {"file": upload_file, "source": "office", "cohort": "2026"}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    upload = RosterUpload.objects.get()
    assert upload.status == RosterUpload.Status.FAILED
    assert "检查时出错" in upload.message and "检查时出错" in page and "导入失败" in page
    assert SECRET_ID not in upload.message and SECRET_ID not in page
    assert not RosterUpload.objects.filter(status=RosterUpload.Status.CHECKING).exists()
    assert not RosterRow.objects.filter(upload=upload).exists()
    assert "RuntimeError" in caplog.text  # logged for the administrator, without the personal data
    assert SECRET_ID not in caplog.text and "13800000001" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


def test_a_check_that_crashes_in_the_worker_marks_the_upload_failed_and_tells_the_uploader(
    county_clerk, monkeypatch, caplog
):
    monkeypatch.setattr(engine, "_compare_with_registry", crash)
    upload = create(county_clerk, [roster_row(1)])
    assert check_roster_task.apply(args=[upload.pk]).get() == RosterUpload.Status.FAILED
    upload.refresh_from_db()
    assert upload.status == RosterUpload.Status.FAILED and "检查时出错" in upload.message
    notice = county_clerk.notifications.get()
    assert "检查时出错" in notice.message and SECRET_ID not in notice.message
    assert SECRET_ID not in caplog.text


def test_a_crash_inside_a_callers_transaction_is_recorded_too(county_clerk, monkeypatch):
    monkeypatch.setattr(engine, "_compare_with_registry", crash)
    upload = create(county_clerk, [roster_row(1)])
    with transaction.atomic():  # e.g. the admin or a command wrapping the check
        checked = actions.check_upload(upload)
        assert checked.status == RosterUpload.Status.FAILED
    assert RosterUpload.objects.get(pk=upload.pk).status == RosterUpload.Status.FAILED


def test_a_commit_that_crashes_in_the_worker_marks_the_upload_failed_and_writes_nothing(county_clerk, caplog):
    from graduates.signals import roster_committed
    from graduates.tasks import commit_roster_task

    upload = actions.check_upload(create(county_clerk, [roster_row(1)]))
    RosterUpload.objects.filter(pk=upload.pk).update(status=RosterUpload.Status.COMMITTING)  # as start_commit
    roster_committed.connect(crash, dispatch_uid="test-crash")  # a receiver failing inside the commit
    try:
        assert commit_roster_task.apply(args=[upload.pk, county_clerk.pk]).get() == RosterUpload.Status.FAILED
    finally:
        roster_committed.disconnect(dispatch_uid="test-crash")
    upload.refresh_from_db()
    assert upload.status == RosterUpload.Status.FAILED and "没有写入任何记录" in upload.message
    assert not Graduate.objects.exists()
    assert "没有写入任何记录" in county_clerk.notifications.get().message
    assert "RuntimeError" in caplog.text and SECRET_ID not in caplog.text

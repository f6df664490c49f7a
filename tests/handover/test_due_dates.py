"""The bureau's handover page shows when the Education Dept's hand-over and MOHRSS's list are due (configurable per
cohort, sensible defaults), whether each arrived, and how many days are left or late."""

import datetime

import pytest
import time_machine

from handover.batches.selectors import default_due_on, handover_due_dates
from handover.models import BatchSource, HandoverBatch, HandoverDeadline

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def on(day: str):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI), tick=False
    )


def batch(source, received_on, user, cohort=2026) -> HandoverBatch:
    return HandoverBatch.objects.create(
        source=source, cohort=cohort, received_on=datetime.date.fromisoformat(received_on), created_by=user
    )


def by_kind(rows) -> dict:
    return {row["kind"]: row for row in rows}


def test_defaults_are_mid_september_and_end_of_october(db):
    rows = by_kind(handover_due_dates(cohort=2026, today=datetime.date(2026, 9, 1)))
    education, mohrss = rows[HandoverDeadline.Kind.EDUCATION], rows[HandoverDeadline.Kind.MOHRSS]
    assert (education["due_on"], education["configured"], education["days_left"]) == (
        datetime.date(2026, 9, 15),
        False,
        14,
    )
    assert (mohrss["due_on"], mohrss["arrived_on"], mohrss["days_left"], mohrss["days_late"]) == (
        datetime.date(2026, 10, 31),
        None,
        60,
        0,
    )


def test_jilin_hands_over_by_the_end_of_july(settings):
    settings.PROVINCE_CODE = "22"
    assert default_due_on(cohort=2026, kind=HandoverDeadline.Kind.EDUCATION) == datetime.date(2026, 7, 31)
    assert default_due_on(cohort=2026, kind=HandoverDeadline.Kind.MOHRSS) == datetime.date(2026, 10, 31)


def test_a_configured_date_replaces_the_default_for_its_cohort_only(db):
    HandoverDeadline.objects.create(cohort=2026, kind="education", due_on=datetime.date(2026, 9, 10))
    rows = by_kind(handover_due_dates(cohort=2026, today=datetime.date(2026, 9, 12)))
    assert rows["education"]["due_on"] == datetime.date(2026, 9, 10) and rows["education"]["configured"]
    assert (rows["education"]["days_late"], rows["education"]["days_left"]) == (2, 0)
    assert by_kind(handover_due_dates(cohort=2027))["education"]["due_on"] == datetime.date(2027, 9, 15)


def test_arrival_is_the_first_batch_of_the_source_and_cohort(province_admin):
    batch(BatchSource.EDUCATION, "2026-09-20", province_admin)
    batch(BatchSource.EDUCATION, "2026-10-02", province_admin)  # a second batch does not move the arrival
    batch(BatchSource.MOHRSS, "2025-10-20", province_admin, cohort=2025)  # another cohort's list
    rows = by_kind(handover_due_dates(cohort=2026, today=datetime.date(2026, 11, 3)))
    assert (rows["education"]["arrived_on"], rows["education"]["days_late"]) == (
        datetime.date(2026, 9, 20),
        5,
    )
    assert rows["education"]["days_left"] is None
    assert (rows["mohrss"]["arrived_on"], rows["mohrss"]["days_late"]) == (None, 3)


@pytest.mark.django_db
def test_the_bureau_sees_the_due_dates_on_its_handover_page(client, province_admin):
    HandoverDeadline.objects.create(cohort=2026, kind="mohrss", due_on=datetime.date(2026, 10, 15))
    batch(BatchSource.EDUCATION, "2026-09-14", province_admin)
    client.force_login(province_admin)
    with on("2026-10-20"):
        page = client.get("/handover/").content.decode()
    table = page[page.index('data-testid="due-dates"') :]
    table = table[: table.index("</table>")]
    assert "教育厅移交名单" in table and "2026年9月15日 <span" in table and "（默认）" in table
    assert "已收到</span> 2026-09-14" in table and "按时收到" in table
    assert "人社部省外院校本省生源名单" in table and "2026年10月15日" in table
    assert "未收到" in table and "已逾期 5 天" in table
    with on("2026-10-01"):
        assert "还剩 14 天" in client.get("/handover/", {"cohort": "2026"}).content.decode()


def test_a_bad_cohort_is_answered_in_chinese_and_this_year_shown(client, province_admin):
    client.force_login(province_admin)
    with on("2026-08-01"):
        for bad in ("99999", "abc", "-5", "a\x00b"):
            response = client.get("/handover/", {"cohort": bad})
            assert response.status_code == 200 and response.context["cohort"] == 2026
            assert "届别应为 2000 至 2100 之间的四位年份" in response.content.decode()


def test_offices_do_not_see_the_bureaus_due_dates(client, prefecture_clerk):
    client.force_login(prefecture_clerk)
    assert 'data-testid="due-dates"' not in client.get("/handover/").content.decode()

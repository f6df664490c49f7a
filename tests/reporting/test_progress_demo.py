"""The living demo's weekly progress tables: the demo offices submitted each of the last three weeks (海东市's
latest late), the system stored the province's table each Thursday; a second run adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting.models import WeeklyProgressSnapshot
from reporting.progress import selectors


@pytest.mark.django_db
def test_demo_offices_submitted_the_last_weeks_one_late_and_a_second_run_adds_none():
    out = StringIO()
    call_command("seed_demo", "--graduates", "300", stdout=out)
    assert "周进度报送：12 份周进度汇总表" in out.getvalue()
    weeks = sorted(set(WeeklyProgressSnapshot.objects.values_list("week", flat=True)))
    assert len(weeks) == 3 and all(week.weekday() == 3 and week < timezone.localdate() for week in weeks)
    system = WeeklyProgressSnapshot.objects.filter(generated_by__isnull=True)
    assert system.count() == 3 and {s.office.kind for s in system} == {"bureau"}
    assert all(s.rows[-1]["received"] > 0 for s in system)
    cohort = system.first().cohort
    status = {
        row["office"].region_id: row["status"]
        for row in selectors.weekly_submission_status(cohort=cohort, week=weeks[-1])
    }
    assert (status["630100"], status["630102"], status["630200"]) == ("on_time", "on_time", "late")
    assert status["630103"] == "missing"
    earlier = selectors.weekly_submission_status(cohort=cohort, week=weeks[0])
    assert {row["office"].region_id for row in earlier if row["status"] == "on_time"} == {
        "630100",
        "630102",
        "630200",
    }
    count = WeeklyProgressSnapshot.objects.count()
    call_command("seed_demo", "--graduates", "300", stdout=StringIO())
    assert WeeklyProgressSnapshot.objects.count() == count

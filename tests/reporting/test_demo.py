"""The living demo's monthly tables: every demo office has its past months and the month in progress."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting import selectors
from reporting.demo import _months
from reporting.models import MonthlySnapshot


@pytest.mark.django_db
def test_demo_offices_have_their_monthly_tables_and_a_second_run_adds_none():
    out = StringIO()
    call_command("seed_demo", "--graduates", "300", stdout=out)
    assert "月度汇总表：" in out.getvalue()
    this_month = timezone.localdate().replace(day=1)
    past = MonthlySnapshot.objects.filter(cohort=2025, month__lt=this_month)
    scopes = set(past.values_list("office__region_id", flat=True))
    assert scopes == {None, "630100", "630200", "630102"}
    expected = [m for m in _months(2025, this_month) if m < this_month]
    assert sorted(past.filter(office__isnull=True).values_list("month", flat=True)) == expected
    assert past.filter(office__region_id="630200").count() == len(expected)
    assert MonthlySnapshot.objects.filter(office__isnull=True, row_count__gt=0).exists()
    current_cohort = selectors.cohort_for_month(this_month)
    if current_cohort is not None:
        assert MonthlySnapshot.objects.filter(cohort=current_cohort, month=this_month).count() == 4
    count = MonthlySnapshot.objects.count()
    call_command("seed_demo", "--graduates", "300", stdout=StringIO())
    assert MonthlySnapshot.objects.count() == count

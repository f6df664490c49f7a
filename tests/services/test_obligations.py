"""The obligations kept as rows agree with the live plan; a logged or voided service refreshes its graduate at
once; the worklist and the compliance page read them once a snapshot exists."""

from django.core.management import call_command
from django.urls import reverse

from services import actions
from services.codes import ServiceType
from services.models import Obligation, PlanSnapshot
from services.plans import (
    PlanScope,
    active_standard,
    compliance,
    compliance_from_snapshot,
    refresh_obligations,
)
from tests.services.test_plans import at, d, log, registered


def _totals(rows):
    return {(r.key, r.rule_id): r.counts for r in rows}


def test_the_kept_obligations_agree_with_the_live_plan(county_clerk, other_prefecture_clerk, register):
    first = registered(register, county_clerk, "2026-09-01")
    registered(register, county_clerk, "2026-09-05", seq=102, hardship=["1"], service_needs=["4"])
    registered(register, other_prefecture_clerk, "2026-09-01", seq=303, region="630202", intentions=["4"],
               service_needs=[])  # fmt: skip
    with at("2026-10-20"):
        log(county_clerk, first, ServiceType.POLICY, "2026-09-10")
        for day in ("2026-09-11", "2026-09-12", "2026-10-02"):  # the third after the due day 10-01: late
            log(county_clerk, first, ServiceType.JOB_REFERRAL, day)
        rows = refresh_obligations()
        assert rows == Obligation.objects.count() == 4 + 6 + 2
        standard = active_standard()
        for as_of in (d("2026-10-20"), d("2026-12-02"), d("2027-01-10")):
            for group_by in ("office", "prefecture"):
                live = compliance(standard=standard, as_of=as_of, scope=PlanScope(), group_by=group_by)
                kept = compliance_from_snapshot(
                    standard=standard, as_of=as_of, scope=PlanScope(), group_by=group_by
                )
                assert _totals(kept) == _totals(live), (as_of, group_by)
    assert PlanSnapshot.objects.get().rows == rows


def test_logging_and_voiding_refresh_the_graduates_rows_at_once(client, county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    with at("2026-09-02"):
        call_command("refresh_obligations", verbosity=0)
        client.force_login(county_clerk)
        assert client.get(reverse("services:compliance")).context["table"].snapshot is not None
        entry = log(county_clerk, graduate, ServiceType.POLICY, "2026-09-02")
        policy = Obligation.objects.get(graduate=graduate, service_type="policy")
        assert (policy.done, policy.by_due, policy.open) == (1, 1, False)
        table = client.get(reverse("services:compliance")).context["table"]
        assert table.total["met"] == 1 and table.total["due"] == 3
        actions.void_service(entry=entry, reason="记错了", acting_user=county_clerk)
        assert Obligation.objects.get(graduate=graduate, service_type="policy").open
        assert client.get(reverse("services:compliance")).context["table"].total["met"] == 0


def test_the_worklist_reads_the_kept_obligations(client, county_clerk, register):
    registered(register, county_clerk, "2026-09-01")
    with at("2026-09-02"):
        refresh_obligations()
    client.force_login(county_clerk)
    with at("2026-12-02"):
        page = client.get(reverse("services:plans"))
    assert page.context["snapshot"] is not None
    assert sorted(r["service"] for r in page.context["overdue"]) == [
        "岗位推荐",
        "招聘活动",
        "政策咨询",
        "职业指导",
    ]
    # A day before the snapshot is computed live.
    with at("2026-12-02"):
        earlier = client.get(reverse("services:plans"), {"as_of": "2026-09-01"})
    assert earlier.context["snapshot"] is None


def test_the_hourly_refresh_is_scheduled(service_standards):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="services.refresh_obligations")
    assert task.enabled and task.crontab.minute == "7"

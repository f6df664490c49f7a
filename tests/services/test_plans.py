"""Service standards as data and each graduate's plan on a day: due dates, counts, states (issue 9's semantics),
with time frozen for deadlines. Situations are built with the real actions (registration, dispatch, transfer,
services logged and voided)."""

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction

from core.models import Office, OfficeKind
from graduates.actions import change_state, update_graduate
from graduates.models import Graduate
from handover.batches.actions import dispatch_batch
from handover.models import HandoverBatch
from handover.transfers.actions import accept_transfer, request_transfer
from services import actions
from services.codes import Channel, ServiceType
from services.models import ServiceStandard, StandardRule
from services.plans import PlanScope, active_standard, compliance, graduate_plan, plans_json
from services.presets import load_presets
from tests.handover.test_dispatch import education_list
from tests.roster_files import roster_row

BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10):
    """Travel to DAY at HOUR o'clock Beijing time, the clock stopped."""
    return time_machine.travel(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=BEIJING),
        tick=False,
    )


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def log(user, graduate, service_type, day, **extra):
    return actions.log_service(
        graduate=graduate,
        service_type=service_type,
        date=d(day),
        channel=Channel.WINDOW,
        content=extra.pop("content", "服务"),
        acting_user=user,
        **extra,
    )


def plan_of(graduate, as_of: str, code: str | None = None) -> dict[str, tuple]:
    """{service label: (done, required, due, state)} of GRADUATE's plan on AS_OF."""
    standard = ServiceStandard.objects.get(code=code) if code else None
    return {
        o.service_label: (o.done, o.required, o.due.isoformat(), o.state)
        for o in graduate_plan(graduate_id=graduate.pk, as_of=d(as_of), standard=standard)
    }


def registered(register, user, day: str, hour: int = 10, **overrides):
    with at(day, hour):
        return register(user, **overrides)


# --- Standards as data -----------------------------------------------------------------------------------------


def _rules(code: str) -> list[tuple]:
    return list(
        StandardRule.objects.filter(standard__code=code)
        .order_by("position")
        .values_list("applies_to", "codes", "service_type", "required", "window_unit", "window_length",
                     "fixed_month", "fixed_day", "anchor")
    )  # fmt: skip


def test_the_three_presets_are_the_issues_table_each_rule_citing_its_notice(service_standards):
    employment = ["1", "2", "3", "5", "6"]
    assert _rules("qinghai") == [
        ("intention", employment, "policy", 1, "months", 3, None, None, "received"),
        ("intention", employment, "guidance", 1, "months", 3, None, None, "received"),
        ("intention", employment, "job_referral", 3, "months", 3, None, None, "received"),
        ("intention", employment, "recruitment", 2, "months", 3, None, None, "received"),
        ("intention", ["4"], "startup_guidance", 1, "months", 3, None, None, "received"),
        ("intention", ["4"], "startup_training", 1, "months", 3, None, None, "received"),
        ("need", ["4"], "internship", 1, "months", 1, None, None, "received"),
        ("hardship", ["1", "2", "3", "T", "L", "S"], "one_on_one", 1, "months", 3, None, None, "received"),
    ]
    assert _rules("mohrss") == [
        ("job_seeking", [], "job_referral", 3, "months", 1, None, None, "first_job_seeking")
    ]
    assert _rules("jilin") == [
        (
            "intention",
            employment,
            service,
            1 if service != "job_referral" else 3,
            "fixed",
            None,
            12,
            31,
            "received",
        )
        for service in ["guidance", "job_referral", "training", "internship"]
    ]
    notices = {
        "qinghai": "青人社厅函〔2017〕490号",
        "mohrss": "人社厅发〔2012〕69号",
        "jilin": "吉人社发〔2022〕21号",
    }
    for code, notice in notices.items():
        assert all(c.startswith(notice) for c in StandardRule.objects.filter(standard__code=code).values_list(
            "citation", flat=True))  # fmt: skip
    # The demo province Qinghai has qinghai switched on.
    assert active_standard().code == "qinghai"


def test_loading_the_presets_again_changes_nothing_and_keeps_a_provinces_edits(service_standards):
    rule = StandardRule.objects.get(standard__code="qinghai", service_type="job_referral")
    rule.required = 5
    rule.save()
    before = sorted(StandardRule.objects.values_list("id", "required"))
    load_presets(ServiceStandard, StandardRule, "63")
    assert sorted(StandardRule.objects.values_list("id", "required")) == before
    assert ServiceStandard.objects.filter(is_active=True).count() == 1


def test_a_province_has_one_active_standard(service_standards):
    mohrss = ServiceStandard.objects.get(code="mohrss")
    mohrss.is_active = True
    with pytest.raises(Exception, match="已启用服务标准"):
        mohrss.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        mohrss.save()


def test_a_provincial_admin_edits_a_rule_in_the_admin_and_plans_follow(
    client, province_admin, county_clerk, register
):
    standard = ServiceStandard.objects.get(code="qinghai")
    client.force_login(county_clerk)
    assert client.get(f"/admin/services/servicestandard/{standard.pk}/change/").status_code == 302
    client.force_login(province_admin)
    page = client.get(f"/admin/services/servicestandard/{standard.pk}/change/")
    assert page.status_code == 200 and "岗位推荐" in page.content.decode()
    form = page.context["adminform"].form
    inline = page.context["inline_admin_formsets"][0].formset
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update({"is_active": "on"})
    prefix = inline.prefix
    data.update({f"{prefix}-TOTAL_FORMS": len(inline.forms), f"{prefix}-INITIAL_FORMS": len(inline.forms),
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})  # fmt: skip
    for i, sub in enumerate(inline.forms):
        for name, value in sub.initial.items():
            if value is None:
                continue
            data[f"{prefix}-{i}-{name}"] = ",".join(value) if isinstance(value, list) else value
        data[f"{prefix}-{i}-id"] = sub.instance.pk
        data[f"{prefix}-{i}-standard"] = standard.pk
        if sub.instance.service_type == "job_referral":
            data[f"{prefix}-{i}-required"] = 4
    response = client.post(f"/admin/services/servicestandard/{standard.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert StandardRule.objects.get(standard=standard, service_type="job_referral").required == 4
    graduate = registered(register, county_clerk, "2026-09-01")
    assert plan_of(graduate, "2026-09-02")["岗位推荐"][1] == 4


def test_a_rule_with_an_unknown_code_is_refused_in_chinese(service_standards):
    rule = StandardRule(
        standard=ServiceStandard.objects.get(code="qinghai"),
        applies_to="intention",
        codes=["Z"],
        service_type="policy",
        required=1,
        window_unit="months",
        window_length=3,
        citation="测试",
    )
    with pytest.raises(Exception, match="就业意向没有代码：Z"):
        rule.full_clean()


# --- Plans -----------------------------------------------------------------------------------------------------


def test_a_three_month_window_from_a_month_end_clamps_to_the_last_day(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-11-30", service_needs=["4"])
    plan = plan_of(graduate, "2026-12-01")
    assert plan["政策咨询"] == (0, 1, "2027-02-28", "due")
    assert plan["岗位推荐"] == (0, 3, "2027-02-28", "due")
    assert plan["招聘活动"] == (0, 2, "2027-02-28", "due")
    assert plan["就业见习"] == (0, 1, "2026-12-30", "due")  # need 4: one month (30th: no clamp)
    assert "创业指导" not in plan and "一对一帮扶" not in plan


def test_the_due_day_itself_is_still_due_the_day_after_overdue(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    assert plan_of(graduate, "2026-12-01")["政策咨询"] == (0, 1, "2026-12-01", "due")
    assert plan_of(graduate, "2026-12-02")["政策咨询"] == (0, 1, "2026-12-01", "overdue")


def test_late_night_registration_counts_from_the_beijing_day(county_clerk, register):
    # 23:30 Beijing is still the 31st there (15:30 UTC).
    graduate = registered(register, county_clerk, "2026-08-31", hour=23)
    assert plan_of(graduate, "2026-09-01")["政策咨询"][2] == "2026-11-30"


def test_met_late_and_what_counts(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-07-01")
    with at("2026-10-20"):
        log(county_clerk, graduate, ServiceType.JOB_REFERRAL, "2026-06-20")  # before graduation (06-30)
        log(county_clerk, graduate, ServiceType.JOB_REFERRAL, "2026-07-10")
        voided = log(county_clerk, graduate, ServiceType.JOB_REFERRAL, "2026-08-10")
        actions.void_service(entry=voided, reason="记错了人", acting_user=county_clerk)
        log(county_clerk, graduate, ServiceType.JOB_REFERRAL, "2026-09-10")
        log(county_clerk, graduate, ServiceType.JOB_REFERRAL, "2026-10-05")  # after the due day 10-01
        log(county_clerk, graduate, ServiceType.POLICY, "2026-10-01")  # on the due day
        log(county_clerk, graduate, ServiceType.JOB_SEEKING, "2026-07-02")  # not in the qinghai standard
    assert plan_of(graduate, "2026-09-15")["岗位推荐"] == (2, 3, "2026-10-01", "due")
    assert plan_of(graduate, "2026-10-04")["岗位推荐"] == (2, 3, "2026-10-01", "overdue")
    assert plan_of(graduate, "2026-10-20")["岗位推荐"] == (3, 3, "2026-10-01", "late")
    assert plan_of(graduate, "2026-10-20")["政策咨询"] == (1, 1, "2026-10-01", "met")
    # The plan shows the services that satisfied it.
    obligation = next(o for o in graduate_plan(graduate_id=graduate.pk, as_of=d("2026-10-20"))
                      if o.service_type == "job_referral")  # fmt: skip
    assert len(obligation.entry_ids) == 3 and voided.pk not in obligation.entry_ids


def test_intention_9_owes_no_employment_services(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01", intentions=["9"], service_needs=[])
    assert plan_of(graduate, "2026-12-31") == {}
    hardship = registered(register, county_clerk, "2026-09-01", seq=102, intentions=["9"], service_needs=[],
                          hardship=["3"])  # fmt: skip
    assert plan_of(hardship, "2026-09-02") == {"一对一帮扶": (0, 1, "2026-12-01", "due")}


def test_an_intention_changed_mid_window_starts_new_rules_at_the_change(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01", intentions=["3"])
    with at("2026-10-15"):
        graduate.intentions = ["3", "4"]  # now also entrepreneurship
        update_graduate(graduate=graduate, acting_user=county_clerk, expected_version=graduate.version)
    plan = plan_of(graduate, "2026-10-16")
    assert plan["岗位推荐"][2] == "2026-12-01"  # still matched: the window keeps running
    assert plan["创业指导"][2] == "2027-01-15"  # from the change date
    assert "创业指导" not in plan_of(graduate, "2026-10-14")  # not owed before the change
    with at("2026-10-20"):
        graduate.refresh_from_db()
        graduate.intentions = ["7"]  # 升学: no longer owed employment services
        update_graduate(graduate=graduate, acting_user=county_clerk, expected_version=graduate.version)
    assert plan_of(graduate, "2026-10-21") == {}


def test_a_need_added_later_is_owed_from_that_day(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01", service_needs=["2"])
    with at("2026-11-30"):
        graduate.service_needs = ["2", "4"]
        update_graduate(graduate=graduate, acting_user=county_clerk, expected_version=graduate.version)
    assert plan_of(graduate, "2026-12-01")["就业见习"] == (0, 1, "2026-12-30", "due")


def test_the_clock_runs_from_the_first_dispatch_and_keeps_running_after_a_transfer(
    province_admin, prefecture_clerk, other_prefecture_clerk
):
    with at("2026-09-08"):
        education_list(province_admin, [roster_row(1, **{"入学前户口所在地": "630102"})])
    with at("2026-09-10", hour=23):  # 23:00 Beijing: still 09-10 there
        dispatch_batch(batch=HandoverBatch.objects.get(), acting_user=province_admin)
    graduate = Graduate.objects.get()
    assert plan_of(graduate, "2026-09-11")["政策咨询"][2] == "2026-12-10"
    haidong = Office.objects.get(kind=OfficeKind.PREFECTURE, region_id="630200")
    with at("2026-10-20"):
        transfer = request_transfer(
            graduate=graduate, to_office=haidong, reason="现居海东", acting_user=prefecture_clerk
        )
        log(prefecture_clerk, graduate, ServiceType.POLICY, "2026-10-01")
        accept_transfer(transfer=transfer, acting_user=other_prefecture_clerk)
    graduate.refresh_from_db()
    assert graduate.responsible_office == haidong
    plan = plan_of(graduate, "2026-12-11")
    assert plan["政策咨询"] == (1, 1, "2026-12-10", "met")  # the sender's service still counts
    assert plan["职业指导"] == (0, 1, "2026-12-10", "overdue")


def test_employed_graduates_owe_nothing_more_but_keep_what_was_met(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    with at("2026-09-20"):
        log(county_clerk, graduate, ServiceType.POLICY, "2026-09-20")
        change_state(graduate=graduate, to_state="employed", acting_user=county_clerk)
    plan = plan_of(graduate, "2027-01-01")
    assert plan["政策咨询"][3] == "met"
    assert plan["岗位推荐"][3] == "closed" and plan["职业指导"][3] == "closed"


def test_mohrss_counts_a_month_from_the_first_job_seeking_registration(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    assert plan_of(graduate, "2026-12-31", "mohrss") == {}
    with at("2026-10-31"):
        log(county_clerk, graduate, ServiceType.JOB_SEEKING, "2026-10-31")
        log(county_clerk, graduate, ServiceType.JOB_SEEKING, "2026-10-31", content="再次登记")
    assert plan_of(graduate, "2026-11-01", "mohrss") == {"岗位推荐": (0, 3, "2026-11-30", "due")}


def test_jilin_runs_until_the_end_of_the_cohort_year(county_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01")
    plan = plan_of(graduate, "2026-12-31", "jilin")
    assert set(plan) == {"职业指导", "岗位推荐", "职业培训", "就业见习"}
    assert {v[2] for v in plan.values()} == {"2026-12-31"} and {v[3] for v in plan.values()} == {"due"}
    assert {v[3] for v in plan_of(graduate, "2027-01-01", "jilin").values()} == {"overdue"}


def test_service_plans_command_prints_the_issues_json_shape(county_clerk, other_prefecture_clerk, register):
    graduate = registered(register, county_clerk, "2026-09-01", intentions=["4"], service_needs=[])
    registered(register, county_clerk, "2026-09-01", seq=102, intentions=["9"], service_needs=[])
    haidong = registered(register, other_prefecture_clerk, "2026-09-01", seq=303, region="630202",
                         intentions=["4"], service_needs=[])  # fmt: skip
    with at("2026-09-05"):
        log(county_clerk, graduate, ServiceType.STARTUP_GUIDANCE, "2026-09-05")
    out = StringIO()
    call_command("service_plans", "--as-of", "2026-12-02", "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert document == {
        "as_of": "2026-12-02",
        "standard": "qinghai",
        "graduates": [
            {"id_number": number, "obligations": [
                {"service": "创业指导", "required": 1, "done": done, "due": "2026-12-01", "state": state},
                {"service": "创业培训", "required": 1, "done": 0, "due": "2026-12-01", "state": "overdue"},
            ]}
            for number, done, state in sorted([(graduate.id_number, 1, "met"), (haidong.id_number, 0, "overdue")])
        ],
        "summary": {"met": 1, "late": 0, "due": 0, "overdue": 3, "closed": 0},
    }  # fmt: skip
    out = StringIO()
    call_command("service_plans", "--as-of", "2026-10-01", "--standard", "jilin", "--office", "630100", "--json",
                 stdout=out)  # fmt: skip
    document = json.loads(out.getvalue())
    assert document["standard"] == "jilin" and [g["id_number"] for g in document["graduates"]] == []


def test_compliance_counts_per_office_and_rule_agree_with_the_plans(
    county_clerk, other_prefecture_clerk, register
):
    for seq in (101, 102, 103):
        registered(register, county_clerk, "2026-09-01", seq=seq)
    registered(register, other_prefecture_clerk, "2026-09-01", seq=303, region="630202")
    standard = active_standard()
    scope = PlanScope()
    rows = compliance(standard=standard, as_of=d("2026-12-02"), scope=scope)
    total = next(r for r in rows if r.key is None and r.rule_id is None)
    assert total.counts == plans_json(standard=standard, as_of=d("2026-12-02"), scope=scope)["summary"]
    assert total.counts["overdue"] == 4 * 4  # four rules (intention 3), four graduates
    chengdong = next(r for r in rows if r.key == str(county_clerk.office_id) and r.rule_id is None)
    assert chengdong.counts["overdue"] == 12
    by_prefecture = compliance(standard=standard, as_of=d("2026-12-02"), scope=scope, group_by="prefecture")
    assert {r.key: r.total for r in by_prefecture if r.rule_id is None and r.key} == {"6301": 12, "6302": 4}

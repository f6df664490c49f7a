"""The registry's business actions, called as the views, admin, API and commands call them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEvent, Office, OfficeKind, Region
from graduates import actions
from graduates.codes import ALLOWED_TRANSITIONS, MANUAL_TRANSITIONS, State
from graduates.models import Graduate, GraduateChange
from tests.factories import make_id_number, unsaved_graduate


@pytest.fixture
def registered(county_clerk):
    return actions.create_graduate(graduate=unsaved_graduate(), acting_user=county_clerk)


def test_county_clerk_registers_a_walk_in_graduate_kept_by_their_office(county_clerk, registered):
    assert registered.responsible_office == county_clerk.office
    assert registered.state == State.WAITING
    assert registered.sources == ["walk_in"]
    assert registered.gender == "1" and registered.birth_date == datetime.date(2003, 4, 15)
    assert registered.changes.get().kind == GraduateChange.Kind.CREATED
    assert AuditEvent.objects.filter(action="graduate.created", object_id=str(registered.pk)).exists()


def test_bureau_registration_goes_to_the_prefecture_office_of_origin(province_admin):
    graduate = actions.create_graduate(
        graduate=unsaved_graduate(origin_region=Region.objects.get(code="632221")), acting_user=province_admin
    )
    assert graduate.responsible_office.region_id == "632200"


def test_bureau_registration_with_abolished_origin_goes_to_successors_office(province_admin):
    graduate = actions.create_graduate(
        graduate=unsaved_graduate(origin_region=Region.objects.get(code="632121")), acting_user=province_admin
    )
    assert graduate.responsible_office.region_id == "630200"  # 平安县 → 平安区, 海东市


def test_bureau_hands_to_county_when_the_province_hands_over_to_counties(province_admin):
    Office.objects.filter(kind=OfficeKind.BUREAU).update(handover_to_county=True)
    graduate = actions.create_graduate(graduate=unsaved_graduate(), acting_user=province_admin)
    assert graduate.responsible_office.region_id == "630102"


def test_university_staff_cannot_register(university_clerk):
    with pytest.raises(PermissionDenied):
        actions.create_graduate(graduate=unsaved_graduate(), acting_user=university_clerk)


def test_same_id_and_cohort_leads_to_the_existing_record(county_clerk, registered):
    with pytest.raises(actions.DuplicateGraduate) as exc:
        actions.create_graduate(graduate=unsaved_graduate(name="另一人"), acting_user=county_clerk)
    assert exc.value.existing == registered
    assert Graduate.objects.count() == 1
    # Another cohort is another registration.
    actions.create_graduate(
        graduate=unsaved_graduate(cohort=2025, graduation_date=datetime.date(2025, 6, 30)),
        acting_user=county_clerk,
    )
    assert Graduate.objects.count() == 2


def test_database_constraint_stops_a_duplicate_that_bypasses_the_action(registered):
    duplicate = unsaved_graduate(
        responsible_office=registered.responsible_office, birth_date=registered.birth_date
    )
    duplicate.gender = "1"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_invalid_record_is_refused_and_nothing_is_saved(county_clerk):
    bad = unsaved_graduate(id_number=make_id_number()[:-1] + "0", intentions=["9"], service_needs=["1"])
    with pytest.raises(ValidationError) as exc:
        actions.create_graduate(graduate=bad, acting_user=county_clerk)
    assert set(exc.value.message_dict) >= {"service_needs"}
    assert Graduate.objects.count() == 0 and GraduateChange.objects.count() == 0


def test_edit_records_each_field_with_old_and_new_value(county_clerk, registered):
    registered.major = "软件工程"
    registered.mobile = "13900000002"
    actions.update_graduate(graduate=registered, acting_user=county_clerk, expected_version=1)
    change = registered.changes.filter(kind=GraduateChange.Kind.UPDATED).get()
    assert change.changes == {
        "major": ["计算机科学与技术", "软件工程"],
        "mobile": ["13800000001", "13900000002"],
    }
    assert change.actor == county_clerk
    registered.refresh_from_db()
    assert registered.version == 2


def test_edit_on_a_stale_copy_is_refused(county_clerk, registered):
    stale = Graduate.objects.get(pk=registered.pk)
    registered.major = "软件工程"
    actions.update_graduate(graduate=registered, acting_user=county_clerk, expected_version=1)
    stale.major = "数学"
    with pytest.raises(actions.StaleRecord):
        actions.update_graduate(graduate=stale, acting_user=county_clerk, expected_version=1)
    assert Graduate.objects.get(pk=registered.pk).major == "软件工程"


def test_other_prefecture_cannot_edit(other_prefecture_clerk, registered):
    registered.major = "数学"
    with pytest.raises(PermissionDenied):
        actions.update_graduate(graduate=registered, acting_user=other_prefecture_clerk, expected_version=1)


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [(f, t) for f in State.values for t in State.values if f != t],
)
def test_state_transitions_follow_the_table(county_clerk, registered, from_state, to_state):
    Graduate.objects.filter(pk=registered.pk).update(state=from_state)
    allowed = to_state in MANUAL_TRANSITIONS[from_state]
    if allowed:
        graduate = actions.change_state(graduate=registered, to_state=to_state, acting_user=county_clerk)
        assert graduate.state == to_state
        assert graduate.changes.filter(kind="state").latest("at").changes["state"] == [from_state, to_state]
    else:
        with pytest.raises(ValidationError):
            actions.change_state(graduate=registered, to_state=to_state, acting_user=county_clerk)
        assert Graduate.objects.get(pk=registered.pk).state == from_state


def test_transferred_is_reached_only_through_handover(county_clerk, registered):
    assert all(State.TRANSFERRED not in targets for targets in MANUAL_TRANSITIONS.values())
    assert ALLOWED_TRANSITIONS[State.TRANSFERRED] == frozenset()
    assert State.WAITING not in MANUAL_TRANSITIONS[State.UNREACHABLE]


def test_visit_with_destination_updates_record_and_state(county_clerk, registered):
    actions.record_visit(
        graduate=registered,
        acting_user=county_clerk,
        visited_on=timezone.localdate(),
        method="phone",
        destination="4",
        employer="某科技有限公司",
    )
    registered.refresh_from_db()
    assert (registered.destination, registered.state) == ("4", State.EMPLOYED)


def test_latest_visit_gives_the_destination_and_history_stays(county_clerk, registered):
    today = timezone.localdate()
    actions.record_visit(
        graduate=registered, acting_user=county_clerk, visited_on=today, method="phone", destination="4"
    )
    actions.record_visit(
        graduate=registered,
        acting_user=county_clerk,
        visited_on=today - datetime.timedelta(days=30),
        method="home",
        destination="14",
    )
    registered.refresh_from_db()
    assert registered.destination == "4"  # the older visit, entered late, does not override
    assert registered.visits.count() == 2


def test_visit_choosing_not_seeking_and_reached_visit_verifies(county_clerk, registered):
    actions.record_visit(
        graduate=registered, acting_user=county_clerk, visited_on=timezone.localdate(), method="phone"
    )
    registered.refresh_from_db()
    assert registered.state == State.VERIFIED
    actions.record_visit(
        graduate=registered,
        acting_user=county_clerk,
        visited_on=timezone.localdate(),
        method="phone",
        destination="14",
    )
    registered.refresh_from_db()
    assert registered.state == State.NOT_SEEKING


def test_unreached_visit_changes_nothing_and_cannot_carry_destination(county_clerk, registered):
    actions.record_visit(
        graduate=registered,
        acting_user=county_clerk,
        visited_on=timezone.localdate(),
        method="phone",
        outcome="not_reached",
    )
    registered.refresh_from_db()
    assert registered.state == State.WAITING
    with pytest.raises(ValidationError):
        actions.record_visit(
            graduate=registered,
            acting_user=county_clerk,
            visited_on=timezone.localdate(),
            method="phone",
            outcome="not_reached",
            destination="4",
        )


def test_visit_in_the_future_is_refused(county_clerk, registered):
    with pytest.raises(ValidationError):
        actions.record_visit(
            graduate=registered,
            acting_user=county_clerk,
            visited_on=timezone.localdate() + datetime.timedelta(days=2),
            method="phone",
        )


def test_bulk_assign_and_mark_unreachable_stay_in_scope(county_clerk, other_prefecture_clerk, registered):
    haidong_graduate = actions.create_graduate(
        graduate=unsaved_graduate(
            id_number=make_id_number(region="630202"), origin_region=Region.objects.get(code="630202")
        ),
        acting_user=other_prefecture_clerk,
    )
    everything = Graduate.objects.all()
    assert actions.mark_unreachable(graduates=everything, acting_user=county_clerk) == 1
    assert Graduate.objects.get(pk=haidong_graduate.pk).state == State.WAITING
    assert Graduate.objects.get(pk=registered.pk).state == State.UNREACHABLE
    assert actions.assign_staff(graduates=everything, staff=county_clerk, acting_user=county_clerk) == 1
    assert Graduate.objects.get(pk=registered.pk).staff == county_clerk
    assert Graduate.objects.get(pk=haidong_graduate.pk).staff is None
    assert registered.changes.filter(kind="assigned").count() == 1

"""The registry's set-based actions that the other apps call, and the races they must survive (two real
database connections)."""

import threading

import pytest
from django.db import connection, connections

from core.models import Office
from graduates import actions
from graduates.codes import State
from graduates.models import Graduate, GraduateChange
from tests.factories import make_id_number, unsaved_graduate


@pytest.fixture
def three(county_clerk):
    return [
        actions.create_graduate(
            graduate=unsaved_graduate(id_number=make_id_number(seq=100 + n), name=f"测试{n}"),
            acting_user=county_clerk,
        )
        for n in range(3)
    ]


def test_reassign_moves_only_records_the_giving_office_still_holds(province_admin, county_clerk, three):
    haidong = Office.objects.get(region_id="630200")
    Graduate.objects.filter(pk=three[2].pk).update(responsible_office=haidong)  # moved by someone else
    moved = actions.reassign_offices(
        targets=[(g.pk, province_admin.office_id) for g in three],
        acting_user=province_admin,
        note="测试",
        from_office_id=county_clerk.office_id,
    )
    assert set(moved) == {three[0].pk, three[1].pk}
    assert Graduate.objects.get(pk=three[2].pk).responsible_office == haidong
    first = Graduate.objects.get(pk=three[0].pk)
    assert first.responsible_office_id == province_admin.office_id and first.version == 2
    change = first.changes.filter(kind=GraduateChange.Kind.HANDOVER).get()
    assert change.changes == {"responsible_office_id": [county_clerk.office_id, province_admin.office_id]}
    assert change.actor == province_admin and change.note == "测试"


def test_reassign_never_moves_a_graduate_who_left_the_province(province_admin, county_clerk, three):
    actions.mark_left_province(graduate_id=three[0].pk, acting_user=county_clerk, note="转出省外")
    moved = actions.reassign_offices(
        targets=[(three[0].pk, province_admin.office_id)], acting_user=province_admin, note="测试"
    )
    assert moved == {}
    assert Graduate.objects.get(pk=three[0].pk).state == State.TRANSFERRED


def test_move_states_follows_the_transition_table(county_clerk, three):
    Graduate.objects.filter(pk=three[1].pk).update(state=State.EMPLOYED)
    Graduate.objects.filter(pk=three[2].pk).update(state=State.TRANSFERRED)
    moved = actions.move_states(
        graduate_ids=[g.pk for g in three], to_state=State.UNREACHABLE, acting_user=county_clerk
    )
    assert moved == [three[0].pk]  # 已就业 → 无法联系 is not a step the notices allow; 已转出 is final
    assert Graduate.objects.get(pk=three[1].pk).state == State.EMPLOYED
    history = Graduate.objects.get(pk=three[0].pk).changes.get(kind=GraduateChange.Kind.STATE)
    assert history.changes == {"state": [State.WAITING, State.UNREACHABLE]}


def test_move_states_from_states_narrows_the_moves(county_clerk, three):
    Graduate.objects.filter(pk=three[1].pk).update(state=State.NOT_SEEKING)
    moved = actions.move_states(
        graduate_ids=[g.pk for g in three[:2]],
        to_state=State.VERIFIED,
        from_states={State.WAITING, State.UNREACHABLE},
        acting_user=county_clerk,
    )
    assert moved == [three[0].pk]
    assert Graduate.objects.get(pk=three[1].pk).state == State.NOT_SEEKING


def test_unreachable_to_waiting_is_not_a_clerks_button(county_clerk, three):
    Graduate.objects.filter(pk=three[0].pk).update(state=State.UNREACHABLE)
    assert not actions.move_states(
        graduate_ids=[three[0].pk], to_state=State.WAITING, acting_user=county_clerk, manual=True
    )
    assert actions.move_states(graduate_ids=[three[0].pk], to_state=State.WAITING, acting_user=county_clerk)


def test_contact_details_change_only_records_still_in_the_state_read(county_clerk, three):
    Graduate.objects.filter(pk__in=[g.pk for g in three]).update(state=State.UNREACHABLE)
    Graduate.objects.filter(pk=three[1].pk).update(state=State.VERIFIED)  # reached meanwhile
    changed = actions.set_contact_details(
        details={three[0].pk: {"mobile": "13900000009"}, three[1].pk: {"mobile": "13900000008"}},
        expected_states={three[0].pk: State.UNREACHABLE, three[1].pk: State.UNREACHABLE},
        acting_user=county_clerk,
        note="教育部门反馈的联系方式",
        then_state=State.WAITING,
    )
    assert changed == [three[0].pk]
    first, second = Graduate.objects.get(pk=three[0].pk), Graduate.objects.get(pk=three[1].pk)
    assert (first.mobile, first.state, first.version) == ("13900000009", State.WAITING, 2)
    assert (second.mobile, second.state) == ("13800000001", State.VERIFIED)
    assert first.changes.get(kind=GraduateChange.Kind.UPDATED).changes == {
        "mobile": ["13800000001", "13900000009"],
        "state": [State.UNREACHABLE, State.WAITING],
    }


def test_destination_13_is_studying_never_employed(county_clerk, three):
    import datetime

    actions.record_visit(
        graduate=three[0],
        acting_user=county_clerk,
        visited_on=datetime.date(2026, 11, 2),
        method="phone",
        destination="13",
    )
    graduate = Graduate.objects.get(pk=three[0].pk)
    assert graduate.state == State.STUDYING and graduate.destination == "13"
    assert graduate.state != State.EMPLOYED


@pytest.mark.django_db(transaction=True)
def test_two_identical_registrations_at_once_make_one_record(regions, demo_province):
    """Two clerks' posts race on one ID number: one record; the other is told it exists, never a 500."""
    from core.models import User

    clerk = User.objects.get(username="chengdong")
    outcomes: list[str] = []

    def register(number, barrier):
        try:
            barrier.wait(timeout=10)
            actions.create_graduate(graduate=unsaved_graduate(id_number=number), acting_user=clerk)
            outcomes.append("created")
        except actions.DuplicateGraduate:
            outcomes.append("duplicate")
        except Exception as exc:  # the assertion below shows it
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    rounds = 4  # the window is narrow: the old code failed in about half of the rounds
    for n in range(rounds):
        number, barrier = make_id_number(seq=200 + n), threading.Barrier(2)
        threads = [threading.Thread(target=register, args=(number, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(outcomes) == ["created"] * rounds + ["duplicate"] * rounds
    assert Graduate.objects.count() == rounds
    connection.close()

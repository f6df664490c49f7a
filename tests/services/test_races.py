"""Two clerks at once, on two real database connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from services import actions
from services.codes import Channel, ServiceType
from services.ledger import import_ledger
from services.models import ServiceEntry
from tests.services.test_ledger import ledger_bytes, row


def _together(steps):
    barrier = threading.Barrier(len(steps))
    outcomes: list[str] = []

    def run(step) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(step())
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_ledger_loaded_twice_at_once_is_logged_once(
    demo_province, county_clerk, prefecture_clerk, register
):
    graduates = [register(county_clerk, seq=seq) for seq in range(51, 91, 2)]
    content = ledger_bytes([row(g) for g in graduates])
    office = county_clerk.office

    def load(user):
        return lambda: import_ledger(content=content, office=office, acting_user=user).logged

    outcomes = _together([load(county_clerk), load(prefecture_clerk)])
    assert sorted(outcomes) == [0, len(graduates)]
    assert ServiceEntry.objects.count() == len(graduates)


@pytest.mark.django_db(transaction=True)
def test_two_voids_of_one_entry_at_once_void_it_once(demo_province, county_clerk, prefecture_clerk, register):
    graduate = register(county_clerk)
    entry = actions.log_service(
        graduate=graduate,
        service_type=ServiceType.POLICY,
        date=timezone.localdate(),
        channel=Channel.WINDOW,
        acting_user=county_clerk,
    )

    def void(user, reason):
        return lambda: actions.void_service(entry=entry, reason=reason, acting_user=user).void_reason

    outcomes = _together([void(county_clerk, "甲作废"), void(prefecture_clerk, "乙作废")])
    assert outcomes.count("refused") == 1 and len(set(outcomes)) == 2
    entry.refresh_from_db()
    assert entry.void_reason in ("甲作废", "乙作废")


@pytest.mark.django_db(transaction=True)
def test_two_services_logged_at_once_both_count_in_the_kept_obligations(
    demo_province, county_clerk, prefecture_clerk, register
):
    from services.models import Obligation

    graduate = register(county_clerk)

    def referral(user, content):
        return lambda: (
            actions.log_service(
                graduate=graduate,
                service_type=ServiceType.JOB_REFERRAL,
                date=timezone.localdate(),
                channel=Channel.PHONE,
                content=content,
                acting_user=user,
            ).service_type
        )

    for round_ in range(25):
        outcomes = _together(
            [referral(county_clerk, f"推荐A{round_}"), referral(prefecture_clerk, f"推荐B{round_}")]
        )
        assert outcomes == ["job_referral", "job_referral"]
        kept = Obligation.objects.get(graduate=graduate, service_type="job_referral")
        assert kept.done == 2 * (round_ + 1), round_
